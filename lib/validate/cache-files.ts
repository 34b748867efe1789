import * as fs from 'fs';
import * as path from 'path';
import { readUtf8File } from '../core/utf8-text';

/*
 * The caches' files on disk (the validation cache, lib/validate/cache.ts, and the synth's caches beside it: the file
 * index, render.json, charts.json, stack.json, the flow verdicts): read only as regular files, kept in a git-ignored
 * folder, written whole to a temporary file renamed over the old one, and the temporary files of killed runs removed.
 * A module of its own, so the render worker (lib/synth/file-index.ts, body-store.ts) loads none of the validation cache.
 */

/**
 * A cache file's text, only when it is a regular file (never a device, a FIFO or a link to one, which would be
 * read forever); anything else throws, and the caller treats the cache as empty.
 */
export function readCacheFile(file: string): string {
  if (!fs.statSync(file).isFile()) throw new Error(`${file} is not a regular file`);
  return readUtf8File(file);
}

/**
 * What a cache folder's `.gitignore` says: everything in it stays out of Git (the caches are large, ~85 MB at
 * 100,000 devices, and only a shortcut), as pytest's and mypy's caches do, without a line in the user's own .gitignore.
 */
export const CACHE_GITIGNORE = '# edgewatt synth caches (stack file, charts, validation, flow verdicts, render, file index): a shortcut, not for Git\n*\n';

/**
 * Makes a cache folder and its parent (`.edgewatt.cache`) when missing, one level at a time (never `mkdir -p`), with
 * a `.gitignore` that keeps it out of Git (CACHE_GITIGNORE), written when missing. A folder another writer made
 * meanwhile (the render worker saves its caches while this thread saves its own; another process) is taken as made.
 */
export function makeCacheDir(dir: string): void {
  if (!fs.existsSync(dir)) {
    if (!fs.existsSync(path.dirname(dir))) mkdirUnlessMade(path.dirname(dir));
    mkdirUnlessMade(dir);
  }
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, CACHE_GITIGNORE);
}

/** Makes folder `dir` (its parent exists); one that exists already as a folder is no error (anything else there is). */
function mkdirUnlessMade(dir: string): void {
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(dir).isDirectory()) throw e;
  }
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
 * Replaces a cache file whole with a text given as lines (strings, or bytes already encoded), each followed by a newline: a temporary file beside it,
 * renamed over it; when that fails it throws and leaves no temporary file. The lines are encoded into one reused
 * 1 MiB buffer and written as it fills, so a 116,000-line file index is not joined into one string and converted
 * whole (~0.3 s). Returns the file's stats, taken on its descriptor before the rename: this file's, whatever another
 * writer renames over the path afterwards.
 */
export function writeCacheLines(file: string, lines: Iterable<string | Buffer>): fs.Stats {
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
      if (typeof line !== 'string') {
        // Bytes already encoded: written as they are.
        writeAll(buf, used);
        used = 0;
        writeAll(line, line.length);
        buf[used++] = 10;
        continue;
      }
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
    const written = fs.fstatSync(out);
    fd = undefined; // closed below, once: a failed close (a delayed ENOSPC) has released the descriptor too
    fs.closeSync(out);
    fs.renameSync(tmp, file);
    return written;
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
