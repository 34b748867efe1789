import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { packageVersions, sourceDigest } from '../core/code-digest';
import { statStamp } from '../core/file-stamp';
import { objectDigest } from '../core/object-digest';
import { readCacheFile, writeCacheLines } from './cache-files';
import { FlowVerdictStore, openFlowVerdictFile } from './flows/store';
import { SchemaSources } from './schema-check';
import { Entry } from './types';

export { objectDigest } from '../core/object-digest';
export { CACHE_GITIGNORE, cacheTempFile, makeCacheDir, readCacheFile, removeOrphanCacheTemps, writeCacheLines } from './cache-files';

/**
 * The validation cache: the digests of objects that passed every per-object check (schema, secrets, names,
 * templates, PromQL syntax) in an earlier run, so an unchanged object is not checked again. It is one JSON file,
 * `<folder>/validation.json` (`edgewatt synth` uses `.edgewatt.cache/<out>/` beside the output folder, git-ignored).
 *
 * Soundness: an object skips the per-object checks only when the digest of its exact content is listed under the
 * same key (those checks read the object and nothing else: its file and cluster only name where a finding is), and
 * the key covers everything else the verdict depends on: the validator's
 * code (every source file of the library) and the bytes of every schema source (the
 * Kubernetes OpenAPI document and each CRD file). A changed object has another digest and is checked; a changed
 * schema or CRD set, or another edgewatt build, gives another key and an empty cache. Only passing objects are
 * recorded, so a finding is never cached. The cross-object gates (policy namespaces, wiring, metric names, Argo
 * CD, flows) run on every object: their verdict on one object depends on the others. The one exception is the flow
 * gate's verdicts kept beside the digests (`flows.json`, lib/validate/flows/store.ts, under this key and Node's
 * version): a flow gets its kept verdict only when every part of every cluster it read (the objects of a kind, the pod
 * templates, the namespaces in use) has the same digest of files and object contents, all of them frozen.
 */
export interface ValidationCache {
  /** Whether this object (digest from {@link entryDigest}) passed the per-object checks under the same key. */
  has(digest: string): boolean;
  /**
   * Sets the digests that passed in this run (validateEntries calls it); save() writes these (see save). `fresh`: a list
   * holding every one of them `has` did not list (more does no harm; one missing is not recorded, and its object is
   * checked again next time), when the caller knows it (validateEntries: the digests of the objects it checked afresh
   * that passed), so save looks up only those (a cache of the same file saved meanwhile in this process may list some),
   * not every passed digest (~50 ms of 116,000 at the end of every synth at 100,000 devices).
   * @default - found by looking every passed digest up
   */
  record(passed: ReadonlyArray<string>, fresh?: ReadonlyArray<string>): void;
  /**
   * Writes the recorded digests; a few stale ones may stay listed (staleLimit). A failure to write is ignored (the
   * cache is a shortcut).
   */
  save(): void;
  /** How many digests were loaded. */
  readonly size: number;
  /**
   * The flow gate's verdicts kept beside the digests (lib/validate/flows/store.ts: `flows.json`, under the same key),
   * written by save(). @default none
   */
  readonly flows?: FlowVerdictStore;
  /**
   * An object that stays the same only while `has` answers from digests that are only ever added to (never taken
   * out): a list of entries found all passed under it is not looked up again (validateEntries). @default none
   */
  readonly token?: object;
}

/** Bump when a per-object check changes meaning without a change to any library file (2: digests of objects, not of entries). */
const CACHE_FORMAT = 2;

/** sha256 over every library source file (lib/ or build/lib/): any change to edgewatt's code invalidates the cache. */
function libraryDigest(): string {
  return sourceDigest(path.resolve(__dirname, '..'));
}

/** The versions of the packages the per-object checks and the serializer run on (ajv, yaml, the PromQL parser). */
function dependencyVersions(): string {
  return packageVersions(['ajv', 'yaml', '@prometheus-io/lezer-promql', '@lezer/lr'], __dirname);
}

/**
 * Every file a schema source names (a CRD folder's files), sorted; undefined when one is not a regular file or a
 * folder (a device, a FIFO, a missing path): such a source is never read here — the schema loader refuses it
 * with a clear error — and the cache is not used.
 */
function sourceFiles(p: string, depth = 0): string[] | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return undefined;
  }
  if (st.isFile()) return [p];
  if (!st.isDirectory() || depth > 8) return undefined;
  const out: string[] = [];
  for (const n of fs.readdirSync(p).sort()) {
    const files = sourceFiles(path.join(p, n), depth + 1);
    if (!files) return undefined;
    out.push(...files);
  }
  return out;
}

let uncachableKeys = 0;

/**
 * A stat taken this long or longer after a file's last change vouches for its bytes (git's "racy" rule): a file
 * changed again within the clock's granularity (a few milliseconds) keeps its times, so only one whose change time is
 * at least this much older than the stat is trusted.
 */
const SETTLED_NS = 1_000_000_000n;

/**
 * The last key computed in this process, with what it read: each schema file's path, device, inode, size and
 * modification and change times (`signature`). The schemas are ~8 MB (~30 ms to hash, at the start of every synth,
 * while the render worker has nothing to do yet); the next key over the same settled files is this one.
 */
let lastKey: { readonly head: string; readonly signature: string; readonly key: string } | undefined;

/**
 * The signature of `files` (see lastKey), or undefined when one of them changed less than SETTLED_NS before `now`
 * (nanoseconds since the epoch; @default the clock's now) or cannot be read: then the files are hashed.
 */
export function settledSignature(files: ReadonlyArray<string>, now: bigint = BigInt(Date.now()) * 1_000_000n): string | undefined {
  const parts: string[] = [];
  for (const f of files) {
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(f, { bigint: true });
    } catch {
      return undefined;
    }
    if (now - st.ctimeNs < SETTLED_NS || now - st.mtimeNs < SETTLED_NS) return undefined;
    parts.push(`${path.resolve(f)}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`);
  }
  return parts.join('\n');
}

/**
 * The key a cache is valid under: cache format, library code, dependency versions, and the bytes of every schema
 * source. Schema sources that are not regular files (or folders of them) give a key no cache file holds. In one
 * process, the files are read again only when one of them changed (or changed too recently to tell: lastKey).
 */
export function validationCacheKey(schemas: SchemaSources | undefined): string {
  const head = `format ${CACHE_FORMAT}\0code ${libraryDigest()}\0deps ${dependencyVersions()}\0schemas ${schemas ? 'yes' : 'none'}\0`;
  const files: string[] = [];
  for (const source of schemas ? [schemas.k8sOpenApi, ...(schemas.crds ?? [])] : []) {
    const found = sourceFiles(source);
    if (!found) return `uncachable ${process.pid} ${++uncachableKeys} ${Date.now()}`;
    files.push(...found);
  }
  // Taken before the files are read: a change while they are read gives another signature next time.
  const signature = settledSignature(files);
  if (signature !== undefined && lastKey !== undefined && lastKey.head === head && lastKey.signature === signature) return lastKey.key;
  const h = createHash('sha256');
  h.update(head);
  for (const f of files) h.update(path.resolve(f)).update('\0').update(fs.readFileSync(f)).update('\0');
  const key = h.digest('hex');
  if (signature !== undefined) lastKey = { head, signature, key };
  return key;
}

/**
 * The digest the cache keeps for one entry: its object's content (objectDigest). The per-object checks read only the
 * object (the entry's file and cluster only say where a finding is), so one object passes or fails wherever it is
 * written; keying by content alone spares a second hash per entry (~0.15-0.2 s at 116,000 entries, every synth).
 */
export function entryDigest(e: Entry): string {
  return objectDigest(e.object);
}

/** What this process last read or wrote of a cache file: its key, its digests, and the file's stamp then. */
interface KnownCache {
  readonly key: string;
  /** Every digest the file lists (this process's own Set: only ever added to). */
  readonly digests: Set<string>;
  /** statStamp of the file when it held exactly `digests`. */
  readonly stamp: string;
}

/** The cache files this process read or wrote, by path (a handful: one per output folder). */
const known = new Map<string, KnownCache>();

/** Forgets what this process knows of cache files (tests: the next open reads its file, as a new process does). */
export function forgetKnownCaches(): void {
  known.clear();
}

/**
 * Stale digests (of objects no longer in the output) a file may list, beyond the `live` ones of the last run,
 * before it is written whole again: a quarter of them, and 1,000 more. A stale digest is still a true fact under
 * the file's key (that exact content passed), so keeping it is sound; the bound keeps the file from growing.
 */
function staleLimit(live: number): number {
  return Math.floor(live / 4) + 1000;
}

/** The end of a file writeValidation wrote: the list's and the object's closing brackets and a newline. */
const CLOSE = ']}\n';

/** The first line of a cache file writeValidation writes under `key` (its newline included). */
const head = (key: string): string => `{"key":${JSON.stringify(key)},"passed":[\n`;

/**
 * Writes the whole cache file: `key` and `digests`, one digest a line (JSON allows the newlines). Returns its stamp
 * (statStamp of the file written, before anything else could be renamed over it).
 */
function writeValidation(file: string, key: string, digests: ReadonlyArray<string>): string {
  function* lines(): Generator<string> {
    yield head(key).slice(0, -1);
    for (let i = 0; i < digests.length; i++) yield `${JSON.stringify(digests[i])}${i < digests.length - 1 ? ',' : ''}`;
    yield CLOSE.slice(0, -1);
  }
  return statStamp(writeCacheLines(file, lines()));
}

/**
 * Adds `fresh` digests (which passed under `key`) to the end of a file writeValidation wrote, in place, when it is
 * still the file of `stamp` (the same inode, size and time, checked on the open descriptor: a file renamed over the
 * path since is not the one written to), starts with `key`'s head and ends as writeValidation ends it; returns the new
 * stamp, or undefined when it did not append. The head is read on the descriptor written to, so digests never go into
 * a file of another key, whatever the stamps say. A write cut short leaves invalid JSON (the closing brackets come
 * last), which the next open reads as an empty cache.
 */
function appendValidation(file: string, key: string, stamp: string, fresh: ReadonlyArray<string>): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return undefined; // gone, or not writable in place: written whole instead
  }
  try {
    const st = fs.fstatSync(fd);
    const start = Buffer.from(head(key), 'utf8');
    if (statStamp(st) !== stamp || st.size < start.length + CLOSE.length) return undefined;
    const end = Buffer.alloc(CLOSE.length);
    const first = Buffer.alloc(start.length);
    if (fs.readSync(fd, end, 0, CLOSE.length, st.size - CLOSE.length) !== CLOSE.length || end.toString('latin1') !== CLOSE) return undefined;
    if (fs.readSync(fd, first, 0, first.length, 0) !== first.length || !first.equals(start)) return undefined;
    const bytes = Buffer.from(`${fresh.map((d) => `,${JSON.stringify(d)}`).join('\n')}\n${CLOSE}`, 'utf8');
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at, st.size - CLOSE.length + at);
    return statStamp(fs.fstatSync(fd));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens the cache in `dir` for `key`: an unreadable, corrupt or other-key file is an empty cache (it is only
 * ever a shortcut). A file this process read or wrote last, unchanged since (the same stamp), is not read again.
 * Saving adds the new digests to the end of the file in place when it is still the file this process knows and its
 * stale digests stay within staleLimit; else it writes a temporary file and renames it, so a killed run leaves the
 * old file or the new.
 */
export function openValidationCache(dir: string, key: string): ValidationCache {
  const file = path.join(dir, 'validation.json');
  let digests = new Set<string>();
  /** The stamp of the file when it held exactly `digests` under `key`; undefined when it holds no such list. */
  let stamp: string | undefined;
  try {
    const st = fs.statSync(file);
    const last = known.get(file);
    if (last !== undefined && last.key === key && last.stamp === statStamp(st)) {
      digests = last.digests;
      stamp = last.stamp;
    } else {
      const data = JSON.parse(readCacheFile(file)) as { key?: unknown; passed?: unknown };
      if (data.key === key && Array.isArray(data.passed)) {
        digests = new Set(data.passed.filter((d): d is string => typeof d === 'string'));
        // Only a list of strings without repeats is exactly what the file holds (what writeValidation writes).
        if (digests.size === data.passed.length) stamp = statStamp(st);
      }
    }
  } catch {
    /* no cache yet, or unreadable: validate everything */
  }
  let passed: ReadonlyArray<string> | undefined;
  let passedFresh: ReadonlyArray<string> | undefined;
  // Node's version too: the flow checks use its net.isIP.
  const flows = openFlowVerdictFile(dir, `${key}\0node ${process.versions.node}`, writeCacheLines);
  return {
    size: digests.size,
    // The Set itself: this process only ever adds to it (a file written whole gets a new Set, so a new token).
    token: digests,
    has: (d) => digests.has(d),
    record: (p, f) => {
      passed = p;
      passedFresh = f;
    },
    flows,
    save: () => {
      flows.save();
      if (!passed) return;
      try {
        const fresh = [...new Set((passedFresh ?? passed).filter((d) => !digests.has(d)))];
        const live = passed.length;
        if (stamp !== undefined && digests.size > 0 && digests.size + fresh.length <= live + staleLimit(live)) {
          // The file lists every digest already (and a few stale ones): nothing to write.
          if (fresh.length === 0) return;
          const after = appendValidation(file, key, stamp, fresh);
          if (after !== undefined) {
            for (const d of fresh) digests.add(d);
            stamp = after;
            known.set(file, { key, digests, stamp });
            return;
          }
        }
        // Written whole, in the entries' order (sorted by file), one object written to several files listed once.
        const list = [...new Set(passed)];
        const written = writeValidation(file, key, list);
        digests = new Set(list);
        stamp = written;
        known.set(file, { key, digests, stamp });
      } catch {
        /* a read-only or odd place: the next run validates everything */
      }
    },
  };
}
