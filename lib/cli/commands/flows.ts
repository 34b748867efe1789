import { Command, Option } from 'commander';
import { InputError, SpecError } from '../../core/errors';
import { chartFoldersAt } from '../../helm/chart';
import { evaluateFlows, FLOWS_FILE, flowTableJson, formatFlowTable, loadYamlTree, readFlowsFile } from '../../validate';
import { CliExit, CliIO, EXIT } from '../io';

/**
 * `edgewatt flows [dir]`: the stack's flows (dir/FLOWS.json, written by synth) with the flow gate's verdict on
 * the tree's objects, as a table or JSON. Exit 1 when a flow is blocked.
 */
export function flowsCommand(io: CliIO): Command {
  return new Command('flows')
    .description('print every declared flow between components (source → destination, purpose, transport) with the flow gate\'s verdict on the tree')
    .argument('[dir]', 'synthesized output folder holding FLOWS.json and the cluster folders', 'dist')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((dir: string, flags: { output: 'text' | 'json' }) => {
      // A tree of Helm charts holds templates, not objects: every flow would look blocked.
      const charts = chartFoldersAt(dir);
      if (charts.length > 0) throw new InputError(charts.map((chart) => ({ path: chart, message: 'is a Helm chart (synth --format helm), whose templates are not plain YAML: check the flows of the plain tree of the same stack (`edgewatt synth -o <folder>` then `edgewatt flows <folder>`), which every chart renders to with its default values' })));
      const file = readFlowsFile(dir);
      if (file.findings.length > 0 || !file.flows) {
        throw new SpecError(
          file.findings.length > 0
            ? file.findings.map((f) => ({ path: `${f.file}${f.pointer ? `: ${f.pointer}` : ''}`, message: f.message }))
            : [{ path: `${dir}/${FLOWS_FILE}`, message: 'is missing: synthesize the stack with `edgewatt synth -o <dir>` (it writes the flows there)' }],
          'bad FLOWS.json',
        );
      }
      const { entries } = loadYamlTree(dir);
      const verdicts = evaluateFlows(file.flows, entries, dir);
      io.out(flags.output === 'json' ? flowTableJson(file.stack, verdicts) : formatFlowTable(verdicts));
      if (verdicts.some((v) => !v.ok)) throw new CliExit(EXIT.checkFailed);
    });
}
