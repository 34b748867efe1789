import { parseStack, resolveModel, SpecError } from '../../lib/internal';

/** The problems parsing and resolving `input` reports, as `path: message` ([] when it resolves). */
export function specProblems(input: unknown): string[] {
  try {
    resolveModel(parseStack(input));
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}
