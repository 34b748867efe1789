import * as fs from 'fs';
import * as path from 'path';
import { Problem, SpecError } from '../core/errors';
import { GENERATED_JSON_PREFIX, GENERATED_PREFIX } from './serialize';
import { FileIndex, fileIn, FolderIndex, sizeOfStamp, stampOf, textDigest, writeStamped } from './file-index';
import { listTree, NOT_REGULAR_FIX, readRegularFile, TreeDiff } from './tree';

/** A FolderStager for each folder of a write (render-protocol.ts StagingFolder), each with its part of `index`. */
export function openStagers(folders: ReadonlyArray<{ readonly abs: string; readonly label: string; readonly staging: string }>, index?: FileIndex): FolderStager[] {
  return folders.map((f) => new FolderStager(f.abs, f.label, f.staging, index?.folder(f.abs)));
}

/**
 * Stages objects: each file (folder index, path) from the `from`th on gets `header`, a newline and its object's
 * body (`body(i)`). With the objects' digests and a file index, a file known to hold its object already is neither
 * rendered nor read: `kept(i)` is called for it instead. `stamps`: each file's stamp, taken already during this synth
 * (FolderIndex.unchanged); @default - each taken when its file is staged
 */
export function stageObjects(
  stagers: ReadonlyArray<FolderStager>,
  header: string,
  files: ReadonlyArray<readonly [number, string]> | undefined,
  digests: ReadonlyArray<string> | undefined,
  body: (i: number) => string,
  kept: (i: number) => void = () => undefined,
  from = 0,
  stamps?: ReadonlyArray<string | null>,
): void {
  for (let i = from; i < (files?.length ?? 0); i++) {
    const [folder, rel] = (files as ReadonlyArray<readonly [number, string]>)[i];
    const stager = stagers[folder];
    const digest = digests?.[i];
    if (stager.knownObject(rel, digest, stamps?.[i])) kept(i);
    else stager.stageObject(rel, `${header}\n${body(i)}`, digest);
  }
}

/** Markers a file must start with for the writer to replace or remove it. */
const GENERATED_MARKERS = [GENERATED_PREFIX, `<!-- ${GENERATED_PREFIX.slice(2)}`, GENERATED_JSON_PREFIX];

/** Whether a file's bytes start as edgewatt's generated files do (GENERATED_MARKERS): the writer may replace it. */
export function startsGenerated(content: Buffer): boolean {
  return GENERATED_MARKERS.some((m) => content.subarray(0, m.length).toString('utf8') === m);
}

/** What staging one folder found and did. */
export interface StageResult extends TreeDiff {
  /** Files left exactly as they were (content and mtime). */
  readonly unchanged: number;
  /** Whether the staging folder holds the new tree (false: nothing differs and nothing was staged). */
  readonly staged: boolean;
  /** When few files differ: the staging folder holds only the files to write, and these are applied in place. */
  readonly patch?: { readonly write: string[]; readonly remove: string[] };
}

/** Up to how many written files (and at least this share of the tree) a write is a patch rather than a swap. */
const PATCH_MIN_FILES = 16;
const PATCH_SHARE = 1 / 8;

/**
 * Builds the new tree of one folder in its staging folder, one file at a time (`put`, in any order), so the files
 * can be staged as they are rendered, while the synth is still validating: a file whose content is unchanged is
 * carried over with its mtime (a hard link), the others are written. The folder's current files are listed up
 * front but read one at a time, when the same path is put (or, for files the synth no longer makes, at the end),
 * so the old tree is never held in memory. When the folder is empty everything is written at once. Otherwise
 * the differing files are held until `finish`: an unchanged tree is not touched at all, and when few files
 * differ (at most an eighth of the tree, or 16 files) only they are staged, as a patch applied in place at the commit
 * (journal.ts); once more differ, the whole new tree is staged (unchanged files hard-linked) and swapped in.
 * A file edgewatt did not generate, and anything but folders and regular files, make `finish` throw a SpecError
 * naming every such path. With a file index (file-index.ts) a file whose stamp and content hash the last synth
 * recorded is known unchanged without being read, one whose stamp it recorded but whose size differs from the new
 * content's is known changed without being read (as is a stale one known to be edgewatt's), and every file staged is
 * recorded for the next one.
 */
export class FolderStager {
  /** The folder's files when staging began, by slot (their number in the listing). */
  private readonly listed: string[];
  /**
   * With a file index: the slot of each file the last run recorded (by its line, lineOf), -1 when it is not there now.
   * A file's line is looked up once, and gives both whether it exists and what the index knows of it: no map of every
   * listed path as well (at 100,000 devices its 119,304 insertions and a second lookup a file took ~0.1-0.3 s of the
   * render worker's 1.4-1.8 s in a re-synth).
   */
  private readonly byLine: Int32Array | undefined;
  /** The slots of the listed files the index has no line for (every file without an index). */
  private readonly others = new Map<string, number>();
  /** By slot: whether the new tree has the existing file (a flag, not a set: one lookup a file, and no set to grow). */
  private readonly wanted: Uint8Array;
  /** What the last `find` found of its file (`found`): its slot (-1: not there) and its index line (-1: none). */
  private found: string | undefined;
  private slot = -1;
  private line = -1;
  private readonly missing: string[] = [];
  private readonly changed: string[] = [];
  private readonly unchanged: string[] = [];
  /** Files that differ, with what they hold (for the index), while the write can still be a patch. */
  private readonly pending = new Map<string, [content: string, digest: string]>();
  private readonly foreign: string[] = [];
  private readonly refused: Problem[] = [];
  private readonly made = new Set<string>();
  private open = false;
  private readonly patchLimit: number;

  /**
   * @param abs the folder (resolved)
   * @param label how it is named in messages
   * @param staging the staging folder to build (must not exist)
   * @param index this folder's part of the file index; none: every existing file is read
   */
  public constructor(
    private readonly abs: string,
    private readonly label: string,
    private readonly staging: string,
    private readonly index?: FolderIndex,
  ) {
    const listed = (this.listed = listTree(abs, label, false)); // found by path: the order is not needed
    if (index) {
      const byLine = (this.byLine = new Int32Array(index.lineCount).fill(-1));
      for (let i = 0; i < listed.length; i++) {
        const line = index.lineOf(listed[i]);
        if (line === undefined) this.others.set(listed[i], i);
        else byLine[line] = i;
      }
    } else for (let i = 0; i < listed.length; i++) this.others.set(listed[i], i);
    this.wanted = new Uint8Array(listed.length);
    this.patchLimit = Math.max(PATCH_MIN_FILES, Math.floor(listed.length * PATCH_SHARE));
    if (listed.length === 0) this.openStaging();
  }

  /** Finds the file at `rel`: sets `slot` (-1 when it does not exist) and `line` (its index line, -1 when none). */
  private find(rel: string): void {
    const line = this.index?.lineOf(rel);
    this.found = rel;
    this.line = line ?? -1;
    this.slot = line !== undefined ? (this.byLine as Int32Array)[line] : (this.others.get(rel) ?? -1);
  }

  /**
   * Stages an object's file, in two steps (no function made for each of a loop's files): whether the file index knows
   * the file at `rel` already holds the object with `digest` (its stamp, taken during this synth: `stamp`), so it is
   * unchanged without its content (the header and the object's YAML) being rendered or the file read; when it does
   * not, `stageObject` follows, for the same file, with its content (given another file, it finds that one again).
   */
  public knownObject(rel: string, digest: string | undefined, stamp?: string | null): boolean {
    return this.known(rel, digest, stamp);
  }

  /** See knownObject. */
  public stageObject(rel: string, content: string, digest: string | undefined): void {
    this.stage(rel, content, digest);
  }

  /** Stages one file of the new tree (a text: the index knows it by its textDigest). */
  public put(rel: string, content: string): void {
    const digest = this.index ? textDigest(content) : undefined;
    if (!this.known(rel, digest)) this.stage(rel, content, digest);
  }

  /**
   * Whether the file index knows the file at `rel` already holds `digest`: then it is unchanged, unread. Finds the
   * file (find) for stage, which follows when it is not.
   */
  private known(rel: string, digest: string | undefined, stamp?: string | null): boolean {
    this.find(rel);
    const slot = this.slot;
    if (slot >= 0) this.wanted[slot] = 1;
    if (digest === undefined || !this.index || slot < 0 || !this.index.unchanged(rel, digest, stamp, this.line)) return false;
    this.same(rel);
    return true;
  }

  /** Stages a file the index does not know unchanged (known, just before, found it): compared with the existing file, if any. */
  private stage(rel: string, content: string, digest: string | undefined): void {
    const d = digest ?? ''; // with an index every file has a digest; without one nothing is recorded
    if (this.found !== rel) this.find(rel); // known() found it just before; anything else is found again
    if (this.slot < 0) {
      this.missing.push(rel);
      this.hold(rel, content, d);
      return;
    }
    // Stamped before the read: a change after it changes the stamp, so the next run reads the file again.
    const stamp = this.index ? stampOf(fileIn(this.abs, rel)) : undefined;
    // A file the index vouches for (as the last run wrote it) whose size differs from the new content's differs: it is
    // not read (every file when every object changed, e.g. the stack renamed: 116,000 reads at 100,000 devices).
    if (stamp !== undefined && this.index?.vouches(rel, stamp, this.line) && sizeOfStamp(stamp) !== Buffer.byteLength(content, 'utf8')) {
      this.changed.push(rel);
      return this.hold(rel, content, d);
    }
    const have = this.read(rel);
    if (have !== undefined && have.equals(Buffer.from(content, 'utf8'))) {
      this.index?.record(rel, d, stamp);
      return this.same(rel);
    }
    this.changed.push(rel);
    this.hold(rel, content, d);
  }

  /** An existing file holds the content staged: it stays (linked into the new tree when one is staged). */
  private same(rel: string): void {
    this.unchanged.push(rel);
    if (this.open) this.keep(rel);
  }

  /** Writes a differing file, or holds it while the write can still be a patch. */
  private hold(rel: string, content: string, digest: string): void {
    if (this.open) return this.write(rel, content, digest, true);
    this.pending.set(rel, [content, digest]);
    if (this.pending.size > this.patchLimit) this.swap();
  }

  /** Too many differ for a patch: stage the whole new tree from here on. */
  private swap(): void {
    this.openStaging();
    for (const [rel, [content, digest]] of this.pending) this.write(rel, content, digest, true);
    for (const rel of this.unchanged) this.keep(rel);
    this.pending.clear();
  }

  /** Ends staging: the diff, and the staging folder complete when anything differs. */
  public finish(): StageResult {
    const stale: string[] = [];
    for (let slot = 0; slot < this.listed.length; slot++) if (this.wanted[slot] === 0) stale.push(this.listed[slot]);
    stale.sort(); // the listing is in the folders' own order
    // Each is read to be sure it is edgewatt's before it goes, unless the index vouches for it (as the last run wrote it).
    for (const rel of stale) if (!this.index?.vouches(rel, stampOf(fileIn(this.abs, rel)))) this.read(rel);
    if (this.refused.length > 0) throw new SpecError(this.refused, 'unsafe file in the tree');
    if (this.foreign.length > 0) {
      throw new SpecError(
        this.foreign.sort().slice(0, 20).map((rel) => ({
          path: path.join(this.label, rel),
          message: "was not generated by edgewatt; the folder is replaced whole, so move the file out or choose another folder (the output: --out, or the library's outdir; the Argo CD bootstrap: --argocd-out, or bootstrapDir)",
        })),
        'unsafe file in the tree',
      );
    }
    const diff = { missing: this.missing.sort(), changed: this.changed.sort(), stale };
    const clean = diff.missing.length + diff.changed.length + diff.stale.length === 0;
    if (clean) {
      if (this.open) fs.rmSync(this.staging, { recursive: true, force: true });
      return { ...diff, unchanged: this.unchanged.length, staged: false };
    }
    if (this.open) return { ...diff, unchanged: this.unchanged.length, staged: true };
    this.openStaging();
    const write = [...this.pending.keys()].sort();
    for (const rel of write) {
      const [content, digest] = this.pending.get(rel) as [string, string];
      this.write(rel, content, digest, false);
    }
    this.pending.clear();
    return { ...diff, unchanged: this.unchanged.length, staged: true, patch: { write, remove: diff.stale } };
  }

  /** An existing file's bytes, checked to be edgewatt's; undefined when it cannot be read as a regular file. */
  private read(rel: string): Buffer | undefined {
    const got = readRegularFile(path.join(this.abs, rel));
    if (typeof got === 'string') {
      this.refused.push({ path: path.join(this.label, rel), message: `${got}: ${NOT_REGULAR_FIX}` });
      return undefined;
    }
    if (!startsGenerated(got)) this.foreign.push(rel);
    return got;
  }

  private openStaging(): void {
    fs.mkdirSync(this.staging);
    this.made.add(this.staging);
    this.open = true;
  }

  private target(rel: string): string {
    const target = path.join(this.staging, rel);
    const dir = path.dirname(target);
    if (!this.made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    return target;
  }

  /**
   * Writes a file into the staging folder; `whole` when the staging folder becomes the folder (a swap, which keeps
   * the file's stamp, recorded here), not a patch (the commit moves the file: stamped then).
   */
  private write(rel: string, content: string, digest: string, whole: boolean): void {
    const target = this.target(rel);
    if (this.index && whole) return this.index.record(rel, digest, writeStamped(target, content));
    fs.writeFileSync(target, content);
    this.index?.record(rel, digest, undefined, textDigest(content));
  }

  /**
   * Carries an unchanged file into the new tree with its mtime: a hard link, or a copy with the old times. The
   * link (and removing the old tree) changes the file's stamp, so the index leaves it out: the next run reads it.
   */
  private keep(rel: string): void {
    this.index?.forget(rel);
    const from = path.join(this.abs, rel);
    const to = this.target(rel);
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
      const st = fs.statSync(from);
      fs.utimesSync(to, st.atime, st.mtime);
    }
  }
}
