import * as fs from 'fs';
import * as path from 'path';
import { digestBase64 } from '../core/hash';
import { readCacheFile, writeCacheLines } from '../validate/cache-files';

/**
 * What the file index knows of one file: what it holds (the objectDigest of the object it is the YAML of, or
 * `t:` and the sha1 of a text file's content), and the file's stamp (stampOf) when that was last known. Without a
 * stamp (a file the commit moves) `check`, the textDigest of the bytes written, lets commit stamp it after
 * reading it back; without either the file is left out of the index (it is read on the next run).
 */
export type IndexEntry = readonly [digest: string, stamp: string | undefined, check?: string];

/** With a file index from the last run, up to this many bodies are rendered before render.json is read. */
export const DEFERRED_BODIES = 1000;

/** The first line of `files.json`'s format; a file that starts otherwise is ignored. */
const INDEX_FORMAT = 'edgewatt file index 1';

/** What a text file (not an object's YAML) holds, as the file index records it: `t:` and the sha1 of its content. */
export function textDigest(content: string | Buffer): string {
  return `t:${digestBase64('sha1', content)}`;
}

/**
 * The path of `rel` in `folder` for a system call: joined with a separator, not normalized. The kernel finds the
 * same file either way, and path.join's normalizing took ~0.65 µs a file (75 ms for the 116,300 files an incremental
 * synth at 100,000 devices stamps).
 */
export function fileIn(folder: string, rel: string): string {
  return `${folder}${path.sep}${rel}`;
}

/**
 * A file's stamp, as git's index keeps one: device, inode, size, and modification and change times (lstat; a
 * link or anything but a regular file has none). Any write to the file changes its change time, which no tool
 * can set back, and replacing it changes the inode, so an equal stamp means the bytes are those recorded.
 */
export function stampOf(file: string): string | undefined {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  return st && st.isFile() ? stampOfStats(st) : undefined;
}

/** The stamp of a regular file's stats (see stampOf). */
export function stampOfStats(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** The size a stamp (stampOf) gives, in bytes. */
export function sizeOfStamp(stamp: string): number {
  return Number(stamp.split(':', 3)[2]);
}

/**
 * Writes `content` to a new or truncated regular file and returns its stamp, taken from the open descriptor
 * (fstat: no second path lookup, and it is the file written even if the path is replaced meanwhile).
 */
export function writeStamped(file: string, content: string): string {
  const fd = fs.openSync(file, 'w');
  try {
    const bytes = Buffer.from(content, 'utf8');
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at);
    return stampOfStats(fs.fstatSync(fd));
  } catch (e) {
    // A write on the descriptor (ENOSPC, EIO) names no file: the user is told which one, as writeFileSync's would.
    const x = e as NodeJS.ErrnoException;
    if (typeof x?.code === 'string' && x.path === undefined) x.path = file;
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The last run's index as read: its text, and for each folder, where each file's line (`digest`, tab, `stamp`, tab,
 * `path`) starts in it. One number per file and no strings but the paths, so reading 116,000 files' index makes little
 * that the collector must copy: with a parsed entry per file, the render worker's first scavenges of an incremental
 * synth copied ~290 ms worth of them.
 */
interface LastIndex {
  readonly text: string;
  readonly folders: ReadonlyMap<string, FolderLines>;
  /**
   * Whether its digests hold for this run: it was saved under the same key and the same header. Saved under the same
   * key but another header (the stack renamed: the header names it), every file's bytes differ from what its digest
   * would give now, but its stamps still vouch for the files (FolderIndex.vouches).
   */
  readonly digests: boolean;
}

/** One folder's lines in the last index: each file's slot (its number in the folder), and where each slot's line starts. */
interface FolderLines {
  readonly slots: ReadonlyMap<string, number>;
  readonly starts: ReadonlyArray<number>;
}

const NO_LINES: FolderLines = { slots: new Map(), starts: [] };

/** One folder's part of a FileIndex: the last run's entries, and this run's as they are staged. */
export class FolderIndex {
  /**
   * The last run's lines kept for this run, by slot (1: kept as it was). A flag by slot, not a map by path: one hash
   * lookup a file fewer for the 116,000 files an incremental synth at 100,000 devices finds unchanged, and no map
   * that grows to their number.
   */
  private readonly kept: Uint8Array;
  /** This run's entries of the files not kept as they were, by path in the folder, in the order recorded. */
  private readonly records = new Map<string, IndexEntry>();

  public constructor(
    /** The folder (resolved). */
    public readonly abs: string,
    /** The last index's text, and where each file's line of this folder starts in it. */
    private readonly text: string,
    private readonly last: FolderLines,
    /** When the last index was saved (its mtime, ms): a stamp that changed no earlier is not trusted (racy). */
    private readonly savedMs: number,
    /** Whether the last run's digests hold for this run (LastIndex.digests); if not, no file is `unchanged`. */
    private readonly digests: boolean,
  ) {
    this.kept = new Uint8Array(last.starts.length);
  }

  /** How many files the last run recorded in this folder: their lines are numbered from 0 (lineOf). */
  public get lineCount(): number {
    return this.last.starts.length;
  }

  /** The number of the last run's line of the file at `rel` (its slot), or undefined when it recorded none. */
  public lineOf(rel: string): number | undefined {
    return this.last.slots.get(rel);
  }

  /**
   * Whether the file at `rel` is known to hold `digest` without reading it: the last run recorded that digest for
   * it, and its stamp has not changed since. Then it is recorded for this run as it was. `stamp`: the file's stamp
   * taken already during this synth (null: no regular file); @default - taken now. `line`: lineOf(rel), when the caller
   * has it (-1: none); @default - looked up
   */
  public unchanged(rel: string, digest: string, stamp?: string | null, line?: number): boolean {
    const slot = line === undefined ? this.last.slots.get(rel) : line < 0 ? undefined : line;
    if (slot === undefined || !this.digests) return false;
    const at = this.last.starts[slot];
    // Compared in the text where it lies (nothing allocated but the change time's digits).
    if (!this.text.startsWith(digest, at) || this.text.charCodeAt(at + digest.length) !== TAB) return false;
    if (!this.stampHolds(at + digest.length + 1, stamp === undefined ? stampOf(fileIn(this.abs, rel)) : stamp)) return false;
    this.kept[slot] = 1;
    if (this.records.size > 0) this.records.delete(rel);
    return true;
  }

  /**
   * Whether the file at `rel`, whose stamp taken during this synth is `stamp`, is exactly as the last run recorded it
   * (whatever it is to hold now): then its bytes are the ones edgewatt wrote, a regular file it generated, and a size
   * other than that of the new content (the stamp's third field) means it differs, without reading it. `line`: as for
   * unchanged.
   */
  public vouches(rel: string, stamp: string | undefined, line?: number): boolean {
    const slot = line === undefined ? this.last.slots.get(rel) : line < 0 ? undefined : line;
    if (slot === undefined || stamp === undefined) return false;
    const from = this.text.indexOf('\t', this.last.starts[slot]) + 1;
    return from > 0 && this.stampHolds(from, stamp);
  }

  /**
   * Whether the recorded stamp at `from` in the index text (up to the next tab) is trusted and equal to `now`: the change
   * time is the stamp's last field (stampOf), and one that is missing, not a number, or no earlier than the index was
   * saved (racy) is not trusted.
   */
  private stampHolds(from: number, now: string | null | undefined): boolean {
    const text = this.text;
    const to = text.indexOf('\t', from);
    const colon = to <= from ? -1 : text.lastIndexOf(':', to - 1);
    if (colon < from || !numberBelow(text, colon + 1, to, this.savedMs)) return false;
    return typeof now === 'string' && now.length === to - from && text.startsWith(now, from);
  }

  /** Leaves a file out of this run's index (its stamp is about to change): the next run reads it. */
  public forget(rel: string): void {
    this.records.delete(rel);
    this.unkeep(rel);
  }

  /** Records a file of this run: what it holds, and its final stamp or else the check of the bytes written (see IndexEntry). */
  public record(rel: string, digest: string, stamp?: string, check?: string): void {
    this.unkeep(rel);
    this.records.set(rel, [digest, stamp, check]);
  }

  /** The last run's line of `rel`, if kept, is not this run's. */
  private unkeep(rel: string): void {
    const slot = this.last.slots.get(rel);
    if (slot !== undefined) this.kept[slot] = 0;
  }

  /**
   * This run's lines (without their line breaks): the files kept as they were give the last run's lines unchanged
   * (in the last index's order), then the files recorded.
   */
  public *lines(): Generator<string> {
    const { text, kept } = this;
    const starts = this.last.starts;
    for (let slot = 0; slot < kept.length; slot++) {
      if (kept[slot] === 0) continue;
      const end = text.indexOf('\n', starts[slot]);
      yield text.slice(starts[slot], end < 0 ? text.length : end);
    }
    for (const [rel, e] of this.records) {
      if (rel.includes('\n')) continue;
      const [digest, stamp, check] = e;
      const s = stamp ?? (check === undefined ? undefined : verifiedStamp(path.join(this.abs, rel), check));
      if (s !== undefined) yield `${digest}\t${s}\t${rel}`;
    }
  }
}

const TAB = 9;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * `Number(text.slice(from, to)) < limit`, without the slice or the parse for a plain decimal (digits, then at most one
 * point and digits) whose whole part has at most 15 digits and is more than 1 below limit, or not below it: a recorded stamp's change time
 * (stampOf), read for each of the 116,000 files of an incremental synth at 100,000 devices. Anything else is parsed.
 */
export function numberBelow(text: string, from: number, to: number, limit: number): boolean {
  let whole = 0;
  let i = from;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) break;
    if (c < ZERO || c > NINE || i - from >= 15) return Number(text.slice(from, to)) < limit;
    whole = whole * 10 + (c - ZERO);
  }
  if (i === from) return Number(text.slice(from, to)) < limit;
  for (let j = i + 1; j < to; j++) {
    const c = text.charCodeAt(j);
    if (c < ZERO || c > NINE) return Number(text.slice(from, to)) < limit;
  }
  // The number is at least `whole` and, rounded, at most whole + 1 (a fraction of nines can round up to it).
  if (whole + 1 < limit) return true;
  if (whole >= limit) return false;
  return Number(text.slice(from, to)) < limit;
}

/**
 * The file index of an output folder's synth (`<cache folder>/files.json`, beside the validation and render
 * caches): for every file the last successful synth left in each folder, what it holds and its stamp. FolderStager
 * takes a file whose stamp is unchanged and that is to hold the same object (or text) again as unchanged without
 * rendering or reading it (a one-device change to a 100,000-device stack otherwise renders and reads back 116,000
 * files); any other file is compared byte for byte as before. It is kept under the validation cache's key (the
 * code and the serializer) and the files' header, so another version never trusts it, and under another header (the
 * stack renamed) only its stamps count: a file as the last run wrote it is known to be edgewatt's, and when its size
 * differs from the new content's, to differ, without being read (FolderIndex.vouches). Like the
 * other caches it is a shortcut beside the output, not in it: saved only after a successful commit (commit), the
 * stamps of files the commit moved or linked taken then; an unreadable or missing index means every file is read.
 * Like git's index it trusts a stamp only when it is older than the index itself ("racy" files are read).
 */
export class FileIndex {
  /**
   * Opens the index of cache folder `dir` for files under `header`, kept under `key` (validationCacheKey); no
   * folder: it knows and keeps nothing. `read`: the index as readIndexFile read it earlier in this synth (the render
   * worker reads it while the main thread resolves the stack, before the header is known); @default - read now
   */
  public static open(dir: string | undefined, key: string, header: string, read?: ReadIndex): FileIndex {
    if (dir === undefined) return new FileIndex(undefined, `${key}\n${header}`, EMPTY_INDEX);
    const last = read && read.dir === dir && read.codeKey === key ? read : readIndexFile(dir, key);
    return new FileIndex(path.join(dir, 'files.json'), `${key}\n${header}`, last);
  }

  private readonly last: LastIndex;
  private readonly folders: FolderIndex[] = [];
  private readonly savedMs: number;

  private constructor(
    private readonly file: string | undefined,
    /** The key and the header: the second line of the index (as a JSON string). */
    private readonly key: string,
    read: ReadIndex | typeof EMPTY_INDEX,
  ) {
    this.savedMs = read.savedMs;
    this.last = { text: read.text, folders: read.folders, digests: read.saved === key };
  }

  /** The part of folder `abs` (resolved); undefined without a cache folder. */
  public folder(abs: string): FolderIndex | undefined {
    if (this.file === undefined) return undefined;
    const f = new FolderIndex(abs, this.last.text, this.last.folders.get(abs) ?? NO_LINES, this.savedMs, this.last.digests);
    this.folders.push(f);
    return f;
  }

  /**
   * How many bodies to render before the render cache is read (BodyStore's `defer`): when the last run recorded
   * files (under the same key and header) only changed objects need a body, so up to DEFERRED_BODIES; else none.
   */
  public get renderCacheDefer(): number {
    return this.warm ? DEFERRED_BODIES : 0;
  }

  /** Whether the last run recorded files in any folder (under the same key and header: its digests hold). */
  public get warm(): boolean {
    return this.last.digests && [...this.last.folders.values()].some((m) => m.starts.length > 0);
  }

  /**
   * After a successful commit: stamps the files the commit moved (each read back and kept only when it holds the
   * bytes written, the stamp taken before the read) and replaces files.json (a temporary file renamed over it). A
   * failure to write is ignored: the next run reads every file.
   */
  public commit(): void {
    if (this.file === undefined || this.folders.length === 0) return;
    const { key, folders } = this;
    function* lines(): Generator<string> {
      yield INDEX_FORMAT;
      yield JSON.stringify(key);
      for (const f of folders) {
        if (f.abs.includes('\n')) continue;
        yield `\t${f.abs}`;
        yield* f.lines();
      }
    }
    try {
      writeCacheLines(this.file, lines());
    } catch {
      /* a read-only or odd place: the next run reads every file */
    }
  }
}

/** The stamp of `file` when its bytes' textDigest is `check` (the stamp taken before reading them). */
function verifiedStamp(file: string, check: string): string | undefined {
  try {
    const s = stampOf(file);
    return s !== undefined && textDigest(fs.readFileSync(file)) === check ? s : undefined;
  } catch {
    return undefined;
  }
}

/** A file index as read from its file (readIndexFile), before it is bound to a synth's header (FileIndex.open). */
export interface ReadIndex {
  /** The cache folder it was read from, and the key (validationCacheKey) it was read for. */
  readonly dir: string;
  readonly codeKey: string;
  readonly text: string;
  readonly folders: ReadonlyMap<string, FolderLines>;
  /** The key and header it was saved under (the second line); '' when there was no usable index. */
  readonly saved: string;
  /** When it was saved (its mtime, ms). */
  readonly savedMs: number;
}

const EMPTY_INDEX = { text: '', folders: new Map<string, FolderLines>(), saved: '', savedMs: 0 } as const;

/**
 * Reads and parses cache folder `dir`'s `files.json` when it was saved under `codeKey` (validationCacheKey; any
 * header: FileIndex.open decides what its digests and stamps are worth under this synth's header). A missing,
 * unreadable or foreign index is an empty one (every file is read). It takes no lock: an index another synth
 * replaces meanwhile is read whole, old or new (it is renamed over), and an old one only vouches for files whose stamps
 * are unchanged since it was saved.
 */
export function readIndexFile(dir: string, codeKey: string): ReadIndex {
  const file = path.join(dir, 'files.json');
  const none: ReadIndex = { dir, codeKey, ...EMPTY_INDEX };
  try {
    const savedMs = fs.lstatSync(file).mtimeMs;
    // One line per file, tab-separated (digest, stamp, path: a path may hold anything but a newline), under a
    // line per folder (a tab, then its path): much quicker to read than JSON for 116,000 files.
    const text = readCacheFile(file);
    const first = text.indexOf('\n');
    const second = text.indexOf('\n', first + 1);
    if (first < 0 || second < 0 || text.slice(0, first) !== INDEX_FORMAT) return none;
    const saved = JSON.parse(text.slice(first + 1, second)) as unknown;
    if (typeof saved !== 'string' || !saved.startsWith(`${codeKey}\n`)) return none;
    const folders = new Map<string, FolderLines>();
    let folder: { slots: Map<string, number>; starts: number[] } | undefined;
    for (let at = second + 1; at < text.length; ) {
      const end = text.indexOf('\n', at);
      const stop = end < 0 ? text.length : end;
      if (text.charCodeAt(at) === TAB) folders.set(text.slice(at + 1, stop), (folder = { slots: new Map(), starts: [] }));
      else if (folder && stop > at) {
        const a = text.indexOf('\t', at);
        const b = a < 0 ? -1 : text.indexOf('\t', a + 1);
        if (a > at && b > a && b < stop) {
          // A path met twice in a folder (no index edgewatt writes has one) keeps its last line, as a map would.
          // Set, not looked up first (one hash lookup a line): the earlier line's slot is then left to no path, so it is
          // never kept (FolderIndex.lines).
          folder.slots.set(text.slice(b + 1, stop), folder.starts.length);
          folder.starts.push(at);
        }
      }
      at = stop + 1;
    }
    return { dir, codeKey, text, folders, saved, savedMs };
  } catch {
    return none; // no index yet, or unreadable: every file is read
  }
}
