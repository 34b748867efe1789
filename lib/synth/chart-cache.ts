import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { packageVersions, sourceDigest } from '../core/code-digest';
import { deepFreeze } from '../core/freeze';
import { jsonExact } from '../core/object-digest';
import { readCacheFile, writeCacheLines } from '../validate/cache';
import type { ChartMemo } from './chart-reuse';
import { KubeObject } from './kube-object';

/**
 * The charts of the last synth into an output folder, kept on disk beside its other caches
 * (`.edgewatt.cache/<out>/charts.json`), so that `edgewatt synth` — a process of its own, which has no charts in
 * memory from the synth before — reuses the charts whose inputs did not change (lib/synth/chart-reuse.ts): at
 * 100,000 devices, all but the fleet's and the hub's monitoring chart, ~16,000 cdk8s objects.
 *
 * Soundness: the file is read only under the same key, which covers what a chart is a function of: the view's key
 * (ChartReuse: everything a bulk-free chart can read) and the code that builds charts (every source file of lib/
 * and charts/, and the versions of the packages charts are built with). The objects read are then treated like
 * any built object: each is sized, digested, rendered and checked by every gate (the validation cache skips the
 * per-object checks only for an object whose exact content passed before, so an object changed in the file is
 * checked again). A missing, unreadable or other-key file is no cache. Only charts whose objects are exactly JSON
 * (jsonExact) are written, so an object read back is the object built.
 */

/** Bump when what is stored changes meaning without a change to any source file. */
const FORMAT = 1;

/** The packages whose code builds chart objects. */
const CHART_PACKAGES = ['cdk8s', 'cdk8s-plus-27', 'constructs', '@grafana/grafana-foundation-sdk', 'yaml', 'js-yaml', '@prometheus-io/lezer-promql', '@lezer/lr'];

let code: string | null | undefined;

/**
 * The code that builds charts, as one digest (computed once per process); null when its source folders cannot be
 * read (edgewatt bundled into one file, say): then no charts file is read or written.
 */
export function chartCodeKey(): string | null {
  if (code !== undefined) return code;
  try {
    code = createHash('sha256')
      .update(`lib ${sourceDigest(path.resolve(__dirname, '..'))}\0charts ${sourceDigest(path.resolve(__dirname, '..', '..', 'charts'))}\0deps ${packageVersions(CHART_PACKAGES, __dirname)}`)
      .digest('hex');
  } catch {
    code = null;
  }
  return code;
}

/** The charts file of an output folder's cache folder; see the module comment. */
export class ChartDiskCache {
  private readonly file: string;
  /** The key the file on disk is stored under (read once; null: no usable file). */
  private stored: string | null | undefined;
  private pending: { readonly key: string; readonly memo: ChartMemo } | undefined;

  /** `dir`: the cache folder (synthToDir's validationCache). `code`: the code's key (null: none). @default chartCodeKey() */
  public constructor(
    dir: string,
    private readonly code: string | null = chartCodeKey(),
  ) {
    this.file = path.join(dir, 'charts.json');
  }

  /** The key a memo is stored under: its own key (view and environment) and the code's. */
  private storedKey(memoKey: string): string {
    return createHash('sha256').update(`format ${FORMAT}\0code ${this.code}\0view ${memoKey}`).digest('hex');
  }

  /** The file's key, from its first line (the rest is not read). */
  private storedOnDisk(): string | null {
    if (this.stored !== undefined) return this.stored;
    this.stored = null;
    let fd: number | undefined;
    try {
      if (!fs.statSync(this.file).isFile()) return null;
      fd = fs.openSync(this.file, 'r');
      const head = Buffer.alloc(256);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      const line = head.subarray(0, n).toString('utf8').split('\n')[0];
      const key = (JSON.parse(line) as { key?: unknown }).key;
      if (typeof key === 'string') this.stored = key;
    } catch {
      /* no file, or not ours: no cache */
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    return this.stored;
  }

  /** The charts stored for `memoKey`, frozen; undefined when there are none. */
  public load(memoKey: string): ChartMemo | undefined {
    if (this.code === null || this.storedOnDisk() !== this.storedKey(memoKey)) return undefined;
    try {
      const lines = readCacheFile(this.file).split('\n');
      if ((JSON.parse(lines[0]) as { key?: unknown }).key !== this.storedKey(memoKey)) return undefined;
      const bound = JSON.parse(lines[1]) as unknown;
      if (!Array.isArray(bound) || !bound.every((b) => typeof b === 'string')) return undefined;
      const charts = new Map<string, ReadonlyArray<KubeObject>>();
      for (const line of lines.slice(2)) {
        if (line === '') continue;
        const [id, objects] = JSON.parse(line) as [unknown, unknown];
        if (typeof id !== 'string' || !Array.isArray(objects) || !objects.every(isObject)) return undefined;
        charts.set(id, deepFreeze(objects as KubeObject[]));
      }
      return { key: memoKey, charts, bound: new Set(bound as string[]) };
    } catch {
      return undefined;
    }
  }

  /** This synth's charts, written by save() unless the file holds the charts of the same key already. */
  public keep(memo: ChartMemo): void {
    this.pending = this.code === null || this.storedOnDisk() === this.storedKey(memo.key) ? undefined : { key: this.storedKey(memo.key), memo };
  }

  /**
   * Writes the kept charts (synthToDir calls it after its commit), a line at a time (writeCacheLines: one chart's
   * JSON in memory at once, not the whole file); a failure to write is ignored (the file is a shortcut only).
   */
  public save(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    const { bound, charts } = pending.memo;
    try {
      writeCacheLines(
        this.file,
        (function* () {
          yield JSON.stringify({ key: pending.key });
          yield JSON.stringify([...bound].sort());
          for (const id of [...charts.keys()].sort()) {
            const objects = charts.get(id) as ReadonlyArray<KubeObject>;
            if (objects.every(jsonExact)) yield JSON.stringify([id, objects]);
          }
        })(),
      );
      this.stored = pending.key;
    } catch {
      /* a read-only or odd place: the next process builds every chart */
    }
  }
}

function isObject(o: unknown): boolean {
  return typeof o === 'object' && o !== null && !Array.isArray(o);
}
