import * as fs from 'fs';
import * as path from 'path';
import { stampOfStats } from '../../synth/file-index';
import { CliIO, EXIT, reportError } from '../io';

/** How often the stack file is looked at, and how long it must stay the same before a synth reads it. */
export const WATCH_POLL_MS = 100;

/**
 * After the system reports a change to the stack file (fs.watch), how long it must stay the same before a synth reads
 * it: a save is seen in this time instead of within one to two polls (~0.15 s on average).
 */
export const WATCH_SETTLE_MS = 50;

/**
 * The stack file's stamp, as the file index stamps its files (stampOfStats: device, inode, size, modification and
 * change times), of the file a link leads to. An editor that saves by renaming a new file over the old one changes
 * the inode; any write changes the change time, which no tool sets back. `missing` while there is no such file
 * (between an editor's delete and its rename).
 */
function stampOf(file: string): string {
  try {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st ? stampOfStats(st) : 'missing';
  } catch (e) {
    // A folder made unreadable, a stale NFS handle: the synth that follows reports why the file cannot be read.
    return `error ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}

/** What watchSynth needs of the synth command. */
export interface WatchOptions {
  /** The stack file watched. */
  readonly file: string;
  /** One synth of the stack file as it is now (throws what `edgewatt synth` would report). */
  readonly synth: () => void | Promise<void>;
  /** Stops the watch when aborted; `edgewatt synth --watch` aborts on SIGINT and SIGTERM. @default never */
  readonly signal?: AbortSignal;
  /** @default WATCH_POLL_MS */
  readonly pollMs?: number;
  /**
   * Also look at the file when the system reports a change in its folder (fs.watch), and synthesize once it has held
   * still for `settleMs`; the polls go on either way (a file system without change events, a link's target).
   * @default true
   */
  readonly events?: boolean;
  /** @default WATCH_SETTLE_MS */
  readonly settleMs?: number;
  /**
   * Called with true before each synth and false after it (the CLI lets SIGINT and SIGTERM kill a synth under way, as
   * they kill `edgewatt synth`, and stop the watch between synths). @default none
   */
  readonly busy?: (running: boolean) => void;
  /** Called after a synth that failed with a bug in edgewatt (exit 3), before the watch goes on. @default none */
  readonly afterBug?: () => void;
}

/**
 * `edgewatt synth --watch`: one synth now, then one more each time the stack file changes, until `signal` aborts.
 * Each synth after the first reuses what the one before it built in this process (the charts that read nothing that
 * changed, the flow verdicts, the placed folders, the caches by object), which a synth in a process of its own can
 * only partly read back from the cache folder (README, Performance, has the figures at 100,000 devices). A change is
 * picked up once the file has held still: for WATCH_SETTLE_MS after the system reports it (fs.watch on the file's
 * folder), or else for one poll (an editor's save in several writes is one synth). A synth that fails prints its problems, as `edgewatt
 * synth` does, and leaves the output folder as it was (every synth does); the watch goes on. Returns the exit code
 * of the last synth.
 */
export async function watchSynth(io: CliIO, options: WatchOptions): Promise<number> {
  const pollMs = options.pollMs ?? WATCH_POLL_MS;
  const runOnce = async (): Promise<number> => {
    const started = performance.now();
    let code: number = EXIT.ok;
    options.busy?.(true);
    try {
      await options.synth();
    } catch (e) {
      try {
        code = reportError(e, io);
      } catch {
        code = EXIT.internal;
      }
    } finally {
      options.busy?.(false);
    }
    if (code === EXIT.internal) options.afterBug?.();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    io.err(`${code === EXIT.ok ? 'synthesized' : `synth failed (exit ${code})`} in ${seconds} s; watching ${options.file} for changes (Ctrl-C stops)\n`);
    return code;
  };
  let done = stampOf(options.file);
  let last = await runOnce();
  if (options.signal?.aborted) return last;
  return new Promise<number>((resolve) => {
    let seen = done;
    let running = false;
    let stopped = false;
    const poll = (): void => {
      if (running || stopped) return;
      const now = stampOf(options.file);
      // Synthesize once the file differs from what the last synth read and has held still since the last poll.
      const ready = now !== done && now === seen;
      seen = now;
      if (!ready) return;
      running = true;
      done = now;
      // runOnce does not reject (what the synth throws is reported; what reporting throws is exit 3).
      void runOnce().then((code) => {
        last = code;
        running = false;
        if (stopped) resolve(last);
      });
    };
    const timer = setInterval(poll, pollMs);
    // A change event: the file is looked at now (its stamp is seen) and again once it should have settled.
    let settle: NodeJS.Timeout | undefined;
    const watcher = options.events === false ? undefined : watchFile(options.file, () => {
      poll();
      clearTimeout(settle);
      settle = setTimeout(poll, options.settleMs ?? WATCH_SETTLE_MS);
    });
    // A synth under way ends first (its output folder is then whole either way).
    const stop = (): void => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(settle);
      watcher?.close();
      if (!running) resolve(last);
    };
    options.signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Calls `changed` when the system reports a change to `file`'s entry in its folder (a write, or a rename over it, as
 * editors save); undefined, and polling alone, where it cannot (no inotify watch left, a file system without events).
 * It does not keep the process alive.
 */
function watchFile(file: string, changed: () => void): fs.FSWatcher | undefined {
  const name = path.basename(file);
  try {
    const watcher = fs.watch(path.dirname(path.resolve(file)), { persistent: false }, (_event, entry) => {
      if (entry === null || entry === name) changed();
    });
    watcher.on('error', () => watcher.close()); // the folder gone, say: the polls go on
    return watcher;
  } catch {
    return undefined;
  }
}
