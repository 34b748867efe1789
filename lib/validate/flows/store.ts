import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { statStamp } from '../../core/file-stamp';
import { digestHex } from '../../core/hash';
import { readUtf8File } from '../../core/utf8-text';
import { Finding } from '../types';

/**
 * Flow verdicts kept on disk between processes (`.edgewatt.cache/<out>/flows.json`, beside the validation cache and
 * under its key), for `edgewatt synth`, a process of its own, which has no verdicts in memory from the synth before
 * (lib/validate/flows/reuse.ts keeps them in one process by the identity of frozen objects). On disk a verdict keeps,
 * for each cluster its flow read, the digest of each part of it the checks read (ClusterObjects.partDigest: the files
 * and the content digests of the objects of a kind, of the pod templates, the namespaces in use), so a flow whose
 * every part holds the same content under the same files gets it again; at 100,000 devices all 3,409 flows after a
 * device changed. The file's header carries the sha256 of its lines, so a file changed by accident is no store, like a
 * missing, other-key or unreadable one. Not public API.
 */

/** A flow's verdict as kept: each cluster it read with the digest of each part it read (null: no such cluster), and its findings. */
export interface StoredVerdict {
  readonly reads: ReadonlyArray<readonly [cluster: string, parts: ReadonlyArray<readonly [token: string, digest: string]> | null]>;
  readonly findings: ReadonlyArray<Finding>;
}

/** Flow verdicts of the last evaluation into an output root, by flow (its JSON). */
export interface FlowVerdictStore {
  /** The verdict kept for the flow whose JSON is `key`, evaluated under output root `root`. */
  get(root: string, key: string): StoredVerdict | undefined;
  /** This evaluation's verdicts, by flow, written by save(); when they are the ones got, nothing is written. */
  put(root: string, verdicts: ReadonlyMap<string, StoredVerdict>): void;
}

/** Bump when what is stored changes meaning without a change to any source file. */
const FORMAT = 1;

/** The file in a cache folder. */
export const FLOWS_CACHE_FILE = 'flows.json';

interface Header {
  readonly format: number;
  readonly key: string;
  readonly root: string;
  /** sha256 (hex) of everything after the header line. */
  readonly sha256: string;
}

/**
 * The store of cache folder `dir` under `key` (the validation cache's): read at the first get, written by save (a
 * temporary file renamed over it, `write`); a failure to read or write means flows are checked from nothing.
 */
export function openFlowVerdictFile(dir: string, key: string, write: (file: string, lines: Iterable<string>) => fs.Stats): FlowVerdictStore & { save(): void } {
  const file = path.join(dir, FLOWS_CACHE_FILE);
  /** What the file holds: its root, its verdicts, and the line of each. */
  let loaded: Loaded | undefined;
  let pending: { readonly root: string; readonly verdicts: ReadonlyMap<string, StoredVerdict> } | undefined;
  const load = () => (loaded ??= readKnown(file, key) ?? { root: '', verdicts: new Map(), lines: new Map() });
  return {
    get: (root, flow) => {
      const { root: was, verdicts } = load();
      return was === root ? verdicts.get(flow) : undefined;
    },
    put: (root, verdicts) => {
      pending = { root, verdicts };
    },
    save: () => {
      if (pending === undefined) return;
      const { root, verdicts } = pending;
      const was = load();
      pending = undefined;
      // Every verdict the one got from the file, and no other: the file holds them.
      const same = was.root === root && was.verdicts.size === verdicts.size;
      if (same && [...verdicts].every(([k, v]) => was.verdicts.get(k) === v)) return;
      // A verdict the file holds already (the same object as read or written) gives its line as it was (a line does not
      // name the root): a one-device change at 100,000 devices changes a few of 3,409 verdicts, and stringifying all took
      // ~50 ms at the end of a synth.
      const lines = [...verdicts].map(([k, v]) => (was.verdicts.get(k) === v ? was.lines.get(k) : undefined) ?? JSON.stringify([k, v.reads, v.findings]));
      // The same lines (verdicts made again to the same content, e.g. those of a cluster that changed in parts they did not
      // read): nothing to write.
      if (same && [...verdicts.keys()].every((k, i) => was.lines.get(k) === lines[i])) return;
      const hash = createHash('sha256');
      for (const line of lines) hash.update(line).update('\n');
      const header: Header = { format: FORMAT, key, root, sha256: hash.digest('hex') };
      try {
        const stats = write(file, [JSON.stringify(header), ...lines]);
        loaded = { root, verdicts, lines: new Map([...verdicts.keys()].map((k, i) => [k, lines[i]])) };
        known.clear();
        known.set(file, { key, stamp: statStamp(stats), loaded });
      } catch {
        /* the cache is a shortcut */
      }
    },
  };
}

interface Loaded {
  readonly root: string;
  readonly verdicts: ReadonlyMap<string, StoredVerdict>;
  readonly lines: ReadonlyMap<string, string>;
}

/**
 * The file this process read or wrote last, with its stamp then (a synth in the same process does not read it again).
 * One only: at 100,000 devices what a file holds is ~6 MiB of live heap (measured with --expose-gc), and with the
 * bench's three full synths into three folders all kept, the incremental synths after them were 0.2-0.8 s slower.
 */
const known = new Map<string, { readonly key: string; readonly stamp: string; readonly loaded: Loaded }>();

/** Forgets what this process knows of flows.json files (tests: the next open reads its file, as a new process does). */
export function forgetKnownFlowFiles(): void {
  known.clear();
}

/** What `file` (a regular file) holds under `key`: what this process last read or wrote when its stamp is as then, else read. */
function readKnown(file: string, key: string): Loaded | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return undefined;
    const now = statStamp(st);
    const last = known.get(file);
    if (last !== undefined && last.key === key && last.stamp === now) return last.loaded;
    const loaded = read(file, key);
    if (loaded !== undefined) {
      known.clear();
      known.set(file, { key, stamp: now, loaded });
    }
    return loaded;
  } catch {
    return undefined;
  }
}

function read(file: string, key: string): { root: string; verdicts: Map<string, StoredVerdict>; lines: Map<string, string> } | undefined {
  try {
    const text = readUtf8File(file);
    const nl = text.indexOf('\n');
    if (nl < 0) return undefined;
    const header = JSON.parse(text.slice(0, nl)) as Partial<Header>;
    if (header.format !== FORMAT || header.key !== key || typeof header.root !== 'string' || digestHex('sha256', text.slice(nl + 1)) !== header.sha256) return undefined;
    const verdicts = new Map<string, StoredVerdict>();
    const lines = new Map<string, string>();
    for (const line of text.slice(nl + 1).split('\n')) {
      if (line === '') continue;
      const [flow, reads, findings] = JSON.parse(line) as unknown[];
      if (typeof flow !== 'string' || !isReads(reads) || !Array.isArray(findings) || !findings.every(isFinding)) return undefined;
      verdicts.set(flow, { reads, findings });
      lines.set(flow, line);
    }
    return { root: header.root, verdicts, lines };
  } catch {
    return undefined;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';

function isReads(v: unknown): v is StoredVerdict['reads'] {
  return (
    Array.isArray(v) &&
    v.every((r) => Array.isArray(r) && r.length === 2 && isString(r[0]) && (r[1] === null || (Array.isArray(r[1]) && (r[1] as unknown[]).every((p) => Array.isArray(p) && p.length === 2 && isString(p[0]) && isString(p[1])))))
  );
}

function isFinding(v: unknown): v is Finding {
  const f = v as Partial<Finding> | null;
  return typeof f === 'object' && f !== null && isString(f.file) && isString(f.pointer) && isString(f.message);
}
