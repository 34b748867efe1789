/**
 * Values computed from a whole model once, for every chart of a synth that asks (the events rule group, every rule
 * group of the stack: each cluster's monitoring chart asks, and computing them per cluster is quadratic in clusters).
 *
 * A chart built from a read-recording view (lib/synth/read-record.ts) is given a model of its own, which such a
 * value must not be keyed by: the charts would not share it. That model is registered here with what its charts
 * share (SharedReads): the value is then computed once per synth, from a model all its charts share, and every
 * chart that takes the value counts what the computation read as its own reads, so a chart is never reused after
 * a change to what its value was computed from.
 *
 * A cache of its own in chart code, keyed by a part of the model (a WeakMap keyed by a model object), would be unsound
 * there: filled in one chart's build through the shared model and hit in another's, it would hide the reads it was
 * filled with from the second chart. Such caches go through memoByModel (only the charts that read the fleet's devices,
 * always built from the model itself, may keep their own). A shared value may hold parts of the shared model, which
 * are not the objects a chart reaches through its own: compare them by name, not by identity.
 */

/** What the read-recording models of one synth share (lib/synth/read-record.ts). */
export interface SharedReads {
  /** The model a shared value is computed from: the same object for every chart of one synth. */
  readonly model: object;
  /** Runs `f`; gives its value and what it read (as read ids), which also count as read by the chart being built. */
  capture<T>(f: () => T): { readonly value: T; readonly reads: ReadonlyArray<number> };
  /** Counts `reads` as read by the chart being built (and by any computation capturing around it). */
  replay(reads: ReadonlyArray<number>): void;
}

const sharing = new WeakMap<object, SharedReads>();

/** Registers a read-recording model: memoByModel computes from `reads.model` for it. */
export function shareReads(model: object, reads: SharedReads): void {
  sharing.set(model, reads);
}

/** By model (or shared model), then by slot: a value, and the reads it was computed with (recording models only). */
const memo = new WeakMap<object, WeakMap<object, { readonly value: unknown; readonly reads?: ReadonlyArray<number> }>>();

/**
 * `compute(model)`, once per model and `slot` (an object naming what is computed: the function's own constant, or
 * a registry). `compute` must read nothing but its model (and constants); a resolved model is not changed. For a
 * read-recording model, once per synth: see the module comment. A computation that throws is not kept.
 */
export function memoByModel<M extends object, T>(slot: object, model: M, compute: (model: M) => T): T {
  const reads = sharing.get(model);
  const key = reads?.model ?? model;
  let bySlot = memo.get(key);
  if (!bySlot) memo.set(key, (bySlot = new WeakMap()));
  const hit = bySlot.get(slot);
  if (hit) {
    if (hit.reads) reads?.replay(hit.reads);
    return hit.value as T;
  }
  if (reads === undefined) {
    const value = compute(model);
    bySlot.set(slot, { value });
    return value;
  }
  const captured = reads.capture(() => compute(reads.model as M));
  bySlot.set(slot, captured);
  return captured.value;
}
