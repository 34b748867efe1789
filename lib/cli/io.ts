import { formatProblem, InputError, ProblemsError, SpecError } from '../core/errors';
import { ApiRejection, ClusterUnavailable } from '../live/types';

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
} as const;

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
    const heading = e instanceof SpecError ? 'error: invalid stack' : e instanceof InputError ? 'error: bad input' : 'error: validation failed';
    const n = e.problems.length;
    io.err(`${heading} (${n} ${n === 1 ? 'problem' : 'problems'})\n${e.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
    return exitCodeOf(e);
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
