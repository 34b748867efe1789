import { Command, Option } from 'commander';
import * as fs from 'fs';
import { COMPONENT_REGISTRY } from '../../../charts';
import { renderSvg, stackDot, stackMermaid } from '../../iomt/diagram';
import { resolveModel } from '../../model';
import { parseStack } from '../../spec/parse';
import { loadStackFile, withStackLines } from '../../synth';
import { CliIO } from '../io';

/** `edgewatt graph`: clusters, components, pipelines and links as Mermaid or SVG. */
export function graphCommand(io: CliIO): Command {
  return new Command('graph')
    .description('draw the clusters, their components and each pipeline\'s things and links')
    .option('-c, --config <file>', 'the stack description', 'stack.yaml')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'svg']).default('mermaid'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (flags: { config: string; format: 'mermaid' | 'svg'; out?: string }) => {
      const model = withStackLines(flags.config, () => resolveModel(parseStack(loadStackFile(flags.config))));
      const components = (cluster: string) => COMPONENT_REGISTRY.filter((d) => d.name !== 'platform' && d.clusters(model).includes(cluster)).map((d) => d.name);
      const text = flags.format === 'svg' ? await renderSvg(stackDot(model, components)) : stackMermaid(model, components);
      if (flags.out) fs.writeFileSync(flags.out, text);
      else io.out(text);
    });
}
