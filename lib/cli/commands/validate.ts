import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { InputError, ValidationError } from '../../core/errors';
import { recoverTree } from '../../synth/writer';
import { defaultBootstrapDir } from '../../synth/synthesize';
import { startsGenerated } from '../../synth/stager';
import { readRegularFile } from '../../synth/tree';
import { chartFoldersAt } from '../../helm/chart';
import { findingsToProblems, loadYamlTree, policyReport, readFlowsFile, validateEntries } from '../../validate';
import { ArgoExclusions, defaultArgoExclusions, exclusionsFromPatch } from '../../validate/argocd-exclusions';
import { Finding } from '../../validate/types';
import { RESOURCE_EXCLUSIONS_PATCH_FILE } from '../../core/argocd-exclusions';
import { CliIO } from '../io';
import { OutputFormat, reportAs, withOutputFlag } from '../json';
import { SchemaFlags, schemaSources, withSchemaFlags } from './schema-flags';
import { counted } from '../../core/names';

interface ValidateFlags extends SchemaFlags {
  readonly policyReport?: boolean;
  /** The bootstrap folder (--argocd), or false (--no-argocd). */
  readonly argocd?: string | false;
  readonly output: OutputFormat;
}

/** `edgewatt validate [dir]`: every check over any tree of Kubernetes YAML. */
export function validateCommand(io: CliIO): Command {
  return withOutputFlag(
    withSchemaFlags(
      new Command('validate')
        .description('check a tree of Kubernetes YAML (dist/ or your own): strict schemas, security policy, wiring, PromQL, and the flows of <dir>/FLOWS.json')
        .argument('[dir]', 'folder of YAML files; the first folder level is read as the cluster', 'dist')
        .option('--policy-report', 'also print, per cluster, Pod Security levels, exceptions with reasons, RBAC per ServiceAccount, NetworkPolicy coverage')
        .option('--argocd <dir>', "the Argo CD bootstrap (AppProject, root Applications), checked with the tree: every Application must deploy where its AppProject permits; default: argocd beside [dir] when edgewatt wrote it there")
        .option('--no-argocd', 'do not read the Argo CD bootstrap beside [dir]'),
    ),
  ).action((dir: string, flags: ValidateFlags) =>
    reportAs(io, flags.output, 'validate', () => {
      // Bad input (exit 2) is reported together: a missing folder and a missing schema flag in one run.
      const input = [];
      recoverTree(dir); // a tree parked by a killed write is moved back before it is looked for
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) input.push({ path: dir, message: 'is not a folder: pass the folder of YAML files to check, e.g. `edgewatt validate dist`' });
      // A tree of Helm charts holds templates, not objects: its objects are the plain tree's (test/helm).
      for (const chart of chartFoldersAt(dir)) input.push({ path: chart, message: 'is a Helm chart (synth --format helm), whose templates are not plain YAML: validate the plain tree of the same stack (`edgewatt synth -o <folder>` then `edgewatt validate <folder>`), which every chart renders to with its default values' });
      let schemas;
      try {
        schemas = schemaSources(flags);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        input.push(...e.problems);
      }
      // Not when a flag named the document (its own problem says what is wrong with it).
      if (!schemas && !flags.k8sOpenapi && input.every((p) => !p.path.startsWith('--'))) {
        input.push({ path: '--k8s-openapi', message: 'is required by validate: name the Kubernetes OpenAPI document (kubectl get --raw /openapi/v2 > k8s-openapi.json), or set EDGEWATT_K8S_OPENAPI, or run `edgewatt schemas pull` once' });
      }
      const bootstrapDir = bootstrapOf(dir, flags.argocd);
      if (typeof flags.argocd === 'string' && !isFolder(flags.argocd)) input.push({ path: '--argocd', message: `${flags.argocd} is not a folder: pass the Argo CD bootstrap folder synth wrote (argocd beside the output folder), or leave --argocd out` });
      if (input.length > 0 || !schemas) throw new InputError(input);
      const tree = loadYamlTree(dir);
      // The bootstrap's objects as synth validates them: files under its folder, cluster `argocd`.
      const boot = bootstrapDir ? loadYamlTree(bootstrapDir, path.relative(process.cwd(), bootstrapDir) || bootstrapDir) : undefined;
      const entries = [...tree.entries, ...(boot?.entries ?? []).map((e) => ({ ...e, cluster: 'argocd' }))];
      const loadFindings = [...tree.findings, ...(boot?.findings ?? [])];
      // The clusters' report; the bootstrap holds no workloads, namespaces or bindings.
      if (flags.policyReport && flags.output === 'text') io.out(policyReport(tree.entries));
      const flows = readFlowsFile(dir);
      // The Argo CD that syncs the tree excludes what argocd-cm says: the bootstrap's patch of it, or the default.
      const argocdExclusions = boot && bootstrapDir ? exclusionsOf(bootstrapDir) : undefined;
      const findings = [...loadFindings, ...flows.findings, ...validateEntries(entries, { schemas, root: dir, flows: flows.flows, argocdExclusions })];
      if (findings.length > 0) throw new ValidationError(findingsToProblems(findings));
      const files = new Set(entries.map((e) => e.file)).size;
      const flowNote = flows.flows ? ` and the ${counted(flows.flows.length, 'flow')} of FLOWS.json` : ' (no FLOWS.json: no flow checked)';
      const bootNote = boot ? ` (${counted(boot.entries.length, 'object')} of them the Argo CD bootstrap in ${bootstrapDir})` : '';
      if (flags.output === 'text') io.out(`${dir}: ${entries.length} objects in ${files} files pass the schema, policy, wiring and PromQL checks${flowNote}${bootNote}\n`);
      return { objects: entries.length, files, flows: flows.flows?.length ?? 0, ...(boot ? { bootstrap: { dir: bootstrapDir, objects: boot.entries.length } } : {}) };
    }),
  );
}

function isFolder(dir: string): boolean {
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory();
}

/**
 * The bootstrap folder to check with `dir`: the one --argocd names; none with --no-argocd; else `argocd` beside `dir`
 * when a YAML file at its top is edgewatt's (synth writes the bootstrap there by default; then the whole folder is
 * read), so a tree of one's own beside an unrelated `argocd` folder is checked alone.
 */
function bootstrapOf(dir: string, flag: string | false | undefined): string | undefined {
  if (flag === false) return undefined;
  if (typeof flag === 'string') return flag;
  const beside = defaultBootstrapDir(dir);
  if (!isFolder(beside)) return undefined;
  const generated = fs.readdirSync(beside).some((f) => /\.ya?ml$/.test(f) && isGenerated(path.join(beside, f)));
  return generated ? path.relative(process.cwd(), beside) || beside : undefined;
}

/** The resource exclusions of the bootstrap's argocd-cm patch (RESOURCE_EXCLUSIONS_PATCH_FILE), else Argo CD's default. */
function exclusionsOf(bootstrapDir: string): ArgoExclusions | Finding {
  const file = path.join(bootstrapDir, RESOURCE_EXCLUSIONS_PATCH_FILE);
  if (!fs.existsSync(file)) return defaultArgoExclusions(bootstrapDir);
  const content = readRegularFile(file);
  return typeof content === 'string' ? { file, pointer: '', message: `${content}: the argocd-cm patch must be a regular file` } : exclusionsFromPatch(content.toString('utf8'), file);
}

/** Whether a file is a regular file (not a link) edgewatt generated (startsGenerated); false for anything unreadable. */
function isGenerated(file: string): boolean {
  try {
    const content = readRegularFile(file);
    return typeof content !== 'string' && startsGenerated(content);
  } catch {
    return false;
  }
}
