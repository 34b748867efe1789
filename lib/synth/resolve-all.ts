import { formatPath, Problem, SpecError } from '../core/errors';
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

/**
 * The sections whose cross-reference problems may be wrong when a section is left out whole (they read it: the hub
 * the components default to, "dashboards need monitoring", the receivers; device sets estimated from Kepler; things
 * on devices; the model server with device sets that estimate). `monitoring.events` (whether a cluster runs anything)
 * may be wrong whatever is left out.
 */
const READERS: Readonly<Record<string, ReadonlyArray<string>>> = {
  monitoring: ['dashboards', 'energy', 'fleet'],
  energy: ['fleet'],
  fleet: ['energy', 'iomt'],
};

/** Cross-reference problems of the parts of `input` that pass the schema (see resolveStack). */
export function crossReferenceProblems(input: unknown): ReadonlyArray<Problem> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [];
  let pruned: unknown = structuredClone(input);
  const removed = new Set<string>();
  // Sections left out whole: a problem in a list item (a thing, a device) cannot be left out alone without shifting
  // the indices of the rest or making a link name a thing that is not there.
  const dropped = new Set<string>();
  // Fields left out, as problem paths: a cross-reference problem on one (its value "is required") is the absence
  // this check made, and the field's schema problem is reported already.
  const left: string[] = [];
  const kept = (p: Problem): boolean => {
    const top = /^[^.[]*/.exec(p.path)![0];
    if ((dropped.size > 0 || left.length > 0) && p.path.startsWith('monitoring.events')) return false;
    if (left.some((l) => p.path === l || p.path.startsWith(`${l}.`) || p.path.startsWith(`${l}[`))) return false;
    return !dropped.has(top) && ![...dropped].some((d) => READERS[d]?.includes(top));
  };
  for (let round = 0; round < 8; round++) {
    const r = stackSchema.safeParse(pruned);
    if (r.success) {
      try {
        resolveModel(r.data);
        return [];
      } catch (e) {
        return e instanceof SpecError ? e.problems.filter(kept) : [];
      }
    }
    for (const issue of r.error.issues) {
      let at = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) removeAt(pruned, [...at, key]);
        continue;
      }
      while (at.length > 0 && removed.has(JSON.stringify(at))) at = at.slice(0, -1);
      // The name, the cluster list and its items stay (nothing is checked without them); a list item's whole section goes.
      if (at.length === 0 || at[0] === 'name' || (at[0] === 'clusters' && at.length <= 2)) return [];
      if (typeof at[at.length - 1] === 'number') {
        dropped.add(String(at[0]));
        pruned = removeAt(pruned, at.slice(0, 1));
        continue;
      }
      removed.add(JSON.stringify(at));
      // A whole section that fails (`monitoring:` left empty, null) goes like one with a bad list item.
      if (at.length === 1) dropped.add(String(at[0]));
      left.push(formatPath(at));
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
