import { formatProblem, InputError, ProblemsError, SpecError } from '../core/errors';
import { ApiRejection, ClusterUnavailable } from '../live/types';
import { OutputLocked } from '../synth/lock';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes of the edgewatt command. */
export const EXIT = {
  ok: 0,
  /** A check failed: validation problems, or `synth --check` found differences. */
  checkFailed: 1,
  /** Bad input: an invalid stack, an unreadable file, a wrong flag. */
  badInput: 2,
  /** A bug in edgewatt. */
  internal: 3,
  /** `status --wait` timed out before every Application was Synced and Healthy. */
  timeout: 4,
  /** The cluster could not be reached, or refused edgewatt (credentials, RBAC, a missing API). */
  cluster: 5,
  /** Another edgewatt holds the lock on the output folder (see `synth --wait-lock`). */
  locked: 6,
} as const;

/** What an operating-system error code means, and what to do about it. */
const ERRNO_HINT: Record<string, string> = {
  ENOSPC: 'no space left on the device: free some, or write to another folder',
  EDQUOT: 'disk quota exceeded: free some space, or write to another folder',
  EROFS: 'the file system is read-only: write to a writable folder',
  EACCES: 'permission denied: write to a folder you own, or fix its permissions',
  EPERM: 'operation not permitted: write to a folder you own, or fix its permissions',
  ENOENT: 'no such file or folder: check the path',
  ENOTDIR: 'a part of the path is a file, not a folder: check the path',
  EISDIR: 'is a folder where a file was expected: check the path',
  ENAMETOOLONG: 'the path is too long: use a shorter one',
  EMFILE: 'too many open files: raise the limit (ulimit -n)',
  EIO: 'input/output error: check the disk',
  EXDEV: 'crosses file systems: keep the output folder and its parent on one file system',
  EBUSY: 'the resource is busy: retry, or write to another folder',
  ELOOP: 'too many symbolic links: check the path',
};

/** An error from the operating system (it has an errno code and the call that failed): the environment, not edgewatt. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const x = e as NodeJS.ErrnoException;
  return typeof e === 'object' && e !== null && typeof x.code === 'string' && /^E[A-Z0-9]+$/.test(x.code) && typeof x.syscall === 'string';
}

/** Thrown by a command to end with an exit code after it printed what it had to say. */
export class CliExit extends Error {
  constructor(public readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Prints an error the way users should see it and returns the exit code it means. */
export function reportError(e: unknown, io: CliIO): number {
  if (e instanceof CliExit) return e.code;
  if (e instanceof ProblemsError) {
    const heading = e instanceof SpecError ? `error: ${e.heading}` : e instanceof InputError ? 'error: bad input' : 'error: validation failed';
    const n = e.problems.length;
    io.err(`${heading} (${n} ${n === 1 ? 'problem' : 'problems'})\n${e.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
    return exitCodeOf(e);
  }
  if (e instanceof OutputLocked) {
    io.err(`error: ${e.message}\n`);
    return EXIT.locked;
  }
  if (isSystemError(e)) {
    const where = [e.path, (e as { dest?: string }).dest].filter(Boolean).join(' -> ');
    io.err(`error: ${e.syscall}${where ? ` ${where}` : ''} failed: ${e.code}: ${ERRNO_HINT[e.code as string] ?? e.message}\n`);
    return EXIT.badInput;
  }
  if (e instanceof ClusterUnavailable) {
    io.err(`error: ${e.message}\n`);
    return EXIT.cluster;
  }
  if (e instanceof ApiRejection) {
    io.err(`error: the API server refused: ${e.reason}: ${e.message}\n`);
    return EXIT.cluster;
  }
  io.err(`internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in edgewatt; please report it with the stack that caused it.\n`);
  return EXIT.internal;
}

/** The exit code a ProblemsError means: 2 for bad input (the stack, a flag, a file), else 1 (a check failed). */
export function exitCodeOf(e: ProblemsError): number {
  return e instanceof SpecError || e instanceof InputError ? EXIT.badInput : EXIT.checkFailed;
}
