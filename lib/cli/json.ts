import { Command, Option } from 'commander';
import { Problem, ProblemsError } from '../core/errors';
import { CliExit, CliIO, exitCodeOf, reportError } from './io';

/**
 * `-o json` for every command that CI reads (synth --check, validate, plan, status, flows): one JSON document on
 * stdout, whatever the outcome, in one stable shape (README "CLI", "JSON output"):
 *
 *   { "command": "validate", "ok": false, "exitCode": 1,
 *     "problems": [ { "file", "line", "column", "path", "message", "fix" } ],   // null where not known
 *     ...what the command adds (e.g. "differences" of synth --check, "plan" of plan) }
 *
 * A command wraps its work in `reportAs(io, format, name, work)`; `work` returns the command's extra fields, or
 * throws a ProblemsError (SpecError, InputError, ValidationError, CheckFailed) whose problems become `problems`.
 */

/** Output formats. */
export type OutputFormat = 'text' | 'json';

/** One problem, as CI annotates it. */
export interface JsonProblem {
  /** File the problem is in (a stack file, or a YAML file of the output), or null. */
  readonly file: string | null;
  /** 1-based line in `file`, when known. */
  readonly line: number | null;
  /** 1-based column in `file`, when known. */
  readonly column: number | null;
  /** Field path (`monitoring.cluster`) or JSON pointer in the object (`/spec/replicas`), or null. */
  readonly path: string | null;
  /** What is wrong. */
  readonly message: string;
  /** What to do, when a command knows it (e.g. the command that regenerates a file), else null. */
  readonly fix: string | null;
}

/**
 * A failed check (exit code 1, or `exitCode`) with the fix of its problems, when one command fixes them all
 * (synth --check), and the fields the command adds to its JSON document (status's applications).
 */
export class CheckFailed extends ProblemsError {
  constructor(
    problems: ReadonlyArray<Problem>,
    public readonly fix: string | null = null,
    public readonly extra: Record<string, unknown> = {},
    public readonly exitCode?: number,
  ) {
    super('check failed', problems);
    this.name = 'CheckFailed';
  }
}

/** Adds `-o, --output <format>` (or `--output` only, where -o is taken). */
export function withOutputFlag(cmd: Command, short = true): Command {
  return cmd.addOption(new Option(`${short ? '-o, ' : ''}--output <format>`, 'text for people, json for CI (one document on stdout)').choices(['text', 'json']).default('text'));
}

/** A Problem as JSON: `file: /pointer` paths and `file:line:col` locations are split into their parts. */
export function problemJson(p: Problem, fix: string | null = null): JsonProblem {
  let file: string | null = null;
  let line: number | null = null;
  let column: number | null = null;
  let at: string | null = p.path;
  const ptr = /^(.+?): (\/.*)$/.exec(p.path);
  if (ptr) {
    file = ptr[1];
    at = ptr[2];
  } else if (/\.(ya?ml|md|json)$/.test(p.path)) {
    file = p.path;
    at = null;
  }
  const loc = p.location ? /^(.*):(\d+):(\d+)$/.exec(p.location) : null;
  if (loc) {
    file = loc[1];
    line = Number(loc[2]);
    column = Number(loc[3]);
  } else if (p.location) file = p.location;
  return { file, line, column, path: at, message: p.message, fix };
}

/**
 * Runs a command's work and, for json, prints the one document, also when the work fails: problems end the
 * command with their exit code; any other error (the cluster unreachable, a bug) is one problem, its text
 * also on stderr, with the exit code it means (5, 3).
 */
export async function reportAs(io: CliIO, format: OutputFormat, command: string, work: () => Record<string, unknown> | void | Promise<Record<string, unknown> | void>): Promise<void> {
  if (format === 'text') {
    await work();
    return;
  }
  const print = (doc: Record<string, unknown>) => io.out(`${JSON.stringify({ command, ...doc }, null, 2)}\n`);
  let extra: Record<string, unknown> | void;
  try {
    extra = await work();
  } catch (e) {
    if (e instanceof CliExit) throw e;
    if (e instanceof ProblemsError) {
      const exitCode = e instanceof CheckFailed && e.exitCode !== undefined ? e.exitCode : exitCodeOf(e);
      const fix = e instanceof CheckFailed ? e.fix : null;
      print({ ok: false, exitCode, problems: e.problems.map((p) => problemJson(p, fix)), ...(e instanceof CheckFailed ? e.extra : {}) });
      throw new CliExit(exitCode);
    }
    const exitCode = reportError(e, { out: () => undefined, err: io.err });
    print({ ok: false, exitCode, problems: [{ file: null, line: null, column: null, path: null, message: e instanceof Error ? e.message : String(e), fix: null }] });
    throw new CliExit(exitCode);
  }
  print({ ok: true, exitCode: 0, problems: [], ...(extra ?? {}) });
}
