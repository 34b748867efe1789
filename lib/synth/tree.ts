import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Problem, SpecError } from '../core/errors';
import { FileMap } from './layout';

/** Largest file the tree reader accepts, in bytes; generated files are far smaller (the largest is ~1 MB). */
export const MAX_TREE_FILE_BYTES = 32 * 1024 * 1024;

function kindOf(st: fs.Stats | fs.Dirent): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Reads one regular file, refusing anything else: it is opened without following a symbolic link and
 * without blocking (a FIFO would hang a plain read), checked to be a regular file no larger than `maxBytes`
 * on the open descriptor, then read. Returns the bytes, or why it was refused. `followLink`: an input the user names
 * (a schema file) may be a symbolic link to a regular file, which is then read. @default false (a tree's file)
 */
export function readRegularFile(file: string, maxBytes = MAX_TREE_FILE_BYTES, followLink = false): Buffer | string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (followLink ? 0 : fs.constants.O_NOFOLLOW) | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'is a symbolic link';
    if (code === 'ENXIO') return 'is a socket'; // opening a socket fails with ENXIO
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return `is ${kindOf(st)}`;
    if (st.size > maxBytes) return `is ${st.size} bytes, over the limit of ${maxBytes} per file`;
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The fix named when a tree holds something other than folders and regular files. */
export const NOT_REGULAR_FIX = 'edgewatt trees hold only folders and regular files (no links, devices, FIFOs or sockets): remove it';

/**
 * The regular files below `dir`, sorted (or, `sorted` false, in the order the folders list them), without reading
 * them; anything else is added to `refused`.
 */
export function walkNames(dir: string, label: string, refused: Problem[], sorted = true): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  const walk = (rel: string): void => {
    const listed = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    const entries = sorted ? listed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : listed;
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (!entry.isFile()) refused.push({ path: path.join(label, child), message: `is ${kindOf(entry)}: ${NOT_REGULAR_FIX}` });
      else out.push(child);
    }
  };
  walk('');
  return out;
}

/**
 * Walks the regular files below `dir` (sorted, as `relative/path`), calling `visit` for each wanted one with
 * its bytes. `dir` itself may be a symbolic link (it is followed); below it, links, devices, FIFOs, sockets and
 * files over the size cap are refused: all of them are collected and thrown as one SpecError naming each path.
 * An absent folder is an empty tree.
 */
export function walkRegularFiles(dir: string, visit: (rel: string, content: Buffer) => void, want: (rel: string) => boolean = () => true, label = dir): void {
  const refused: Problem[] = [];
  for (const rel of walkNames(dir, label, refused)) {
    if (!want(rel)) continue;
    const got = readRegularFile(path.join(dir, rel));
    if (typeof got === 'string') refused.push({ path: path.join(label, rel), message: `${got}: ${NOT_REGULAR_FIX}` });
    else visit(rel, got);
  }
  if (refused.length > 0) throw new SpecError(refused, 'unsafe file in the tree');
}

/**
 * The regular files below `dir` (as `relative/path`, sorted), without reading them; anything else (a link, a
 * device, a FIFO, a socket) is refused, all of them in one SpecError (by path). An absent folder is an empty tree.
 * `sorted`: false gives the files in the order the folders list them (FolderStager keeps them in a map: sorting
 * 119,304 files in 2,660 folders took ~15-40 ms of ~150-230). @default true
 */
export function listTree(dir: string, label = dir, sorted = true): string[] {
  const refused: Problem[] = [];
  const out = walkNames(dir, label, refused, sorted);
  if (refused.length > 0) throw new SpecError(sorted ? refused : refused.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), 'unsafe file in the tree');
  return out;
}

/** Reads every file below `dir` as `relative/path` → bytes; an absent folder is an empty tree. See walkRegularFiles. */
export function readTree(dir: string, label = dir): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  walkRegularFiles(dir, (rel, content) => out.set(rel, content), undefined, label);
  return out;
}

/** How a folder on disk differs from the files a synth produces. */
export interface TreeDiff {
  /** Files the synth produces that the folder lacks. */
  readonly missing: string[];
  /** Files whose content differs. */
  readonly changed: string[];
  /** Files in the folder that the synth no longer produces. */
  readonly stale: string[];
}

/** Compares the files on disk with the files wanted; all lists sorted. */
export function diffTree(existing: ReadonlyMap<string, Buffer>, wanted: FileMap): TreeDiff {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [rel, content] of wanted) {
    const have = existing.get(rel);
    if (have === undefined) missing.push(rel);
    else if (!have.equals(Buffer.from(content, 'utf8'))) changed.push(rel);
  }
  const stale = [...existing.keys()].filter((rel) => !wanted.has(rel));
  return { missing: missing.sort(), changed: changed.sort(), stale: stale.sort() };
}

/** True when the diff is empty. */
export function isClean(d: TreeDiff): boolean {
  return d.missing.length + d.changed.length + d.stale.length === 0;
}

/**
 * A digest of a set of files: sha256 (hex) over `path\0content\0` in code-unit path order, so two sets with the
 * same names and bytes have the same digest (a Helm chart's content digest; the byte-identity fixture).
 */
export function filesDigest(files: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const p of [...files.keys()].sort()) h.update(p).update('\0').update(files.get(p)!).update('\0');
  return h.digest('hex');
}
