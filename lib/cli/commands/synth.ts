import { Command } from 'commander';
import { checkDir, loadStackFile, synthToDir } from '../../synth';
import { CliExit, CliIO, EXIT } from '../io';
import { parseDuration } from './duration';
import { SchemaFlags, schemaSources, withSchemaFlags } from './schema-flags';

interface SynthFlags extends SchemaFlags {
  readonly config: string;
  readonly out: string;
  readonly argocdOut?: string;
  readonly check?: boolean;
  readonly waitLock?: string;
}

/**
 * Progress per cluster and component on stderr, once a synth has run for a second, when stderr is a
 * terminal and not in CI; otherwise nothing.
 */
export function progressReporter(io: CliIO, stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): ((done: number, total: number, cluster: string, component: string) => void) | undefined {
  if (!stream.isTTY || env.CI) return undefined;
  const start = Date.now();
  return (done, total, cluster, component) => {
    if (Date.now() - start > 1000) io.err(`\r[${done + 1}/${total}] ${cluster}/${component}   `);
  };
}

/** `edgewatt synth`: stack.yaml in, dist/ out; with --check, compare instead of writing. */
export function synthCommand(io: CliIO): Command {
  return withSchemaFlags(new Command('synth'))
    .description('synthesize the stack into Kubernetes YAML, one folder per cluster and component')
    .option('-c, --config <file>', 'the stack description', 'stack.yaml')
    .option('-o, --out <dir>', 'output folder, replaced whole and atomically', 'dist')
    .option('--argocd-out <dir>', 'folder of the Argo CD bootstrap (AppProject, root Applications); default: argocd beside --out')
    .option('--check', 'write nothing; exit 1 and name the files that differ when <dir> is not what the stack gives')
    .option('--wait-lock <duration>', 'when another edgewatt is writing the same folder, wait for it up to <duration> (e.g. 90s, 10m) instead of exiting 6')
    .action((flags: SynthFlags) => {
      const waitLockMs = flags.waitLock === undefined ? 0 : parseDuration(flags.waitLock, '--wait-lock');
      const schemas = schemaSources(flags);
      if (!schemas) io.err('note: strict schema check skipped: pass --k8s-openapi <file> (and --crds <dir>) or set EDGEWATT_K8S_OPENAPI\n');
      const options = { validation: { schemas }, bootstrapDir: flags.argocdOut, onProgress: progressReporter(io), waitLockMs };
      const stack = loadStackFile(flags.config);
      if (flags.check) {
        const diff = checkDir(stack, flags.out, options);
        const lines = [
          ...diff.missing.map((f) => `  missing  ${flags.out}/${f}`),
          ...diff.changed.map((f) => `  changed  ${flags.out}/${f}`),
          ...diff.stale.map((f) => `  stale    ${flags.out}/${f}`),
        ];
        if (lines.length > 0) {
          io.err(`${flags.out} is not what ${flags.config} gives (${lines.length} files differ); run \`edgewatt synth -c ${flags.config} -o ${flags.out}\` and commit:\n${lines.join('\n')}\n`);
          throw new CliExit(EXIT.checkFailed);
        }
        io.out(`${flags.out} is up to date with ${flags.config}\n`);
        return;
      }
      const r = synthToDir(stack, flags.out, options);
      const objects = [...r.files.keys()].filter((f) => f.endsWith('.yaml')).length; // one object per YAML file
      const written = r.write.missing.length + r.write.changed.length;
      io.out(
        `synthesized ${objects} objects into ${r.files.size} files in ${flags.out}: ${written} written, ${r.write.unchanged} unchanged, ${r.write.stale.length} removed\n`,
      );
      if (r.bootstrapWrite) {
        const b = r.bootstrapWrite;
        io.out(`Argo CD bootstrap: ${r.bootstrap.size} files in ${flags.argocdOut ?? 'argocd beside ' + flags.out}: ${b.missing.length + b.changed.length} written, ${b.unchanged} unchanged, ${b.stale.length} removed\n`);
      }
    });
}
