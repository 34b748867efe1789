import * as fs from 'fs';
import * as path from 'path';
import { SpecError } from '../core/errors';
import { FileMap } from './layout';
import { faultPoint, needsRecovery, newTxnId, recoverLocked, removeJournals, rollForward, TxnEntry, txnEntry, writeJournal } from './journal';
import { acquireLock, hasStaleLock } from './lock';
import { TreeDiff } from './tree';
import { FolderStager, StageResult } from './stager';

/** What a write did. */
export interface WriteResult extends TreeDiff {
  /** Files left exactly as they were (content and mtime). */
  readonly unchanged: number;
}


/** Options of the writer and of recovery. */
export interface WriteOptions {
  /**
   * How long to wait for another edgewatt writing the same folder, in milliseconds, before failing with
   * OutputLocked. @default 0 (fail at once)
   */
  readonly waitLockMs?: number;
}

/** How long a reading command waits for a write in progress before it reads. */
export const READ_WAIT_MS = 60_000;

/**
 * The folder a tree is written to. An output folder that is a symbolic link is followed: the tree is
 * written into the link's target and the link stays (a dangling link is refused). Folders above it are
 * resolved too, so the lock, the journal and the swap all happen beside the real folder.
 */
export function resolveOutDir(outdir: string): string {
  const abs = path.resolve(outdir);
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(abs);
  } catch {
    st = undefined;
  }
  if (st?.isSymbolicLink()) {
    try {
      return fs.realpathSync(abs);
    } catch {
      throw new SpecError([{ path: outdir, message: `is a symbolic link to ${fs.readlinkSync(abs)}, which does not exist: create the target folder or remove the link` }], 'bad output folder');
    }
  }
  const parent = path.dirname(abs);
  try {
    return path.join(fs.realpathSync(parent), path.basename(abs));
  } catch {
    return abs; // the parent is created by the write (mkdir -p), or the write reports why it cannot be
  }
}


/**
 * Finishes or undoes a write that a crash interrupted, so `outdir` is a whole tree again, and with it every
 * folder written in the same transaction (dist/ and argocd/): all old or all new, never a mix. Looks beside
 * `outdir` and beside each folder above it (so `dist/<cluster>` recovers `dist`); takes the lock only when
 * there is something to recover, waiting up to `waitMs` for a write in progress. Every command that reads a
 * tree calls it first.
 */
export function recoverTree(outdir: string, waitMs = READ_WAIT_MS): void {
  const seen = new Set<string>();
  for (const start of [path.resolve(outdir), resolveOutDir(outdir)]) {
    for (let dir = start; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      if (seen.has(dir)) continue;
      seen.add(dir);
      if (!needsRecovery(dir) && !hasStaleLock(dir)) continue;
      const release = acquireLock(dir, waitMs);
      try {
        recoverLocked(dir, waitMs);
      } finally {
        release();
      }
    }
  }
}

/** One folder to write and the files it must hold. */
export interface TreeTarget {
  /** The folder, as the user named it (used in messages). */
  readonly dir: string;
  readonly files: FileMap;
}

/** Whether absolute path `inner` is `outer` or inside it (by path, not by following links). */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
}

/**
 * Makes `outdir` hold exactly `files`, atomically. See writeTrees.
 */
export function writeTree(outdir: string, files: FileMap, options: WriteOptions = {}): WriteResult {
  return writeTrees([{ dir: outdir, files }], options)[0];
}

/**
 * Makes each target folder hold exactly its files, all in one transaction (see beginWrite): each new tree is
 * staged on this thread (FolderStager), then committed.
 */
export function writeTrees(targets: ReadonlyArray<TreeTarget>, options: WriteOptions = {}): WriteResult[] {
  const txn = beginWrite(
    targets.map((t) => t.dir),
    options,
  );
  try {
    const results = txn.folders.map((f, i) => {
      const stager = new FolderStager(f.abs, f.dir, f.entry.staging);
      for (const [rel, content] of targets[i].files) stager.put(rel, content);
      return stager.finish();
    });
    return txn.commit(results);
  } finally {
    txn.abort(); // no-op after the commit
  }
}

/** One folder of a write transaction. */
export interface WriteFolder {
  /** As the user named it (used in messages). */
  readonly dir: string;
  /** Resolved (resolveOutDir). */
  readonly abs: string;
  /** Its staging and parking folders. */
  readonly entry: TxnEntry;
}

/** A write transaction between beginWrite and its commit or abort. */
export interface WriteTransaction {
  /** The folders, in the order given. */
  readonly folders: ReadonlyArray<WriteFolder>;
  /**
   * Swaps in every staged folder (results in the order of `folders`), runs `then` (still holding the locks: the
   * caches of what was written are saved there, so another writer never reads them half-way), and releases the
   * locks.
   */
  commit(results: ReadonlyArray<StageResult>, then?: () => void): WriteResult[];
  /** Removes the staging folders and releases the locks; nothing is changed. A no-op after commit. */
  abort(): void;
}

/**
 * Starts a write of several folders in one transaction:
 * 1. an exclusive lock on every folder (sorted, so two writers cannot deadlock), held to the end and
 *    released on any exit; a lock left by a killed process is recovered by its pid (see acquireLock);
 * 2. recovery of anything an earlier crash left (see recoverTree);
 * 3. (the caller) each new tree built in a staging folder unique to this process and write, beside its folder
 *    (FolderStager); files whose content is unchanged are hard-linked, keeping their mtime;
 * 4. (commit) the journal written beside every folder, the first folder's last: that rename is the commit point;
 * 5. the swaps (two renames per folder), then the parked old trees and the journals removed.
 * A crash before 4 leaves every folder old; after it, the next edgewatt command finishes the swaps. When
 * nothing differs, nothing on disk is touched. A failure before the commit point (a full disk, a read-only
 * file system, a failed validation) removes the staging folders and leaves every folder as it was. Staging
 * refuses (SpecError) to replace a folder holding files edgewatt did not generate, or anything but folders and
 * regular files.
 */
export function beginWrite(dirs: ReadonlyArray<string>, options: WriteOptions = {}): WriteTransaction {
  const resolved = dirs.map((dir) => ({ dir, abs: resolveOutDir(dir) }));
  const order = [...new Set(resolved.map((t) => t.abs))].sort();
  if (order.length !== resolved.length) throw new SpecError([{ path: dirs.join(', '), message: 'name the same folder twice: give each tree its own folder' }], 'bad output folder');
  // Each tree is replaced whole (with its lock, staging and parked folders beside it), so one may not hold another.
  const nested = resolved.flatMap((a) => resolved.filter((b) => b !== a && isWithin(b.abs, a.abs)).map((b) => `${b.dir} is inside ${a.dir}`));
  if (nested.length > 0) throw new SpecError([{ path: dirs.join(', '), message: `${nested.join('; ')}: each tree is replaced whole, so give each its own folder, side by side (such as dist and argocd)` }], 'bad output folder');
  const releases: Array<() => void> = [];
  const release = () => {
    for (const r of releases.splice(0).reverse()) r();
  };
  let folders: WriteFolder[];
  let txn: string;
  try {
    for (const abs of order) {
      makeParents(path.dirname(abs));
      releases.push(acquireLock(abs, options.waitLockMs ?? 0));
    }
    for (const abs of order) recoverLocked(abs, options.waitLockMs ?? 0);
    for (const t of resolved) {
      if (fs.existsSync(t.abs) && !fs.statSync(t.abs).isDirectory()) throw new SpecError([{ path: t.dir, message: "is a file, not a folder: choose another folder (the output: --out, or the library's outdir; the Argo CD bootstrap: --argocd-out, or bootstrapDir)" }], 'bad output folder');
    }
    txn = newTxnId();
    folders = resolved.map((t) => ({ ...t, entry: txnEntry(t.abs, txn) }));
  } catch (e) {
    release();
    throw e;
  }
  let ended = false;
  return {
    folders,
    commit: (results, then) => {
      if (ended) throw new Error('the write transaction has ended');
      ended = true;
      const staged = folders.flatMap((f, i) => (results[i].staged ? [results[i].patch ? { ...f.entry, patch: results[i].patch } : f.entry] : []));
      let committed = false;
      try {
        if (staged.length > 0) {
          faultPoint('before-commit');
          for (const e of staged.slice(1)) writeJournal(e.abs, { txn, committed: false, entries: staged });
          writeJournal(staged[0].abs, { txn, committed: true, entries: staged });
          committed = true;
          staged.forEach((e, i) => {
            rollForward(e);
            if (i === 0) faultPoint('between-swaps');
          });
          removeJournals(staged);
        }
        committed = true;
        then?.();
        return results.map(({ missing, changed, stale, unchanged }) => ({ missing, changed, stale, unchanged }));
      } catch (e) {
        if (!committed) for (const f of folders) fs.rmSync(f.entry.staging, { recursive: true, force: true });
        throw e;
      } finally {
        release();
      }
    },
    abort: () => {
      if (ended) return;
      ended = true;
      for (const f of folders) fs.rmSync(f.entry.staging, { recursive: true, force: true });
      release();
    },
  };
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdir spins forever on some paths under /proc, and a
 * failure here names the exact folder that could not be made.
 */
function makeParents(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) fs.mkdirSync(d);
}
