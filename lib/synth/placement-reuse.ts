import { OffSwitch } from '../core/off-switch';
import { FileRef } from './render-protocol';
import { KubeObject, Manifest } from './kube-object';
import { PlacedObject, placeManifest } from './layout';

/**
 * A folder's placement (its objects' files, lib/synth/layout.ts placeManifest) taken again from the last synth in this
 * process when the folder holds the same frozen objects in the same order: the kept registration requests of an
 * unchanged 100,000-device fleet (lib/fleet/flotta.ts) and the reused charts (lib/synth/chart-reuse.ts) are the same
 * objects as last time, and naming their files again took ~0.2 s of an incremental synth. A file name is a function
 * of the folder and its objects' kind, name and namespace, which a frozen object cannot change; an object that is not
 * frozen (with its metadata) is placed anew, and so is its folder. The last synth's placements are kept until the next
 * synth (or forgetCharts).
 */

/** One folder's placement, with what the renderer is given for it. */
export interface Placement {
  readonly placed: ReadonlyArray<PlacedObject>;
  /** The placed objects, in order. */
  readonly objects: ReadonlyArray<KubeObject>;
  /** Each object's file in the output folder (index 0). */
  readonly files: ReadonlyArray<FileRef>;
}

let last = new Map<string, { readonly objects: ReadonlyArray<KubeObject>; readonly placement: Placement }>();

/** Forgets the kept placements: the next synth places every folder anew. */
export function forgetPlacements(): void {
  last = new Map();
}

const reusing = new OffSwitch();

/** Runs `f` with every folder placed anew and nothing kept (a reference synth). */
export function withoutPlacementReuse<T>(f: () => T): T {
  return reusing.off(f);
}

const frozen = (o: KubeObject): boolean => Object.isFrozen(o) && Object.isFrozen(o.metadata);

/** Whether two lists hold the same objects in the same order. */
function sameObjects(a: ReadonlyArray<KubeObject>, b: ReadonlyArray<KubeObject>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One synth's placements: `place` gives each folder's, the last synth's where it can; `close` keeps them for the next. */
export class Placer {
  private readonly kept = new Map<string, { readonly objects: ReadonlyArray<KubeObject>; readonly placement: Placement }>();
  /** Folders placed again from the last synth (for tests). */
  public reused = 0;

  /** The placement of folder `m` (its cluster and component). */
  public place(m: Manifest): Placement {
    const key = `${m.cluster}\0${m.component}`;
    const before = reusing.on ? last.get(key) : undefined;
    if (before !== undefined && sameObjects(before.objects, m.objects)) {
      this.reused++;
      this.kept.set(key, before);
      return before.placement;
    }
    const placed = Object.freeze(placeManifest(m).map((p) => Object.freeze(p)));
    const placement: Placement = { placed, objects: placed.map((p) => p.object), files: placed.map((p): FileRef => [0, p.path]) };
    if (reusing.on && m.objects.every(frozen)) this.kept.set(key, { objects: m.objects.slice(), placement });
    return placement;
  }

  /** Keeps this synth's placements for the next one (the folders not met again go). */
  public close(): void {
    if (reusing.on) last = this.kept;
  }
}
