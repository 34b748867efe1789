import { Command } from 'commander';
import { SpecError, ValidationError } from '../../core/errors';
import { findingsToProblems, loadYamlTree, policyReport, readFlowsFile, validateEntries } from '../../validate';
import { CliIO } from '../io';
import { SchemaFlags, schemaSources, withSchemaFlags } from './schema-flags';

interface ValidateFlags extends SchemaFlags {
  readonly policyReport?: boolean;
}

/** `edgewatt validate [dir]`: every check over any tree of Kubernetes YAML. */
export function validateCommand(io: CliIO): Command {
  return withSchemaFlags(
    new Command('validate')
      .description('check a tree of Kubernetes YAML (dist/ or your own): strict schemas, security policy, wiring, PromQL, and the flows of <dir>/FLOWS.json')
      .argument('[dir]', 'folder of YAML files; the first folder level is read as the cluster', 'dist')
      .option('--policy-report', 'also print, per cluster, Pod Security levels, exceptions with reasons, RBAC per ServiceAccount, NetworkPolicy coverage'),
  ).action((dir: string, flags: ValidateFlags) => {
    const schemas = schemaSources(flags);
    if (!schemas) {
      throw new SpecError([{ path: '--k8s-openapi', message: 'is required by validate: name the Kubernetes OpenAPI document (kubectl get --raw /openapi/v2 > k8s-openapi.json), or set EDGEWATT_K8S_OPENAPI' }]);
    }
    const { entries, findings: loadFindings } = loadYamlTree(dir);
    if (flags.policyReport) io.out(policyReport(entries));
    const flows = readFlowsFile(dir);
    const findings = [...loadFindings, ...flows.findings, ...validateEntries(entries, { schemas, root: dir, flows: flows.flows })];
    if (findings.length > 0) throw new ValidationError(findingsToProblems(findings));
    const files = new Set(entries.map((e) => e.file)).size;
    const flowNote = flows.flows ? ` and the ${flows.flows.length} flows of FLOWS.json` : ' (no FLOWS.json: no flow checked)';
    io.out(`${dir}: ${entries.length} objects in ${files} files pass the schema, policy, wiring and PromQL checks${flowNote}\n`);
  });
}
