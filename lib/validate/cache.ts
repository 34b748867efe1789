import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { packageVersions, sourceDigest } from '../core/code-digest';
import { objectDigest } from '../core/object-digest';
import { SchemaSources } from './schema-check';
import { Entry } from './types';

export { objectDigest } from '../core/object-digest';

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
 * CD, flows) always run on every object: their verdict on one object depends on the others.
 */
export interface ValidationCache {
  /** Whether this object (digest from {@link entryDigest}) passed the per-object checks under the same key. */
  has(digest: string): boolean;
  /** Sets the digests that passed in this run (validateEntries calls it); save() writes exactly these. */
  record(passed: ReadonlyArray<string>): void;
  /** Writes the recorded digests (stale ones are dropped); a failure to write is ignored (the cache is a shortcut). */
  save(): void;
  /** How many digests were loaded. */
  readonly size: number;
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
 * The key a cache is valid under: cache format, library code, dependency versions, and the bytes of every schema
 * source. Schema sources that are not regular files (or folders of them) give a key no cache file holds.
 */
export function validationCacheKey(schemas: SchemaSources | undefined): string {
  const h = createHash('sha256');
  h.update(`format ${CACHE_FORMAT}\0code ${libraryDigest()}\0deps ${dependencyVersions()}\0schemas ${schemas ? 'yes' : 'none'}\0`);
  const files: string[] = [];
  for (const source of schemas ? [schemas.k8sOpenApi, ...(schemas.crds ?? [])] : []) {
    const found = sourceFiles(source);
    if (!found) return `uncachable ${process.pid} ${++uncachableKeys} ${Date.now()}`;
    files.push(...found);
  }
  for (const f of files) h.update(path.resolve(f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return h.digest('hex');
}

/**
 * A cache file's text, only when it is a regular file (never a device, a FIFO or a link to one, which would be
 * read forever); anything else throws, and the caller treats the cache as empty.
 */
export function readCacheFile(file: string): string {
  if (!fs.statSync(file).isFile()) throw new Error(`${file} is not a regular file`);
  return fs.readFileSync(file, 'utf8');
}

/**
 * What a cache folder's `.gitignore` says: everything in it stays out of Git (the caches are large, ~85 MB at
 * 100,000 devices, and only a shortcut), as pytest's and mypy's caches do, without a line in the user's own .gitignore.
 */
export const CACHE_GITIGNORE = '# edgewatt synth caches (validation, render, charts, file index): a shortcut, not for Git\n*\n';

/**
 * Makes a cache folder and its parent (`.edgewatt.cache`) when missing, one level at a time (never `mkdir -p`), with
 * a `.gitignore` that keeps it out of Git (CACHE_GITIGNORE), written when missing.
 */
export function makeCacheDir(dir: string): void {
  if (!fs.existsSync(dir)) {
    if (!fs.existsSync(path.dirname(dir))) fs.mkdirSync(path.dirname(dir));
    fs.mkdirSync(dir);
  }
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, CACHE_GITIGNORE);
}

/** A temporary file beside a cache file, unique to this process and moment, renamed over the file when whole. */
export function cacheTempFile(file: string): string {
  return `${file}.${process.pid}.${Date.now()}.tmp`;
}

/** A name cacheTempFile gives, with the process id in it. */
const CACHE_TEMP = /^.+\.(\d+)\.\d+\.tmp$/;

/**
 * Whether the process that named a temporary file (cacheTempFile) is gone: another pid that this host does not run,
 * or this process's own pid on a file older than this process (a container gives every run the same pid, often 1).
 */
function writerGone(pid: number, modified: number): boolean {
  if (pid === process.pid) return modified < Date.now() - process.uptime() * 1000 - 1000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the temporary files (cacheTempFile) that killed runs left in cache folder `dir`: ~10 MB each at 100,000
 * devices, never removed otherwise. Only a regular file whose writer is gone (writerGone) is removed: a live
 * process's file stays, even one that shares the folder without sharing the output folder's lock (a cache folder
 * given to two output folders, an output folder reached through a symlink that was moved). Returns how many were
 * removed; a folder that cannot be read is left as it is (the caches are only a shortcut).
 */
export function removeOrphanCacheTemps(dir: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = CACHE_TEMP.exec(name);
    if (!m) continue;
    try {
      const file = path.join(dir, name);
      const st = fs.lstatSync(file);
      if (!st.isFile() || !writerGone(Number(m[1]), st.mtimeMs)) continue;
      fs.rmSync(file);
      removed++;
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

/**
 * Replaces a cache file whole with a text given as lines, each followed by a newline: a temporary file beside it,
 * renamed over it; when that fails it throws and leaves no temporary file. The lines are encoded into one reused
 * 1 MiB buffer and written as it fills, so a 116,000-line file index is not joined into one string and converted
 * whole (~0.3 s).
 */
export function writeCacheLines(file: string, lines: Iterable<string>): void {
  makeCacheDir(path.dirname(file));
  const tmp = cacheTempFile(file);
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w');
    const out = fd;
    const writeAll = (bytes: Buffer, length: number) => {
      for (let at = 0; at < length; ) at += fs.writeSync(out, bytes, at, length - at);
    };
    let used = 0;
    for (const line of lines) {
      // A line of n UTF-16 code units is at most 3n bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units).
      if (used + line.length * 3 + 1 > buf.length) {
        writeAll(buf, used);
        used = 0;
      }
      if (line.length * 3 + 1 > buf.length) {
        const long = Buffer.from(`${line}\n`, 'utf8');
        writeAll(long, long.length);
      } else {
        used += buf.write(line, used, 'utf8');
        buf[used++] = 10;
      }
    }
    writeAll(buf, used);
    fd = undefined; // closed below, once: a failed close (a delayed ENOSPC) has released the descriptor too
    fs.closeSync(out);
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* the first error is the one to report */
      }
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * The digest the cache keeps for one entry: its object's content (objectDigest). The per-object checks read only the
 * object (the entry's file and cluster only say where a finding is), so one object passes or fails wherever it is
 * written; keying by content alone spares a second hash per entry (~0.15-0.2 s at 116,000 entries, every synth).
 */
export function entryDigest(e: Entry): string {
  return objectDigest(e.object);
}

/**
 * Opens the cache in `dir` for `key`: an unreadable, corrupt or other-key file is an empty cache (it is only
 * ever a shortcut). Saving writes a temporary file and renames it, so a killed run leaves the old file or the new.
 */
export function openValidationCache(dir: string, key: string): ValidationCache {
  const file = path.join(dir, 'validation.json');
  let digests = new Set<string>();
  try {
    const data = JSON.parse(readCacheFile(file)) as { key?: unknown; passed?: unknown };
    if (data.key === key && Array.isArray(data.passed)) digests = new Set(data.passed.filter((d): d is string => typeof d === 'string'));
  } catch {
    /* no cache yet, or unreadable: validate everything */
  }
  let passed: ReadonlyArray<string> | undefined;
  return {
    size: digests.size,
    has: (d) => digests.has(d),
    record: (p) => {
      passed = p;
    },
    save: () => {
      if (!passed) return;
      try {
        // One digest a line (JSON allows the newlines), in the entries' order (sorted by file), written through
        // writeCacheLines: 116,000 digests are neither sorted again nor joined into one string.
        const list = [...new Set(passed)]; // one object written to several files is listed once
        writeCacheLines(
          file,
          (function* () {
            yield `{"key":${JSON.stringify(key)},"passed":[`;
            for (let i = 0; i < list.length; i++) yield `${JSON.stringify(list[i])}${i < list.length - 1 ? ',' : ''}`;
            yield ']}';
          })(),
        );
      } catch {
        /* a read-only or odd place: the next run validates everything */
      }
    },
  };
}
