import { Problem, SpecError } from '../core/errors';
import { resolveModel, StackModel } from '../model';
import { parseStack } from '../spec/parse';
import { stackSchema } from '../spec/stack';

/**
 * parseStack then resolveModel, reporting every problem in one run: when the stack has schema problems, the
 * values at their paths are left out (then their parents, when that leaves a required field missing) and the
 * rest of the stack is still resolved, so cross-reference problems (a cluster or thing that does not exist)
 * come in the same error instead of on the next run.
 */
export function resolveStack(input: unknown, parse: (input: unknown) => ReturnType<typeof parseStack> = parseStack): StackModel {
  try {
    return resolveModel(parse(input));
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    throw withCrossReferences(e, input);
  }
}

/** Cross-reference problems of the parts of `input` that pass the schema (see resolveStack). */
export function crossReferenceProblems(input: unknown): ReadonlyArray<Problem> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [];
  let pruned: unknown = structuredClone(input);
  const removed = new Set<string>();
  for (let round = 0; round < 8; round++) {
    const r = stackSchema.safeParse(pruned);
    if (r.success) {
      try {
        resolveModel(r.data);
        return [];
      } catch (e) {
        return e instanceof SpecError ? e.problems : [];
      }
    }
    for (const issue of r.error.issues) {
      let at = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) removeAt(pruned, [...at, key]);
        continue;
      }
      while (at.length > 0 && removed.has(JSON.stringify(at))) at = at.slice(0, -1);
      // The name, the cluster list and array items (removing one would shift the indices of the rest) stay.
      if (at.length === 0 || typeof at[at.length - 1] === 'number' || (at.length === 1 && (at[0] === 'name' || at[0] === 'clusters'))) return [];
      removed.add(JSON.stringify(at));
      pruned = removeAt(pruned, at);
    }
  }
  return [];
}

function removeAt(root: unknown, at: ReadonlyArray<string | number>): unknown {
  let node = root as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return root;
    node = node[k] as Record<string | number, unknown>;
  }
  if (node !== null && typeof node === 'object') {
    const last = at[at.length - 1];
    if (!Array.isArray(node)) delete node[last];
  }
  return root;
}

/** `e` with the cross-reference problems of `input` added (each once). */
export function withCrossReferences(e: SpecError, input: unknown): SpecError {
  const more = crossReferenceProblems(input);
  if (more.length === 0) return e;
  const seen = new Set(e.problems.map((p) => `${p.path}\u0000${p.message}`));
  return new SpecError([...e.problems, ...more.filter((p) => !seen.has(`${p.path}\u0000${p.message}`))]);
}
