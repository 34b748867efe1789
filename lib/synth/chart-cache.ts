import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageVersions, sourceDigest } from '../core/code-digest';
import { deepFreeze } from '../core/freeze';
import { digestHex } from '../core/hash';
import { jsonExact } from '../core/object-digest';
import { readCacheFile, writeCacheLines } from '../validate/cache-files';
import type { KeptChart } from './chart-reuse';
import { ReadTracker, readsFromText, readsToText } from './read-record';
import { KubeObject } from './kube-object';

/**
 * The charts of the last synth into an output folder, kept on disk beside its other caches
 * (`.edgewatt.cache/<out>/charts.json`), so that `edgewatt synth` — a process of its own, which has no charts in
 * memory from the synth before — reuses the charts none of whose reads changed (lib/synth/chart-reuse.ts): at
 * 100,000 devices, after a device changed, all but the fleet's and the hub's monitoring chart, ~16,000 cdk8s
 * objects; after an IoMT pipeline changed, all but those and the charts that read the pipeline.
 *
 * The file holds the read tracker (lib/synth/read-record.ts: every read's path and the token it saw in the synth
 * that wrote the file), and each chart with its reads and its objects (a bulk-bound chart: its reads only). A new
 * process reads the tracker back, reads every path again in its own view, and reuses the charts none of whose reads
 * changed, as in one process.
 *
 * Soundness: the file is read only under the same key, which covers the code that builds charts (every source file of
 * lib/ and charts/ as loaded, the versions of the packages charts are built with, and Node's), the one setting of the
 * environment that changes a chart's output, and the byte order of the read ids. Each line carries the digest of its
 * text, the tracker must be as the tracker writes it, and the objects must look like Kubernetes objects: a file
 * changed by accident (a bit flip, a hand edit) is no cache, like a missing, unreadable or other-key one. Objects read
 * are then sized, digested, rendered and checked by every gate like built ones (the validation cache skips the
 * per-object checks only for an object whose exact content passed before). A synth that read charts from the file
 * and then fails removes the file, so a bad file cannot fail synth after synth. Like render.json (YAML bodies by
 * digest), the cache folder is trusted not to be rewritten on purpose: a deliberately forged, valid file is used.
 * Only charts whose objects are exactly JSON (jsonExact) are written, so an object read back is the object built.
 */

/** Bump when what is stored changes meaning without a change to any source file. */
const FORMAT = 3;

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

/** sha256 of a text, hex (the one-shot digest: one per chart line). */
const sha256 = (text: string): string => digestHex('sha256', text);

/** Whether `o` has what every Kubernetes object has: a kind, an apiVersion and a metadata name. */
function looksLikeObject(o: unknown): o is KubeObject {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const { apiVersion, kind, metadata } = o as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  return typeof apiVersion === 'string' && typeof kind === 'string' && typeof metadata === 'object' && metadata !== null && typeof metadata.name === 'string';
}

/** What a charts file gives: the tracker of the synth that wrote it, and its charts (lib/synth/chart-reuse.ts). */
export interface ChartFile {
  readonly tracker: ReadTracker;
  readonly charts: ReadonlyMap<string, KeptChart>;
}

/** The charts file of an output folder's cache folder; see the module comment. */
export class ChartDiskCache {
  private readonly file: string;
  /** The key the file on disk is stored under (read once; null: no usable file). */
  private stored: string | null | undefined;
  private pending: { readonly key: string; readonly memo: ChartFile } | undefined;
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

  /** The key the charts of a synth in the environment `env` are stored under. */
  private storedKey(env: string): string {
    return sha256(`format ${FORMAT}\0code ${this.code}\0env ${env}\0${os.endianness()}`);
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
   * The tracker and charts stored for the environment `env` (objects frozen); undefined when there are none, or
   * when any line is not as written (its digest, the tracker, its reads, its objects' shape), or names a chart twice.
   * `accessorOk`: the tracker's (ReadTracker).
   */
  public load(env: string, accessorOk: (get: unknown) => boolean): ChartFile | undefined {
    const key = this.storedKey(env);
    if (this.code === null || this.storedOnDisk() !== key) return undefined;
    try {
      const lines = readCacheFile(this.file).split('\n');
      if ((JSON.parse(lines[0]) as { key?: unknown }).key !== key) return undefined;
      // `<sha256 of the tracker's JSON>\t<the tracker's JSON>`
      const [trackerDigest, trackerJson] = lines[1].split('\t');
      if (trackerJson === undefined || sha256(trackerJson) !== trackerDigest) return undefined;
      const tracker = ReadTracker.fromData(JSON.parse(trackerJson), accessorOk);
      if (tracker === undefined) return undefined;
      const charts = new Map<string, KeptChart>();
      for (const line of lines.slice(2)) {
        if (line === '') continue;
        // `<id as JSON>\t<sha256 of the rest>\t<its reads (readsToText)>\t<its objects' JSON, or null: bulk-bound>`
        const [id, digest, reads, json] = line.split('\t');
        if (json === undefined || sha256(`${reads}\t${json}`) !== digest) return undefined;
        const name = JSON.parse(id) as unknown;
        const ids = readsFromText(reads);
        const objects = JSON.parse(json) as unknown;
        if (typeof name !== 'string' || charts.has(name) || ids === undefined || !ids.every((r) => r >= 0 && r < tracker.size)) return undefined;
        if (objects === null) charts.set(name, { reads: ids });
        else if (Array.isArray(objects) && objects.every(looksLikeObject)) charts.set(name, { objects: deepFreeze(objects), reads: ids });
        else return undefined;
      }
      this.read = true;
      return { tracker, charts };
    } catch {
      return undefined;
    }
  }

  /**
   * This synth's tracker and charts, for save() to write: when they are not those the file holds already (`same`:
   * the synth kept exactly the charts it was given, from this file or from the last synth in this process, whose
   * save wrote them here, and made no new read), or the file holds another key's.
   */
  public remember(env: string, memo: ChartFile, same: boolean): void {
    const key = this.storedKey(env);
    this.pending = this.code === null || (same && this.storedOnDisk() === key) ? undefined : { key, memo };
  }

  /**
   * Writes the remembered tracker and charts (synthToDir calls it after its commit), a line at a time
   * (writeCacheLines: one chart's JSON in memory at once, not the whole file); a failure to write is ignored (the
   * file is a shortcut only).
   */
  public save(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    const { tracker, charts } = pending.memo;
    try {
      writeCacheLines(
        this.file,
        (function* () {
          yield JSON.stringify({ key: pending.key });
          const trackerJson = JSON.stringify(tracker.toData());
          yield `${sha256(trackerJson)}\t${trackerJson}`;
          for (const id of [...charts.keys()].sort()) {
            const { objects, reads } = charts.get(id) as KeptChart;
            if (reads === undefined || (objects !== undefined && !objects.every(jsonExact))) continue;
            const text = `${readsToText(reads)}\t${objects === undefined ? 'null' : JSON.stringify(objects)}`;
            yield `${JSON.stringify(id)}\t${sha256(text)}\t${text}`;
          }
        })(),
      );
      this.stored = pending.key;
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
    this.stored = null;
  }
}
