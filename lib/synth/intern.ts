import { deepFreeze } from '../core/freeze';
import { KubeObject } from '../core/kube-object';
import { jsonExact } from '../core/object-digest';
import { OffSwitch } from '../core/off-switch';

/**
 * Objects every synth builds anew that are mostly the same as the last synth's: the Argo CD objects (an Application
 * per folder and per upstream component, the AppProject, the root Applications: ~1,200 at 200 clusters). Each is
 * swapped for the last synth's object of the same cluster and the same JSON text, which is frozen; a new one is
 * frozen and kept for the next synth. So a cluster whose charts were reused (lib/synth/chart-reuse.ts) holds the
 * same frozen objects as last time, all of them: the flow gate takes its flows' verdicts again
 * (lib/validate/flows/reuse.ts), and their sizes and digests are memoized (lib/core/object-digest.ts).
 *
 * Only objects that are exactly JSON (jsonExact) are swapped and frozen: for them the same text is the same content.
 * Others are left as they are. The last synth's objects are kept in this process until the next synth (or
 * forgetCharts).
 */
let last = new Map<string, KubeObject>();

/** Forgets the kept objects: the next synth's are all new. */
export function forgetInterned(): void {
  last = new Map();
}

const interning = new OffSwitch();

/** Runs `f` with no object swapped, frozen or kept (a reference synth; the synth after it meets what the one before kept). */
export function withoutInterning<T>(f: () => T): T {
  return interning.off(f);
}

/** One synth's swaps: `object` gives the kept object for each new one; `close` keeps this synth's for the next. */
export class Interner {
  private readonly kept = new Map<string, KubeObject>();

  /** The last synth's object of the same cluster and JSON text as `o`, else `o` frozen; `o` itself when not exactly JSON. */
  public object<T extends KubeObject>(cluster: string, o: T): T {
    if (!interning.on || !jsonExact(o)) return o;
    const key = `${cluster}\0${JSON.stringify(o)}`;
    // Each kept object is given once: two equal objects of one synth stay two objects.
    const before = last.get(key) as T | undefined;
    if (before !== undefined) last.delete(key);
    const same = before ?? deepFreeze(o);
    this.kept.set(key, same);
    return same;
  }

  /** Keeps this synth's objects for the next one (the last synth's that were not met again go). */
  public close(): void {
    if (interning.on) last = this.kept;
  }
}
