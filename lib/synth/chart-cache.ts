import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { packageVersions, sourceDigest } from '../core/code-digest';
import { deepFreeze } from '../core/freeze';
import { digestBytes } from '../core/hash';
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
 * and charts/ as loaded, the versions of the packages charts are built with, and Node's). Each chart's line carries
 * the digest of its JSON text, and its objects must look like Kubernetes objects: a file changed by accident (a bit
 * flip, a hand edit) is no cache, like a missing, unreadable or other-key one. Objects read are then sized,
 * digested, rendered and checked by every gate like built ones (the validation cache skips the per-object checks
 * only for an object whose exact content passed before). A synth that read charts from the file and then fails
 * removes the file, so a bad file cannot fail synth after synth. Like render.json (YAML bodies by digest), the
 * cache folder is trusted not to be rewritten on purpose: a deliberately forged, valid file is used. Only charts
 * whose objects are exactly JSON (jsonExact) are written, so an object read back is the object built.
 */

/** Bump when what is stored changes meaning without a change to any source file. */
const FORMAT = 2;

/** The packages whose code builds chart objects. */
const CHART_PACKAGES = ['cdk8s', 'cdk8s-plus-27', 'constructs', '@grafana/grafana-foundation-sdk', 'yaml'];

/**
 * The code that builds charts, as one digest; null when its source folders cannot be read (edgewatt bundled into
 * one file, say): then no charts file is read or written. Taken when this module loads, with the code it runs
 * (files replaced afterwards, by a build or an install under a running process, do not make its charts pass for
 * theirs).
 */
function codeKey(): string | null {
  try {
    return createHash('sha256')
      .update(`lib ${sourceDigest(path.resolve(__dirname, '..'))}\0charts ${sourceDigest(path.resolve(__dirname, '..', '..', 'charts'))}`)
      .update(`\0deps ${packageVersions(CHART_PACKAGES, __dirname)}\0node ${process.versions.node}`)
      .digest('hex');
  } catch {
    return null;
  }
}
const CODE_KEY = codeKey();

/** The code's key this process runs (see codeKey). */
export function chartCodeKey(): string | null {
  return CODE_KEY;
}

/** sha256 of a text, hex (the one-shot digestBytes: one per chart line). */
const sha256 = (text: string): string => digestBytes('sha256', text).toString('hex');

/** Whether `o` has what every Kubernetes object has: a kind, an apiVersion and a metadata name. */
function looksLikeObject(o: unknown): o is KubeObject {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const { apiVersion, kind, metadata } = o as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  return typeof apiVersion === 'string' && typeof kind === 'string' && typeof metadata === 'object' && metadata !== null && typeof metadata.name === 'string';
}

/** The charts file of an output folder's cache folder; see the module comment. */
export class ChartDiskCache {
  private readonly file: string;
  /** The key the file on disk is stored under (read once; null: no usable file). */
  private stored: string | null | undefined;
  /** The key of the memo last asked for (its view key is ~1 MB at 100,000 devices: hashed once). */
  private last: { readonly memoKey: string; readonly key: string } | undefined;
  private pending: { readonly key: string; readonly memo: ChartMemo } | undefined;
  private read = false;

  /**
   * `dir`: the cache folder (synthToDir's validationCache). `code`: the key of the code that builds charts (null:
   * no file is read or written). @default chartCodeKey()
   */
  public constructor(
    dir: string,
    private readonly code: string | null = chartCodeKey(),
  ) {
    this.file = path.join(dir, 'charts.json');
  }

  /** Whether load() gave charts from the file. */
  public get used(): boolean {
    return this.read;
  }

  /** The key a memo is stored under: its own key (view and environment) and the code's. */
  private storedKey(memoKey: string): string {
    if (this.last?.memoKey !== memoKey) this.last = { memoKey, key: sha256(`format ${FORMAT}\0code ${this.code}\0view ${memoKey}`) };
    return this.last.key;
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
      const key = (JSON.parse(head.subarray(0, n).toString('utf8').split('\n')[0]) as { key?: unknown }).key;
      if (typeof key === 'string') this.stored = key;
    } catch {
      /* no file, or not ours: no cache */
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    return this.stored;
  }

  /**
   * The charts stored for `memoKey`, frozen; undefined when there are none, or when any line is not as written
   * (its digest, its objects' shape), or names a chart the file also lists as reading the devices.
   */
  public load(memoKey: string): ChartMemo | undefined {
    const key = this.storedKey(memoKey);
    if (this.code === null || this.storedOnDisk() !== key) return undefined;
    try {
      const lines = readCacheFile(this.file).split('\n');
      if ((JSON.parse(lines[0]) as { key?: unknown }).key !== key) return undefined;
      const bound = JSON.parse(lines[1]) as unknown;
      if (!Array.isArray(bound) || !bound.every((b) => typeof b === 'string')) return undefined;
      const charts = new Map<string, ReadonlyArray<KubeObject>>();
      for (const line of lines.slice(2)) {
        if (line === '') continue;
        // `<id as JSON>\t<sha256 of the objects' JSON>\t<the objects' JSON>`
        const [id, digest, json] = line.split('\t');
        if (json === undefined || sha256(json) !== digest) return undefined;
        const name = JSON.parse(id) as unknown;
        const objects = JSON.parse(json) as unknown;
        if (typeof name !== 'string' || bound.includes(name) || charts.has(name) || !Array.isArray(objects) || !objects.every(looksLikeObject)) return undefined;
        charts.set(name, deepFreeze(objects));
      }
      this.read = true;
      return { key: memoKey, charts, bound: new Set(bound as string[]) };
    } catch {
      return undefined;
    }
  }

  /** This synth's charts, for save() to write, unless the file holds the charts of the same key already. */
  public remember(memo: ChartMemo): void {
    const key = this.storedKey(memo.key);
    this.pending = this.code === null || this.storedOnDisk() === key ? undefined : { key, memo };
  }

  /**
   * Writes the remembered charts (synthToDir calls it after its commit), a line at a time (writeCacheLines: one
   * chart's JSON in memory at once, not the whole file); a failure to write is ignored (the file is a shortcut only).
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
            if (!objects.every(jsonExact)) continue;
            const json = JSON.stringify(objects);
            yield `${JSON.stringify(id)}\t${sha256(json)}\t${json}`;
          }
        })(),
      );
    } catch {
      /* a read-only or odd place: the next process builds every chart */
    }
  }

  /** Removes the file (synthToDir, when a synth that used it fails): the next synth builds every chart. */
  public discard(): void {
    try {
      fs.rmSync(this.file, { force: true });
    } catch {
      /* a folder in its place, say: load() reads nothing from it either */
    }
  }
}
