/**
 * Errors that users see. Every problem names where it is (a field path in the stack, or a file and a JSON
 * pointer in the output) and what to do about it.
 */

/** One problem found in a stack or in synthesized output. */
export interface Problem {
  /** Where: a field path such as `iomt.pipelines[0].links[2].to`, or `file: /json/pointer`. */
  readonly path: string;
  /** What is wrong and, where there is one, the fix. */
  readonly message: string;
  /** Where in a source file, such as `stack.yaml:12:5`, when known. */
  readonly location?: string;
}

/** One problem as a line: `path: message`, after its source location when known. */
export function formatProblem(p: Problem): string {
  return p.location ? `${p.location}: ${p.path}: ${p.message}` : `${p.path}: ${p.message}`;
}

/** Renders a path of keys and indices the way users write them: `a.b[0].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(stack)' : out;
}

function sortProblems(problems: ReadonlyArray<Problem>): Problem[] {
  return [...problems].sort((a, b) => (a.path === b.path ? cmp(a.message, b.message) : cmp(a.path, b.path)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Base class of the errors edgewatt reports with a list of problems. */
export abstract class ProblemsError extends Error {
  /** The problems, sorted by path. */
  public readonly problems: ReadonlyArray<Problem>;

  protected constructor(title: string, problems: ReadonlyArray<Problem>) {
    const sorted = sortProblems(problems);
    const noun = sorted.length === 1 ? 'problem' : 'problems';
    super(`${title}: ${sorted.length} ${noun}\n${sorted.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.problems = sorted;
  }
}

/** The stack description is invalid: bad input. The CLI exits with code 2. */
export class SpecError extends ProblemsError {
  /**
   * @param heading what kind of bad input, as the CLI prints it (`error: <heading>`). @default invalid stack
   */
  constructor(
    problems: ReadonlyArray<Problem>,
    public readonly heading = 'invalid stack',
  ) {
    super(heading, problems);
    this.name = 'SpecError';
  }
}

/** Bad input other than the stack: a wrong flag, a missing file or folder. The CLI exits with code 2. */
export class InputError extends ProblemsError {
  constructor(problems: ReadonlyArray<Problem>) {
    super('bad input', problems);
    this.name = 'InputError';
  }
}

/** The synthesized output failed a check (schema, policy, wiring). The CLI exits with code 1. */
export class ValidationError extends ProblemsError {
  constructor(problems: ReadonlyArray<Problem>) {
    super('validation failed', problems);
    this.name = 'ValidationError';
  }
}

/** Collects problems and throws them together. */
export class ProblemList {
  private readonly items: Problem[] = [];

  /** Adds one problem. */
  public add(path: string, message: string): void {
    this.items.push({ path, message });
  }

  /** The problems so far. */
  public get problems(): ReadonlyArray<Problem> {
    return this.items;
  }

  /** Throws a SpecError when there is any problem. */
  public throwIfAny(): void {
    if (this.items.length > 0) throw new SpecError(this.items);
  }
}
