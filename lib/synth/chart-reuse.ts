import { deepFreeze } from '../core/freeze';
import { OffSwitch } from '../core/off-switch';
import { forgetStringMemos } from '../core/memo';
import { forgetDeviceRequests } from '../fleet/flotta';
import { StackModel } from '../model';
import { forgetFlowVerdicts, withoutFlowReuse } from '../validate/flows/reuse';
import type { ChartDiskCache } from './chart-cache';
import { forgetInterned, withoutInterning } from './intern';
import { forgetPlacements, withoutPlacementReuse } from './placement-reuse';
import { KubeObject } from './kube-object';

/**
 * Reuse of charts across synths in one process (the incremental synth of a library user's loop, the bench's
 * incremental figure, tests): a chart whose inputs did not change is not built again.
 *
 * What a chart reads is not declared but observed. Each synth first builds every chart from a view of the model in
 * which the fleet's bulk (its devices and workloads, in the model and in its spec: ~100,000 entries each at the
 * bench's largest tier) cannot be read, only counted: reading more than a list's length throws BulkAccess. A chart that throws is bulk-bound: it is built
 * again from the model itself, and never reused. A chart built from the view depends only on what the view reaches
 * without its bulk, which `viewKey` writes out whole (the bulk as its lengths); a later synth whose view has the same key builds the same
 * chart from it (a chart is a function of its inputs: same inputs, same control flow, so again no bulk read), so
 * its objects from the earlier synth are used as they are. Caches keyed by the view (WeakMaps in charts/) only ever
 * hold what was computed without the bulk, since any computation that reached it threw before storing a value.
 *
 * A view that holds anything but plain data (a Map, a class instance, a function, a getter of its own) has no key:
 * nothing is reused for it. Reused objects are frozen, so what a caller does with a synth's objects cannot change
 * the next synth's. The registry is compared by identity, not content: a component definition, or a constant a
 * chart reads (VERSIONS, say), changed in place between two synths of one process is not seen; call forgetCharts.
 */

/**
 * Thrown when a chart built from the bulk-free view reads the fleet's bulk. Any error of a build from the view (this
 * one, or this one wrapped, as cdk8s's ApiObject.toJson wraps what it catches) makes the chart bulk-bound: it is
 * built again from the model, which gives its real error if it has one.
 */
export class BulkAccess extends Error {
  constructor(field: string) {
    super(`chart reads fleet.${field}`);
    this.name = 'BulkAccess';
  }
}

/** The fleet's fields that are per device (the view hides them); everything else is in the view's key. */
export const FLEET_BULK_FIELDS = ['devices', 'workloads'] as const;

/** The getters hideBulk defines, with the length of the list each hides: the only accessors viewKey accepts. */
const bulkGetters = new WeakMap<object, number | undefined>();

/**
 * A stand-in for a hidden list: its length can be read (`devices.length > 0` is a fact of the view, and in its key);
 * anything else (an item, iteration, a method, its keys) throws BulkAccess.
 */
function lengthOnly(field: string, length: number): ReadonlyArray<never> {
  const refuse = (): never => {
    throw new BulkAccess(field);
  };
  return new Proxy([], {
    get: (_t, p) => (p === 'length' ? length : refuse()),
    has: refuse,
    ownKeys: refuse,
    getOwnPropertyDescriptor: refuse,
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    getPrototypeOf: refuse,
  });
}

/** A copy of `o` whose bulk fields show only their length (a spread of it copies the stand-ins; JSON of it throws). */
function hideBulk<T extends object>(o: T | undefined): T | undefined {
  if (o === undefined) return undefined;
  const view = { ...o };
  for (const field of FLEET_BULK_FIELDS) {
    if (!(field in o)) continue;
    const real = (o as Record<string, unknown>)[field];
    const length = Array.isArray(real) ? real.length : undefined;
    const shown = length === undefined ? undefined : lengthOnly(field, length);
    const get = (): ReadonlyArray<never> => {
      if (shown === undefined) throw new BulkAccess(field);
      return shown;
    };
    bulkGetters.set(get, length);
    Object.defineProperty(view, field, { enumerable: true, get });
  }
  return view;
}

/** The model with the fleet's bulk hidden, in the model and in its spec (see the module comment). */
export function bulkFreeView(model: StackModel): StackModel {
  return { ...model, fleet: hideBulk(model.fleet), spec: { ...model.spec, fleet: hideBulk(model.spec.fleet) } };
}

/**
 * Everything `view` reaches, as one string (JSON-like, keys in their own order), with the hidden bulk written as a
 * mark; undefined when it reaches anything that is not plain data (then the view has no key and nothing is reused).
 */
export function viewKey(view: StackModel): string | undefined {
  const out: string[] = [];
  const onPath = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') {
      out.push(JSON.stringify(v));
      return true;
    }
    // Values JSON cannot spell are bare tokens after `!`: no string (always quoted) or number reads as one.
    if (typeof v === 'number') {
      out.push(Object.is(v, -0) ? '!-0' : Number.isFinite(v) ? String(v) : `!${String(v)}`);
      return true;
    }
    if (v === undefined) {
      out.push('!undefined');
      return true;
    }
    if (typeof v !== 'object' || onPath.has(v)) return false;
    const proto = Object.getPrototypeOf(v) as unknown;
    const isArray = Array.isArray(v);
    if (!isArray && proto !== Object.prototype && proto !== null) return false;
    onPath.add(v);
    // An array's length is written (holes then differ from a shorter array); a key that is not enumerable is marked.
    out.push(isArray ? `[!${(v as unknown[]).length}:` : '{');
    for (const key of Reflect.ownKeys(v)) {
      if (typeof key === 'symbol') return false;
      if (isArray && key === 'length') continue;
      const d = Object.getOwnPropertyDescriptor(v, key)!;
      out.push(d.enumerable ? '' : '!hidden', JSON.stringify(key), ':');
      if (d.get !== undefined || d.set !== undefined) {
        // Only the view's own bulk getters are accessors; any other is data the key cannot see.
        if (!bulkGetters.has(d.get as object)) return false;
        out.push(`!bulk:${bulkGetters.get(d.get as object) ?? 'none'}`);
      } else if (!walk(d.value)) return false;
      out.push(',');
    }
    out.push(isArray ? ']' : '}');
    onPath.delete(v);
    return true;
  };
  return walk(view) ? out.join('') : undefined;
}

/** One synth's charts, for the next synth with the same registry (in this process, or on disk: lib/synth/chart-cache.ts). */
export interface ChartMemo {
  /** viewKey of the synth's view, and the one setting of the environment that changes a chart's output. */
  readonly key: string;
  /** Each bulk-free chart's objects (frozen), by `cluster\0component`. */
  readonly charts: ReadonlyMap<string, ReadonlyArray<KubeObject>>;
  /** The bulk-bound charts, built from the model itself (the next synth with the same key skips their view build). */
  readonly bound: ReadonlySet<string>;
}

/**
 * The last synth's charts and the registry it built them with (a registry is a list of components, code: a synth
 * with another registry reuses nothing). Held until the next synth or forgetCharts.
 */
let last: { readonly registry: object; readonly memo: ChartMemo } | undefined;

/** How many charts the last synth in this process reused, built from the view, and built from the model. */
export interface ChartReuseStats {
  readonly reused: number;
  readonly built: number;
  readonly bound: number;
}
let lastStats: ChartReuseStats = { reused: 0, built: 0, bound: 0 };

/** What the last synthesizeManifests in this process reused (for the bench and tests). */
export function chartReuseStats(): ChartReuseStats {
  return lastStats;
}

/**
 * Forgets the last synth's charts, the device registration requests kept with them (lib/fleet/flotta.ts
 * EdgeDeviceSignedRequests.toJson), the per-name hashes (lib/core/memo.ts), the flow verdicts
 * (lib/validate/flows/reuse.ts), the interned objects (lib/synth/intern.ts) and the folders' placements
 * (lib/synth/placement-reuse.ts): the next synth builds, places, renders, hashes and checks everything (except the
 * charts it reads from an output folder's charts file, lib/synth/chart-cache.ts, as a new process does), and their
 * memory can go.
 */
export function forgetCharts(): void {
  last = undefined;
  forgetDeviceRequests();
  forgetStringMemos();
  forgetFlowVerdicts();
  forgetInterned();
  forgetPlacements();
}

const reusing = new OffSwitch();

/**
 * Runs `f` with no chart built from the view, kept or reused: every chart built from the model, no Argo CD object
 * swapped for a kept one (lib/synth/intern.ts), every flow checked (lib/validate/flows/reuse.ts) and every folder placed
 * anew (lib/synth/placement-reuse.ts): a reference synth.
 */
export function withoutChartReuse<T>(f: () => T): T {
  return reusing.off(() => withoutInterning(() => withoutFlowReuse(() => withoutPlacementReuse(f))));
}

/** The charts of one synth: what it may reuse from the last synth with the same registry, and what it keeps. */
export class ChartReuse {
  /** The model with the fleet's bulk hidden: build a chart from this first. */
  public readonly view: StackModel;
  private readonly key: string | undefined;
  private readonly previous: ChartMemo | undefined;
  private readonly charts = new Map<string, ReadonlyArray<KubeObject>>();
  private readonly bound = new Set<string>();
  private reused = 0;

  /**
   * `disk`: the charts file of the output folder's cache (only for the registry whose code its key covers, the
   * components' own): read when this process has no charts of the same key, and given this synth's charts.
   * @default - none: reuse in this process only
   */
  constructor(
    model: StackModel,
    private readonly registry: object,
    private readonly disk?: ChartDiskCache,
  ) {
    this.view = bulkFreeView(model);
    const key = reusing.on ? viewKey(this.view) : undefined;
    this.key = key === undefined ? undefined : `${process.env.CDK8S_DISABLE_SORT ?? ''}\0${key}`;
    const inProcess = last !== undefined && last.registry === registry && last.memo.key === this.key ? last.memo : undefined;
    // The last synth's charts of this registry that this one cannot use go now, not at close(): a collection before
    // the build (lib/synth/manifests.ts) then frees them.
    if (inProcess === undefined && this.key !== undefined && last?.registry === registry) last = undefined;
    this.previous = inProcess ?? (this.key === undefined ? undefined : disk?.load(this.key));
  }

  /** Whether the last synth's charts are there to reuse (in this process or from the charts file). */
  public get warm(): boolean {
    return this.previous !== undefined;
  }

  /** Whether the view has a key (else every chart is built from the model, and nothing is kept). */
  public get enabled(): boolean {
    return this.key !== undefined;
  }

  /** The chart's objects from the last synth, when its inputs are the same. */
  public reuse(chart: string): ReadonlyArray<KubeObject> | undefined {
    const objects = this.previous?.charts.get(chart);
    if (objects === undefined) return undefined;
    this.reused++;
    this.charts.set(chart, objects);
    return objects;
  }

  /** Whether the last synth, with the same inputs, found the chart bulk-bound (so it is again). */
  public knownBound(chart: string): boolean {
    return this.previous?.bound.has(chart) ?? false;
  }

  /** A chart built from the view: its objects are frozen and kept for the next synth. */
  public keep(chart: string, objects: ReadonlyArray<KubeObject>): ReadonlyArray<KubeObject> {
    this.charts.set(chart, deepFreeze(objects));
    return objects;
  }

  /** A chart that read the bulk. */
  public markBound(chart: string): void {
    this.bound.add(chart);
  }

  /** Every chart was built: keep them for the next synth (nothing is kept for a view without a key). */
  public close(): void {
    lastStats = { reused: this.reused, built: this.charts.size - this.reused, bound: this.bound.size };
    const memo = this.key === undefined ? undefined : { key: this.key, charts: this.charts, bound: this.bound };
    last = memo === undefined ? undefined : { registry: this.registry, memo };
    if (memo !== undefined) this.disk?.remember(memo);
  }
}
