import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Another edgewatt process holds the lock on an output folder (the CLI exits with code 6). */
export class OutputLocked extends Error {
  constructor(
    /** The output folder. */
    public readonly dir: string,
    /** The lock file. */
    public readonly lockFile: string,
    /** Who holds it, as recorded in the lock file. */
    public readonly holder: string,
  ) {
    super(`${dir} is being written by another edgewatt (${holder}; lock ${lockFile}): wait for it, or pass --wait-lock <duration> (the library's synthToDir does not wait: retry when it ends)`);
    this.name = 'OutputLocked';
  }
}

/** What a lock file records. */
interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** Start time of the process (field 22 of /proc/<pid>/stat), to tell a reused pid from the holder. */
  readonly start?: string;
  readonly since: string;
}

/** The lock file of an output folder: `.edgewatt-lock-<name>` beside it. */
export function lockPath(abs: string): string {
  return path.join(path.dirname(abs), `.edgewatt-lock-${path.basename(abs)}`);
}

/** Fields 3 on of /proc/<pid>/stat (the command name, field 2, may hold spaces: they follow its closing ')'). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function processStart(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** False only when the holder is known to be gone: same host, and its pid is dead or now another process. */
function alive(info: LockInfo): boolean {
  if (info.host !== os.hostname()) return true;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const fields = statFields(info.pid);
  // A zombie (killed, its parent not yet told) holds nothing and never lets go: the synth daemon killed while its
  // client, its parent, synthesizes in its own process instead (lib/cli/daemon/client.ts).
  if (fields?.[0] === 'Z') return false;
  const start = fields?.[19];
  return info.start === undefined || start === undefined || start === info.start;
}

function readInfo(file: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** True when `abs` has a lock file whose holder is gone (killed): the next command removes it. */
export function hasStaleLock(abs: string): boolean {
  const info = readInfo(lockPath(abs));
  return info !== undefined && !alive(info);
}

/** Sleeps without returning to the event loop (the writer is synchronous). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const held = new Set<string>();
let exitHook = false;

/**
 * Takes the exclusive lock of output folder `abs` (a file created with O_EXCL beside it) and returns its
 * release. A lock whose holder died (SIGKILL, power loss) is recognised by its pid and taken over. When the
 * holder is alive, waits up to `waitMs` (polling) and then throws OutputLocked. Locks still held when the
 * process exits are removed.
 */
export function acquireLock(abs: string, waitMs = 0): () => void {
  const file = lockPath(abs);
  const deadline = Date.now() + waitMs;
  const me: LockInfo = { pid: process.pid, host: os.hostname(), start: processStart(process.pid), since: new Date().toISOString() };
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      try {
        fs.writeSync(fd, JSON.stringify(me));
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const info = readInfo(file);
    if (info === undefined) {
      // Being written this very moment (created, not yet filled) or emptied by a crash: judge it by age.
      const age = ageMs(file);
      if (age !== undefined && age > 5000) takeOver(file, undefined);
    } else if (!alive(info)) {
      takeOver(file, info);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = info ? `pid ${info.pid} on ${info.host} since ${info.since}` : 'a process starting up';
      throw new OutputLocked(abs, file, who);
    }
    sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
  }
  held.add(file);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const f of held) release(f);
    });
  }
  return () => {
    if (held.delete(file)) release(file);
  };
}

function ageMs(file: string): number | undefined {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Removes a dead holder's lock. The lock is first renamed to a name of our own, so two processes that both
 * found it stale cannot both remove it; if what we renamed turns out to be a live lock taken in between, it
 * is put back.
 */
function takeOver(file: string, stale: LockInfo | undefined): void {
  const mine = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, mine);
  } catch {
    return; // someone else took it over first
  }
  const moved = readInfo(mine);
  if (moved && stale && (moved.pid !== stale.pid || moved.since !== stale.since) && alive(moved)) {
    try {
      fs.linkSync(mine, file);
    } catch {
      /* a third process locked meanwhile; the one we moved loses its file but its writer checks on release */
    }
  }
  fs.rmSync(mine, { force: true });
}

function release(file: string): void {
  const info = readInfo(file);
  if (info && info.pid === process.pid && info.host === os.hostname()) fs.rmSync(file, { force: true });
}
