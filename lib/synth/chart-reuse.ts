import { forgetObjectKeys } from '../validate/duplicate-objects';
import { deepFreeze } from '../core/freeze';
import { OffSwitch } from '../core/off-switch';
import { forgetStringMemos } from '../core/memo';
import { forgetDeviceRequests } from '../fleet/flotta';
import { forgetResolvedDevices, StackModel, withoutDeviceReuse } from '../model';
import { forgetRecalledDevices, withoutRecall } from '../spec/parse';
import { forgetFlowVerdicts, withoutFlowReuse } from '../validate/flows/reuse';
import type { ChartDiskCache } from './chart-cache';
import { forgetInterned, withoutInterning } from './intern';
import { forgetPlacements, withoutPlacementReuse } from './placement-reuse';
import { KubeObject } from './kube-object';
import { ReadTracker } from './read-record';
import { ClusterModel } from '../model';

/**
 * Reuse of charts across synths in one process (the incremental synth of a library user's loop, the bench's
 * incremental figure, tests): a chart whose inputs did not change is not built again.
 *
 * What a chart reads is not declared but observed. Each synth first builds every chart from a view of the model in
 * which the fleet's bulk (its devices and workloads, in the model and in its spec: ~100,000 entries each at the
 * bench's largest tier) cannot be read, only counted: reading more than a list's length throws BulkAccess. A chart
 * that throws is bulk-bound: it is built again from the model itself, and never reused. A chart built from the view
 * is built from a read-recording model over it (lib/synth/read-record.ts), which notes every read and what it saw; a
 * later synth in which every one of those reads sees the same builds the same chart (a chart is a function of its
 * inputs: same inputs, same control flow, so again no bulk read), so its objects from the earlier synth are used as
 * they are. So a changed device rebuilds only the bulk-bound charts, and a changed IoMT pipeline only the charts that
 * read it. Values computed once for every chart of a synth (lib/core/model-memo.ts) count their reads for every
 * chart that takes them.
 *
 * A chart that read anything but plain data (a Map, a class instance, a function, a getter of its own) is not kept.
 * Reused objects are frozen, so what a caller does with a synth's objects cannot change the next synth's. The
 * registry is compared by identity, not content: a component definition, or a constant a chart reads (VERSIONS,
 * say), changed in place between two synths of one process is not seen; call forgetCharts.
 *
 * The charts file of an output folder (lib/synth/chart-cache.ts) holds the charts with what they read, and the tracker:
 * a new process reuses them as the next synth in this process would.
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

/** The fleet's fields that are per device (the view hides them); everything else a chart may read. */
export const FLEET_BULK_FIELDS = ['devices', 'workloads'] as const;

/** The getters hideBulk defines: the only accessors whose values a chart's reads may compare. */
const bulkGetters = new WeakSet<object>();

/**
 * A stand-in for a hidden list: its length can be read (`devices.length > 0` is a fact of the view, and a read);
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
    bulkGetters.add(get);
    Object.defineProperty(view, field, { enumerable: true, get });
  }
  return view;
}

/** The model with the fleet's bulk hidden, in the model and in its spec (see the module comment). */
export function bulkFreeView(model: StackModel): StackModel {
  return { ...model, fleet: hideBulk(model.fleet), spec: { ...model.spec, fleet: hideBulk(model.spec.fleet) } };
}

/**
 * A chart of the last synth: its objects (none: it was built from the model), and what it read
 * (lib/synth/read-record.ts).
 */
export interface KeptChart {
  readonly objects?: ReadonlyArray<KubeObject>;
  readonly reads: Int32Array;
}

/** Reads a tracker may gain beyond twice its size after its last compaction before it is compacted (ChartReuse.close). */
const COMPACT_SLACK = 10_000;

/**
 * The last synth's charts and the registry it built them with (a registry is a list of components, code: a synth
 * with another registry reuses nothing), with the reads they made. Held until the next synth or forgetCharts.
 */
let last:
  | { readonly registry: object; readonly env: string; readonly tracker: ReadTracker; readonly charts: ReadonlyMap<string, KeptChart> }
  | undefined;

/** How many charts the last synth in this process reused, built from the view, and built from the model. */
export interface ChartReuseStats {
  readonly reused: number;
  readonly built: number;
  readonly bound: number;
}
let lastStats: ChartReuseStats = { reused: 0, built: 0, bound: 0 };

/** How many reads the tracker kept from the last synth in this process knows (for tests). */
export function trackedReads(): number {
  return last?.tracker.size ?? 0;
}

/** What the last synthesizeManifests in this process reused (for the bench and tests). */
export function chartReuseStats(): ChartReuseStats {
  return lastStats;
}

/**
 * Forgets the last synth's charts, the device registration requests kept with them (lib/fleet/flotta.ts
 * EdgeDeviceSignedRequests.toJson), the per-name hashes (lib/core/memo.ts), the flow verdicts
 * (lib/validate/flows/reuse.ts), the interned objects (lib/synth/intern.ts) and the folders' placements
 * (lib/synth/placement-reuse.ts) and the parsed and resolved devices (lib/spec/parse.ts parseStackRecalling, lib/model/
 * resolved-devices.ts): the next synth reads, builds, places, renders, hashes and checks everything (except the
 * charts it reads from an output folder's charts file, lib/synth/chart-cache.ts, as a new process does), and their
 * memory can go.
 */
export function forgetCharts(): void {
  last = undefined;
  forgetRecalledDevices();
  forgetResolvedDevices();
  forgetDeviceRequests();
  forgetStringMemos();
  forgetFlowVerdicts();
  forgetObjectKeys();
  forgetInterned();
  forgetPlacements();
}

const reusing = new OffSwitch();

/**
 * Runs `f` with no chart built from the view, kept or reused: every chart built from the model, no Argo CD object
 * swapped for a kept one (lib/synth/intern.ts), every flow checked (lib/validate/flows/reuse.ts), every folder placed
 * anew (lib/synth/placement-reuse.ts) and every device read and resolved anew (parseStackRecalling, resolvedDevices): a
 * reference synth.
 */
export function withoutChartReuse<T>(f: () => T): T {
  return reusing.off(() => withoutInterning(() => withoutFlowReuse(() => withoutPlacementReuse(() => withoutRecall(() => withoutDeviceReuse(f))))));
}

/** The charts of one synth: what it may reuse from the last synth with the same registry, and what it keeps. */
export class ChartReuse {
  /** The model with the fleet's bulk hidden (charts are built from read-recording models over it first). */
  private readonly view: StackModel;
  /** Whether charts are reused and kept at all (not in withoutChartReuse). */
  public readonly enabled: boolean;
  private readonly env = process.env.CDK8S_DISABLE_SORT ?? '';
  private readonly tracker: ReadTracker | undefined;
  /** How many reads the tracker knew before this synth's builds. */
  private readonly known: number = 0;
  /** Which of the tracker's reads see another value than in the last synth. */
  private readonly changed: Uint8Array = new Uint8Array(0);
  /** The last synth's charts whose inputs are unchanged: the only ones reuse, knownBound and markBound look up. */
  private readonly previous: ReadonlyMap<string, KeptChart> | undefined;
  /** How many charts the last synth kept, changed or not (close: whether this synth kept exactly those). */
  private readonly previousSize: number = 0;
  private readonly charts = new Map<string, KeptChart>();
  private reused = 0;
  private built = 0;
  private bound = 0;

  /**
   * `disk`: the charts file of the output folder's cache (only for the registry whose code its key covers, the
   * components' own): read when this process has no charts of this registry, and given this synth's charts.
   * @default - none: reuse in this process only
   */
  constructor(
    model: StackModel,
    private readonly registry: object,
    private readonly disk?: ChartDiskCache,
  ) {
    this.view = bulkFreeView(model);
    this.enabled = reusing.on;
    if (!this.enabled) return;
    const inProcess = last !== undefined && last.registry === registry && last.env === this.env ? last : undefined;
    // The last synth's charts of this registry that this one cannot use go now, not at close(): a collection before
    // the build (lib/synth/manifests.ts) then frees them.
    // This synth owns the last synth's tracker now (refresh rewrites its tokens): should it fail before close(), the
    // next synth must not check the last synth's charts against this synth's tokens.
    if (last?.registry === registry) last = undefined;
    const accessorOk = (get: unknown) => bulkGetters.has(get as object);
    const file = inProcess === undefined ? disk?.load(this.env, accessorOk) : undefined;
    this.tracker = inProcess?.tracker ?? file?.tracker ?? new ReadTracker(accessorOk);
    this.changed = this.tracker.refresh(this.view);
    this.known = this.tracker.size;
    const all = inProcess?.charts ?? file?.charts;
    this.previousSize = all?.size ?? 0;
    // The charts whose inputs changed go now, not at close(): their objects (from the charts file, every cluster's
    // ~16,000 at 100,000 devices when the stack was renamed) are not held through the build, and with none left the
    // build is a cold one (warm: false), which collects first (lib/synth/manifests.ts).
    this.previous = all === undefined ? undefined : new Map([...all].filter(([, kept]) => !ReadTracker.anyChanged(kept.reads, this.changed)));
  }

  /** Whether any of the last synth's charts is there to reuse (in this process or from the charts file): its inputs are unchanged. */
  public get warm(): boolean {
    return (this.previous?.size ?? 0) > 0;
  }

  /** The chart's objects from the last synth, when its inputs are the same. */
  public reuse(chart: string): ReadonlyArray<KubeObject> | undefined {
    const kept = this.previous?.get(chart);
    if (kept?.objects === undefined) return undefined;
    this.reused++;
    this.charts.set(chart, kept);
    return kept.objects;
  }

  /** Whether the last synth, with the same inputs, found the chart bulk-bound (so it is again). */
  public knownBound(chart: string): boolean {
    const kept = this.previous?.get(chart);
    return kept !== undefined && kept.objects === undefined;
  }

  /**
   * The chart built from a read-recording model over the view (`build` is given it, and its cluster in it); its
   * objects are frozen and kept for the next synth with what it read. Undefined when the build fails in any way
   * (it read the fleet's bulk, or it fails: build it from the model, which gives the chart, or its own error), or its
   * objects hold a part of its model.
   */
  public fromView(chart: string, cluster: string, build: (model: StackModel, cluster: ClusterModel) => KubeObject[]): ReadonlyArray<KubeObject> | undefined {
    const reads = this.tracker!.chart();
    let objects: KubeObject[] | undefined;
    try {
      const model = reads.root as StackModel;
      objects = build(model, model.clusters[this.view.clusters.findIndex((c) => c.name === cluster)]);
    } catch {
      objects = undefined;
    }
    const recorded = reads.done();
    if (objects !== undefined && !frozen(objects)) objects = undefined;
    if (objects === undefined) {
      if (recorded !== undefined) this.charts.set(chart, { reads: recorded });
      return undefined;
    }
    this.built++;
    if (recorded !== undefined) this.charts.set(chart, { objects, reads: recorded });
    return objects;
  }

  /** A chart built from the model (it read the bulk). */
  public markBound(chart: string): void {
    this.bound++;
    const kept = this.previous?.get(chart);
    if (!this.charts.has(chart) && kept !== undefined && kept.objects === undefined) this.charts.set(chart, kept);
  }

  /** Every chart was built: keep them for the next synth (the view's values are let go). */
  public close(): void {
    lastStats = { reused: this.reused, built: this.built, bound: this.bound };
    if (!this.enabled || this.tracker === undefined) return;
    this.tracker.release();
    let tracker = this.tracker;
    let charts: ReadonlyMap<string, KeptChart> = this.charts;
    // The same charts as given, and no new read: what the file holds already, if it holds this registry's.
    const previous = this.previous;
    // With as many charts as the last synth kept, each one of its unchanged ones: all of them.
    let same = previous !== undefined && tracker.size === this.known && charts.size === this.previousSize && [...charts].every(([id, kept]) => previous.get(id) === kept);
    // Reads no kept chart names any more (parts of the stack renamed or gone, a shared value's old groups) would be
    // read again by every synth, and written to the charts file: past twice the reads known after the last
    // compaction, only the named ones are kept.
    if (tracker.size > 2 * tracker.baseline + COMPACT_SLACK) {
      const ids = [...charts.keys()];
      const compacted = tracker.compact(ids.map((id) => charts.get(id)!.reads));
      tracker = compacted.tracker;
      charts = new Map(ids.map((id, i) => [id, { ...charts.get(id)!, reads: compacted.lists[i] }]));
      same = false;
    }
    last = { registry: this.registry, env: this.env, tracker, charts };
    this.disk?.remember(this.env, { tracker, charts }, same);
  }
}

/**
 * Freezes a chart's objects all the way down (deepFreeze); false, and nothing is kept, when they hold a part of the
 * chart's model: its Proxies throw once the build is over (lib/synth/read-record.ts), and freezing asks them.
 */
function frozen(objects: ReadonlyArray<KubeObject>): boolean {
  try {
    deepFreeze(objects);
    return true;
  } catch {
    return false;
  }
}
