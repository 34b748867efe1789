import { Flow } from '../../core/flows';
import { jsonExact } from '../../core/object-digest';
import { OffSwitch } from '../../core/off-switch';
import { Entry, Finding } from '../types';
import { ClusterObjects, listsByCluster, recordReads, sameEntries } from './objects';
import { concatLists, isKept, Segments } from '../segments';
import { FlowVerdictStore, forgetKnownFlowFiles, StoredVerdict } from './store';

/**
 * Flow verdicts kept from one evaluation to the next in a process (a library user's loop, the bench's incremental
 * synth). A flow's checks see the objects only through FlowContext.cluster, which records each cluster asked for
 * and what it got (FlowContext.reads). So a flow whose every read cluster is the same as last time gets last time's
 * verdict: the same flow (the same JSON), the same output root, and clusters whose entries are, one for one, the
 * same object under the same file name. A flow that read a cluster whose entries changed gets it too when the parts it
 * read of that cluster (the objects of each kind it looked up, the pod templates: recordReads in objects.ts) are the
 * same objects under the same files: at 100,000 devices a changed device changes only the hub's registration
 * requests, which no flow reads, and the ~1,200 flows that read the hub are no longer checked again for it.
 *
 * Only clusters whose objects are all frozen are kept: a synth reuses frozen objects (lib/synth/chart-reuse.ts,
 * lib/fleet/flotta.ts), and a frozen object does not change under the same identity. Entries read from files (the
 * `flows` and `validate` commands) are not frozen, so nothing of theirs is kept. At 100,000 devices and 200
 * clusters, 2,189 of the 3,409 flows read one site cluster each (~0.13-0.18 s of the gate); the hub, whose fleet
 * folder changes with any device, is evaluated again.
 */

interface KeptCluster {
  /** The cluster's entries as consecutive lists (a synth's folders: listsByCluster). */
  readonly lists: ReadonlyArray<ReadonlyArray<Entry>>;
  readonly objects: ClusterObjects;
}

/**
 * Whether two clusters' lists hold, one for one, the same entries: list by list when their lists are as long (a synth's
 * folders, of which a re-synth changes few: only a changed list's entries are compared), else entry by entry.
 */
function sameLists(a: ReadonlyArray<ReadonlyArray<Entry>>, b: ReadonlyArray<ReadonlyArray<Entry>>): boolean {
  if (a.length === b.length && a.every((list, i) => list.length === b[i].length)) return a.every((list, i) => list === b[i] || sameEntries(list, b[i]));
  let n = 0;
  for (const list of a) n -= list.length;
  for (const list of b) n += list.length;
  return n === 0 && sameEntries(concatLists(a), concatLists(b));
}
/** A cluster a flow asked for: what it got (undefined: no such cluster), and the parts of it the checks read. */
interface ClusterRead {
  readonly objects: ClusterObjects | undefined;
  readonly parts: ReadonlySet<string>;
}
interface KeptVerdict {
  readonly reads: ReadonlyMap<string, ClusterRead>;
  readonly findings: ReadonlyArray<Finding>;
}
const NO_PARTS: ReadonlySet<string> = new Set();
/**
 * The verdict put in the store for a kept verdict, as made of the clusters it read (close, or the store's own): given
 * again while the verdict is reused with the same clusters, so the store meets the object it holds and neither its
 * part digests nor its line are made again (~50 ms of 3,409 verdicts at the end of a re-synth at 100,000 devices).
 */
const storedOf = new WeakMap<KeptVerdict, StoredVerdict>();

/**
 * Whether two verdicts' reads are of the same clusters, each read as the same objects (or as missing) in the same parts
 * (a guard: where close() asks, the reads are one map, or the kept verdict's with this evaluation's same clusters).
 */
function sameClusters(a: ReadonlyMap<string, ClusterRead>, b: ReadonlyMap<string, ClusterRead>): boolean {
  if (a === b) return true;
  return a.size === b.size && [...a].every(([name, read]) => {
    const other = b.get(name);
    return other !== undefined && other.objects === read.objects && other.parts === read.parts;
  });
}
let last: { readonly root: string; readonly clusters: ReadonlyMap<string, KeptCluster>; readonly verdicts: ReadonlyMap<string, KeptVerdict> } | undefined;

/** How many flows the last evaluation took from the one before, and how many it checked. */
export interface FlowReuseStats {
  readonly reused: number;
  readonly evaluated: number;
}
let lastStats: FlowReuseStats = { reused: 0, evaluated: 0 };

/** What the last evaluateFlows in this process reused (for the bench and tests). */
export function flowReuseStats(): FlowReuseStats {
  return lastStats;
}

/**
 * Forgets the kept verdicts and clusters, and what this process knows of flows.json files: the next evaluation checks
 * every flow (or takes a file's verdicts after reading it), and their memory can go.
 */
export function forgetFlowVerdicts(): void {
  last = undefined;
  forgetKnownFlowFiles();
}

const reusing = new OffSwitch();

/**
 * Runs `f` with every flow checked from nothing, and nothing kept or let go (a reference evaluation: the evaluation
 * after it still meets what the one before it kept).
 */
export function withoutFlowReuse<T>(f: () => T): T {
  return reusing.off(f);
}

/** One evaluation's clusters and verdicts: what it takes from the last evaluation, and what it keeps for the next. */
export class FlowReuse {
  /** Each cluster's objects: last time's, when its entries are the same, else indexed anew. */
  public readonly clusters = new Map<string, ClusterObjects>();
  /** The last evaluation's verdicts (its clusters are compared here and let go: only this one's are held). */
  private readonly previous: ReadonlyMap<string, KeptVerdict> | undefined;
  private readonly kept = new Map<string, KeptCluster>();
  private readonly verdicts = new Map<string, KeptVerdict>();
  private reused = 0;
  private evaluated = 0;
  /** Each earlier cluster's parts found the same in this evaluation's cluster of its name, or not (sameAs, once each). */
  private readonly same = new Map<ClusterObjects, Map<string, boolean>>();
  /**
   * Every verdict of this evaluation with a key, for the store: as got from it, as put in it before (storedOf: reused with
   * the same clusters), or with the clusters it read.
   */
  private readonly stored = new Map<string, StoredVerdict | { readonly reads: ReadonlyMap<string, ClusterRead>; readonly findings: ReadonlyArray<Finding> }>();

  /**
   * `store`: verdicts kept on disk (store.ts), given to a flow whose every part read holds the same content under the
   * same files, when this process keeps none for it; this evaluation's verdicts are put there. @default none
   */
  constructor(
    entries: ReadonlyArray<Entry>,
    private readonly root: string,
    private readonly store?: FlowVerdictStore,
    /** The entries as consecutive lists (lib/validate/segments.ts). @default - one list, the entries */
    segments: Segments = [entries],
  ) {
    const previous = reusing.on && last?.root === root ? last : undefined;
    if (reusing.on) last = undefined;
    this.previous = previous?.verdicts;
    for (const [cluster, lists] of listsByCluster(segments)) {
      const before = previous?.clusters.get(cluster);
      const objects = before !== undefined && sameLists(before.lists, lists) ? before.objects : ClusterObjects.of(cluster, lists);
      this.clusters.set(cluster, objects);
      // Last time's objects come from a kept cluster, all frozen: only a cluster indexed anew is looked through.
      if (reusing.on && (objects === before?.objects || lists.every((l) => isKept(l) || l.every((e) => Object.isFrozen(e.object))))) this.kept.set(cluster, { lists, objects });
    }
  }

  /**
   * The findings of `flow`: last time's when it read the same clusters, else `evaluate`'s (which reports the clusters
   * it read). A flow that is not exactly JSON (jsonExact) is always evaluated.
   */
  public findings(flow: Flow, evaluate: () => { reads: ReadonlyMap<string, ClusterObjects | undefined>; findings: Finding[] }): ReadonlyArray<Finding> {
    const key = jsonExact(flow) ? JSON.stringify(flow) : undefined;
    const before = key === undefined ? undefined : this.previous?.get(key);
    if (before !== undefined && [...before.reads].every(([name, read]) => this.unchanged(name, read))) {
      // Kept as it is when it read this evaluation's own clusters (kept ones: last time's, all frozen); else with this
      // evaluation's clusters (the same in every part it read), so no older cluster is held.
      // The reads with this evaluation's clusters are made only when something needs them (most flows read only kept clusters).
      const same = [...before.reads].every(([name, read]) => this.clusters.get(name) === read.objects);
      const storedBefore = same && this.store ? storedOf.get(before) : undefined;
      const reads = (same && !this.store) || storedBefore ? undefined : new Map([...before.reads].map(([name, read]) => [name, { objects: this.clusters.get(name), parts: read.parts }]));
      if (same) this.verdicts.set(key!, before);
      else this.keep(key!, reads!, before.findings);
      if (this.store) this.stored.set(key!, storedBefore ?? { reads: reads!, findings: before.findings });
      this.reused++;
      return before.findings;
    }
    const kept = key === undefined || !reusing.on ? undefined : this.store?.get(this.root, key);
    if (kept !== undefined && kept.reads.every(([name, parts]) => this.holds(name, parts))) {
      const findings = Object.freeze(kept.findings.map((f) => Object.freeze({ ...f })));
      this.keep(key!, new Map(kept.reads.map(([name, parts]) => [name, { objects: this.clusters.get(name), parts: new Set((parts ?? []).map(([token]) => token)) }])), findings);
      const verdict = this.verdicts.get(key!);
      if (verdict !== undefined) storedOf.set(verdict, kept);
      this.stored.set(key!, kept);
      this.reused++;
      return findings;
    }
    const { value, reads: parts } = recordReads(evaluate);
    this.evaluated++;
    if (key !== undefined) {
      const reads = new Map([...value.reads].map(([name, objects]) => [name, { objects, parts: (objects && parts.get(objects)) ?? NO_PARTS }]));
      const findings = Object.freeze(value.findings.map((f) => Object.freeze({ ...f })));
      this.keep(key, reads, findings);
      if (this.store) this.stored.set(key, { reads, findings });
    }
    return value.findings;
  }

  /**
   * Whether cluster `name` of this evaluation holds what a stored verdict read: no cluster (null), or each part's digest,
   * taken only of a cluster whose objects are all frozen (kept): a digest is memoized per object, so an object changed
   * in place would keep its old one.
   */
  private holds(name: string, parts: StoredVerdict['reads'][number][1]): boolean {
    const now = this.clusters.get(name);
    if (parts === null) return now === undefined;
    return now !== undefined && this.kept.get(name)?.objects === now && parts.every(([token, digest]) => now.partDigest(token) === digest);
  }

  /** Whether the cluster `name` of this evaluation gives what `read` got, in every part read. */
  private unchanged(name: string, read: ClusterRead): boolean {
    const now = this.clusters.get(name);
    if (now === read.objects) return true;
    if (now === undefined || read.objects === undefined) return false;
    let known = this.same.get(read.objects);
    if (!known) this.same.set(read.objects, (known = new Map()));
    for (const part of read.parts) {
      let same = known.get(part);
      if (same === undefined) known.set(part, (same = read.objects.sameAs(now, part)));
      if (!same) return false;
    }
    return true;
  }

  /** Keeps a verdict for the next evaluation when it can match it: every cluster it read is kept (or was missing). */
  private keep(key: string, reads: ReadonlyMap<string, ClusterRead>, findings: ReadonlyArray<Finding>): void {
    if ([...reads].every(([name, { objects }]) => objects === undefined || this.kept.get(name)?.objects === objects)) this.verdicts.set(key, { reads, findings });
  }

  /** Keeps this evaluation's frozen clusters and their verdicts for the next one (drops the last one's). */
  public close(): void {
    lastStats = { reused: this.reused, evaluated: this.evaluated };
    if (this.store && reusing.on) {
      const frozen = new Set([...this.kept.values()].map((k) => k.objects));
      const toStore = new Map<string, StoredVerdict>();
      for (const [key, v] of this.stored) {
        if (!(v.reads instanceof Map)) toStore.set(key, v as StoredVerdict);
        else {
          // Only a verdict whose clusters are all frozen (see holds).
          if (![...(v.reads as ReadonlyMap<string, ClusterRead>).values()].every(({ objects }) => objects === undefined || frozen.has(objects))) continue;
          const reads = [...(v.reads as ReadonlyMap<string, ClusterRead>)].map(([name, { objects, parts }]) => [name, objects === undefined ? null : [...parts].sort().map((t) => [t, objects.partDigest(t)] as const)] as const);
          const stored: StoredVerdict = { reads, findings: v.findings };
          toStore.set(key, stored);
          // Kept for the next evaluation with the same clusters: it is given again while they stay (storedOf).
          const verdict = this.verdicts.get(key);
          if (verdict !== undefined && sameClusters(verdict.reads, v.reads as ReadonlyMap<string, ClusterRead>)) storedOf.set(verdict, stored);
        }
      }
      this.store.put(this.root, toStore);
    }
    if (reusing.on) last = this.kept.size > 0 ? { root: this.root, clusters: this.kept, verdicts: this.verdicts } : undefined;
  }
}
