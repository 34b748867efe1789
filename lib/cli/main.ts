import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { CliIO, EXIT, reportError } from './io';

const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

type MakeCommand = (io: CliIO) => Command;

/**
 * The commands in help's order, each with a loader of its module: a run loads only its own command's module
 * (`edgewatt status` does not load the synthesizer, cdk8s or the schemas; measured 0.19 s against 0.72 s to load
 * every command), and only help or a word that is no command loads them all.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => MakeCommand]> = [
  ['synth', () => (require('./commands/synth') as typeof import('./commands/synth')).synthCommand],
  ['validate', () => (require('./commands/validate') as typeof import('./commands/validate')).validateCommand],
  ['flows', () => (require('./commands/flows') as typeof import('./commands/flows')).flowsCommand],
  ['plan', () => (require('./commands/plan') as typeof import('./commands/plan')).planCommand],
  ['graph', () => (require('./commands/graph') as typeof import('./commands/graph')).graphCommand],
  ['schema', () => (require('./commands/schema') as typeof import('./commands/schema')).schemaCommand],
  ['schemas', () => (require('./commands/schemas') as typeof import('./commands/schemas')).schemasCommand],
  ['status', () => (require('./commands/live') as typeof import('./commands/live')).statusCommand],
  ['apply', () => (require('./commands/live') as typeof import('./commands/live')).applyCommand],
  ['diff', () => (require('./commands/live') as typeof import('./commands/live')).diffCommand],
  ['daemon', () => (require('./commands/daemon') as typeof import('./commands/daemon')).daemonCommand],
];

/**
 * Builds the `edgewatt` command tree: every command, or with `only`, that one alone (the command a run names first,
 * so that the run loads its module alone; its parsing and help are those of the whole tree).
 */
export function buildProgram(io: CliIO, only?: string): Command {
  const program = new Command('edgewatt')
    .description('GitOps configuration-as-code for edge IoT platforms: one stack in, validated Kubernetes YAML out')
    .version(packageVersion(), '-V, --version', 'print the version of edgewatt')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');
  for (const [name, load] of COMMANDS) {
    if (only !== undefined && name !== only) continue;
    program.addCommand(load()(io).exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  }
  return program;
}

/** The version in edgewatt's package.json (the nearest one above this file, in the sources or the build). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'edgewatt' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: ReadonlyArray<string>, io: CliIO = processIO): Promise<number> {
  const first = argv[0];
  const program = buildProgram(io, COMMANDS.some(([name]) => name === first) ? first : undefined);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok;
      // A flag commander refused (unknown, a bad choice, a missing value) still gives the one JSON document asked for.
      const command = jsonCommand(argv);
      if (command !== undefined) {
        const problem = { file: null, line: null, column: null, path: null, message: e.message.replace(/^error: /, ''), fix: null };
        io.out(`${JSON.stringify({ command, ok: false, exitCode: EXIT.badInput, problems: [problem] }, null, 2)}\n`);
      }
      return EXIT.badInput;
    }
    return reportError(e, io);
  }
}

/**
 * The command named in `argv` when it asks for JSON output (`--output json`, `--output=json`, and `-o json` on the
 * commands whose -o is the output format, not synth's output folder), as reportAs names it; else undefined.
 */
function jsonCommand(argv: ReadonlyArray<string>): string | undefined {
  const name = argv.find((a) => !a.startsWith('-'));
  if (name === undefined) return undefined;
  const json = argv.some((a, i) => (a === '--output' && argv[i + 1] === 'json') || a === '--output=json' || (name !== 'synth' && ((a === '-o' && argv[i + 1] === 'json') || a === '-ojson')));
  if (!json) return undefined;
  return name === 'synth' && argv.includes('--check') ? 'synth --check' : name;
}
