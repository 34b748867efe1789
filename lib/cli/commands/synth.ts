import * as path from 'path';
import { Command, Option } from 'commander';
import { InputError, SpecError } from '../../core/errors';
import { StackReader } from '../../spec/stack-reader';
import { checkDirContents, defaultBootstrapDir, defaultCacheDir, forgetCharts, loadStackFile, synthToDir, withStackLines } from '../../synth';
import { dropStackReader, openStackReader, saveStackReader } from '../../synth/stack-cache';
import { startsGenerated } from '../../synth/stager';
import { fileNamesOf } from '../../synth/written-files';
import { DAEMON_MIN_STACK_BYTES } from '../daemon/address';
import { CliExit, CliIO, EXIT } from '../io';
import { CheckFailed, OutputFormat, reportAs, withOutputFlag } from '../json';
import { checkMessage, CheckKind, checkPatch } from './check-diff';
import { parseDuration } from './duration';
import { bootstrapClash, gitopsPathNote } from './gitops-path';
import { SchemaFlags, schemaSources, withSchemaFlags } from './schema-flags';
import { synthHelm } from './synth-helm';
import { watchSynth } from './synth-watch';

interface SynthFlags extends SchemaFlags {
  readonly config: string;
  readonly out: string;
  readonly argocdOut?: string;
  readonly check?: boolean;
  readonly output: OutputFormat;
  readonly waitLock?: string;
  readonly format?: 'plain' | 'helm';
  /** false with --no-cache. */
  readonly cache?: boolean;
  readonly watch?: boolean;
  /** false with --no-daemon (bin/edgewatt.js reads it; a synth in this process has nothing more to do with it). */
  readonly daemon?: boolean;
}

/** The shell command that regenerates what --check compared, with every flag that changes the output. */
export function fixCommand(flags: SynthFlags): string {
  const q = (v: string) => (/^[\w./:@=-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  const parts = ['edgewatt', 'synth', '-c', q(flags.config), '-o', q(flags.out)];
  if (flags.argocdOut) parts.push('--argocd-out', q(flags.argocdOut));
  if (flags.format === 'helm') parts.push('--format', 'helm');
  if (flags.k8sOpenapi) parts.push('--k8s-openapi', q(flags.k8sOpenapi));
  for (const c of flags.crds ?? []) parts.push('--crds', q(c));
  return parts.join(' ');
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

/**
 * Whether the stderr that progress goes to is a terminal, when it is not this process's own: the synth daemon
 * (lib/cli/daemon/server.ts) sets it to its client's for each synth. undefined: process.stderr's.
 */
let progressTerminal: boolean | undefined;

/** Sets (or, with undefined, clears) progressTerminal. */
export function setProgressTerminal(isTTY: boolean | undefined): void {
  progressTerminal = isTTY;
}

/** `edgewatt synth`: stack.yaml in, dist/ out; with --check, compare instead of writing. */
export function synthCommand(io: CliIO): Command {
  return withOutputFlag(withSchemaFlags(new Command('synth')), false)
    .description('synthesize the stack into Kubernetes YAML, one folder per cluster and component')
    .option('-c, --config <file>', 'the stack description', 'stack.yaml')
    .option('-o, --out <dir>', 'output folder, replaced whole and atomically', 'dist')
    .option('--argocd-out <dir>', 'folder of the Argo CD bootstrap (AppProject, root Applications); default: argocd beside --out')
    .option('--check', 'write nothing; exit 1 and name the files that differ when <dir> is not what the stack gives')
    .addOption(new Option('--format <format>', 'plain: one folder per cluster and component; helm: one Helm chart per cluster (<dir>/<cluster>/chart)').choices(['plain', 'helm']).default('plain'))
    .option('--wait-lock <duration>', 'when another edgewatt is writing the same folder, wait for it up to <duration> (e.g. 90s, 10m) instead of exiting 6')
    .option('--no-cache', 'build, check and render everything again: do not read or write the caches (.edgewatt.cache/<out>/ beside --out: stack file, charts, validation, flow verdicts, render, file index)')
    .option('--no-daemon', `synthesize in this process, not through the synth daemon of the working folder, which \`edgewatt synth\` of a stack file of ${DAEMON_MIN_STACK_BYTES / 1024 / 1024} MiB or more starts outside CI (EDGEWATT_DAEMON=off: never; on: at any size)`)
    .option('--watch', 'synthesize again each time the stack file changes, until Ctrl-C (exit code: the last synth\'s); a failed synth prints its problems, leaves <dir> as it was and the watch goes on')
    .action((flags: SynthFlags) => {
      const command = flags.check ? 'synth --check' : 'synth';
      // A watch reads each save by its edits (lib/spec/stack-reader.ts); its first read starts from what the last
      // synth into the same folder kept (lib/synth/stack-cache.ts), as a synth does. It writes none: a save of ~20 MB
      // at each change, or when it ends (at its largest heap), would cost more than the next synth's whole read.
      const cacheDir = cacheDirOf(flags);
      const reader = !flags.watch ? undefined : cacheDir !== undefined && flags.format !== 'helm' ? openStackReader(cacheDir) : new StackReader();
      const once = () => reportAs(io, flags.output, command, () => withStackLines(flags.config, () => synth(io, flags, reader)));
      if (!flags.watch) return once();
      const refused = flags.check ? '--check' : flags.output === 'json' ? '--output json' : undefined;
      if (refused === undefined) return watch(io, flags, once, () => reader?.forget());
      return reportAs(io, flags.output, command, () => {
        throw new InputError([{ path: '--watch', message: `cannot be used with ${refused} (a watch writes the output again at each change and reports in text): leave one out` }]);
      });
    });
}

/**
 * `synth --watch` (synth-watch.ts): SIGINT or SIGTERM between synths stops the watch, which ends with the last synth's
 * exit code; during a synth they kill it as they kill `edgewatt synth` (its output folders stay whole: the old trees
 * before its commit, the new ones, finished by the next edgewatt command, after it: lib/synth/journal.ts). A synth that hit a bug in edgewatt (exit 3) leaves nothing for the next one
 * to reuse (forgetCharts; `forget` makes the stack reader read the next text whole).
 */
async function watch(io: CliIO, flags: SynthFlags, once: () => Promise<void>, forget: () => void): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  const listen = (on: boolean): void => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.off(signal, onSignal);
      if (on) process.on(signal, onSignal);
    }
  };
  const afterBug = (): void => {
    forgetCharts();
    forget();
  };
  try {
    const code = await watchSynth(io, { file: flags.config, synth: once, signal: stop.signal, busy: (running) => listen(!running), afterBug });
    if (code !== EXIT.ok) throw new CliExit(code);
  } finally {
    listen(false);
  }
}

/**
 * The stack readers of a process that synthesizes again and again (the synth daemon, lib/cli/daemon/server.ts), by
 * cache folder; undefined in a process of one synth.
 */
let keptReaders: Map<string, StackReader> | undefined;

/**
 * From now on this process keeps each cache folder's stack reader for the next synth into the same folder, as a watch
 * keeps its own, and writes none back (see readStack).
 */
export function keepStackReaders(): void {
  keptReaders ??= new Map();
}

/**
 * The stack of --config, read by `reader` (the watch's) or, for a synth that writes a plain tree (not --check, which
 * writes nothing, nor --format helm, which keeps no caches), by a reader started from what the cache folder kept of the
 * last synth into the same folder, which is then kept there for the next one (lib/synth/stack-cache.ts). Kept at once,
 * while the heap is small (~20 MB of buffers at 100,000 devices), and let go: the synth does not hold the reader's text
 * and data, and what a text gives does not depend on the synth after it. A process that keeps its readers
 * (keepStackReaders) reads with the one it kept for the folder and writes none: what a text gives does not depend on
 * the reader either, so a synth in another process meanwhile costs that reader a whole read, never a wrong stack.
 */
function readStack(flags: SynthFlags, cacheDir: string | undefined, reader: StackReader | undefined): ReturnType<typeof loadStackFile> {
  const reads = reader === undefined && cacheDir !== undefined && !flags.check && flags.format !== 'helm';
  const kept = reads ? keptReaders?.get(cacheDir) : undefined;
  const restored = reads ? kept ?? openStackReader(cacheDir) : undefined;
  let stack: ReturnType<typeof loadStackFile>;
  try {
    stack = loadStackFile(flags.config, reader ?? restored);
  } catch (e) {
    // A bug met reading from the kept state would be met again by every synth: the next one reads the file whole.
    if (restored !== undefined && cacheDir !== undefined && !(e instanceof SpecError)) {
      keptReaders?.delete(cacheDir);
      dropStackReader(cacheDir);
    }
    throw e;
  }
  if (restored !== undefined && cacheDir !== undefined) {
    if (keptReaders !== undefined) keptReaders.set(cacheDir, restored);
    else saveStackReader(cacheDir, restored);
  }
  return stack;
}

/** The cache folder of a synth (defaultCacheDir beside --out), or undefined with --no-cache. */
function cacheDirOf(flags: SynthFlags): string | undefined {
  return flags.cache === false ? undefined : defaultCacheDir(flags.out);
}

/** One synth. `reader`: the watch's stack reader (see readStack). */
function synth(io: CliIO, flags: SynthFlags, reader?: StackReader): Record<string, unknown> {
  const schemas = schemaSources(flags);
  if (!schemas) io.err('note: strict schema check skipped: pass --k8s-openapi <file> (and --crds <dir>) or set EDGEWATT_K8S_OPENAPI, or run `edgewatt schemas pull` once\n');
  const waitLockMs = flags.waitLock === undefined ? 0 : parseDuration(flags.waitLock, '--wait-lock');
  const cacheDir = cacheDirOf(flags);
  const options = { validation: { schemas }, bootstrapDir: flags.argocdOut, onProgress: progressReporter(io, progressTerminal === undefined ? process.stderr : { isTTY: progressTerminal }), waitLockMs, validationCache: cacheDir ?? (false as const) };
  const stack = readStack(flags, cacheDir, reader);
  // Either format: the Applications read <gitops.path>/<cluster>/… (a chart: …/<cluster>/chart).
  const gitopsPath = (stack as { gitops?: { path?: string } }).gitops?.path;
  const pathNote = gitopsPathNote(flags.out, gitopsPath);
  // A preview beside the committed tree would replace that tree's Argo CD bootstrap (the default folder they share).
  const clash = flags.check ? undefined : bootstrapClash(flags.out, flags.argocdOut, gitopsPath, defaultBootstrapDir);
  if (clash !== undefined) throw new InputError([{ path: '--argocd-out', message: clash }]);
  if (pathNote !== undefined) io.err(pathNote);
  if (flags.format === 'helm') return synthHelm(io, flags, stack, options, fixCommand(flags));
  if (flags.check) {
    const diff = checkDirContents(stack, flags.out, options);
    // Paths as the user's shell sees them (argocd/x.yaml, not dist/../argocd/x.yaml).
    const shown = (f: string) => path.relative(process.cwd(), path.resolve(flags.out, f)).split(path.sep).join('/');
    // A file nobody generated is no stale output: synth would refuse to replace the folder holding it (exit 2).
    const foreign = (f: string) => !startsGenerated(diff.actual.get(f) ?? Buffer.alloc(0));
    const all = [
      ...diff.missing.map((f) => ({ f, what: 'missing' as CheckKind })),
      ...diff.changed.map((f) => ({ f, what: 'changed' as CheckKind })),
      ...diff.stale.map((f) => ({ f, what: (foreign(f) ? 'foreign' : 'stale') as CheckKind })),
    ].sort((a, b) => (shown(a.f) < shown(b.f) ? -1 : 1));
    if (all.length === 0) {
      if (flags.output === 'text') io.out(`${flags.out} is up to date with ${flags.config}\n`);
      return { differences: [] };
    }
    const fix = fixCommand(flags);
    if (flags.output === 'text') {
      const n = all.length;
      const moved = all.some((d) => d.what === 'foreign') ? `move the files marked foreign out of ${flags.out} (edgewatt did not generate them and does not overwrite them), then ` : '';
      io.err(`${flags.out} is not what ${flags.config} gives (${n} ${n === 1 ? 'file differs' : 'files differ'}); to fix, ${moved}run:\n  ${fix}\nand commit the result.\n`);
      io.err(`${all.map((d) => `  ${d.what.padEnd(8)} ${shown(d.f)}`).join('\n')}\n`);
      for (const d of all) io.out(checkPatch(d.what, shown(d.f), diff.actual.get(d.f)?.toString('utf8') ?? '', diff.expected.get(d.f) ?? ''));
      throw new CliExit(EXIT.checkFailed);
    }
    throw new CheckFailed(all.map((d) => ({ path: shown(d.f), message: checkMessage(d.what, flags.out) })), fix, { differences: all.map((d) => ({ path: shown(d.f), kind: d.what })) });
  }
  const r = synthToDir(stack, flags.out, options);
  let objects = 0; // one object per YAML file
  for (const f of fileNamesOf(r.files)) if (f.endsWith('.yaml')) objects++;
  const written = r.write.missing.length + r.write.changed.length;
  const result = { written, unchanged: r.write.unchanged, removed: r.write.stale.length, files: r.files.size };
  if (flags.output === 'json') return result;
  io.out(
    `synthesized ${objects} objects into ${r.files.size} files in ${flags.out}: ${written} written, ${r.write.unchanged} unchanged, ${r.write.stale.length} removed\n`,
  );
  if (r.bootstrapWrite) {
    const b = r.bootstrapWrite;
    io.out(`Argo CD bootstrap: ${r.bootstrap.size} files in ${flags.argocdOut ?? 'argocd beside ' + flags.out}: ${b.missing.length + b.changed.length} written, ${b.unchanged} unchanged, ${b.stale.length} removed\n`);
  }
  return result;
}
