import * as fs from 'fs';
import * as path from 'path';

/** The names of a FileMap's files: a WrittenFiles' without filling its map (WrittenFiles.names). */
export function fileNamesOf(files: ReadonlyMap<string, string>): ReadonlyArray<string> {
  return files instanceof WrittenFiles ? files.names() : [...files.keys()];
}

/**
 * The files of a tree synthToDir has just written, read back from the folder when a value is asked for. A large
 * synth renders and writes its files on the render worker, so the main thread never holds every file's text
 * (72 MB for 100,000 devices): the names are here at once, each text is the file's bytes on disk as written
 * (and as a fresh synth would give them), read on each access. Behaves as a read-only Map for reading code. Its
 * names go into the map on first use (116,000 names took ~50 ms of every 100,000-device synth, whose caller may
 * never look).
 */
export class WrittenFiles extends Map<string, string> {
  /** The names not yet in the map (until first use). */
  private pending: ReadonlyArray<string> | undefined;

  /**
   * @param dir the folder written (resolved)
   * @param paths the files in it, relative, in order
   */
  public constructor(
    private readonly dir: string,
    paths: ReadonlyArray<string>,
  ) {
    super();
    this.pending = paths;
  }

  /** Puts the names into the map, once. */
  private fill(): void {
    const paths = this.pending;
    if (paths === undefined) return;
    this.pending = undefined;
    for (const p of paths) super.set(p, '');
  }

  /** The number of files, without putting their names into the map (the names are distinct). */
  public override get size(): number {
    return this.pending !== undefined ? this.pending.length : super.size;
  }

  /**
   * The files' names, in order, without putting them into the map (`edgewatt synth` counts the objects among them:
   * filling the map for it took ~0.1 s of each synth at 100,000 devices).
   */
  public names(): ReadonlyArray<string> {
    return this.pending ?? [...super.keys()];
  }

  public override has(rel: string): boolean {
    this.fill();
    return super.has(rel);
  }

  public override keys(): ReturnType<Map<string, string>['keys']> {
    this.fill();
    return super.keys();
  }

  public override delete(rel: string): boolean {
    this.fill();
    return super.delete(rel);
  }

  public override clear(): void {
    this.pending = undefined;
    super.clear();
  }

  public override get(rel: string): string | undefined {
    return this.has(rel) ? fs.readFileSync(path.join(this.dir, rel), 'utf8') : undefined;
  }

  public override values(): ReturnType<Map<string, string>['values']> {
    const keys = this.keys();
    const read = (rel: string) => this.get(rel) as string;
    return (function* () {
      for (const k of keys) yield read(k);
    })() as ReturnType<Map<string, string>['values']>;
  }

  public override entries(): ReturnType<Map<string, string>['entries']> {
    const keys = this.keys();
    const read = (rel: string) => this.get(rel) as string;
    return (function* (): Generator<[string, string]> {
      for (const k of keys) yield [k, read(k)];
    })() as ReturnType<Map<string, string>['entries']>;
  }

  public override [Symbol.iterator](): ReturnType<Map<string, string>['entries']> {
    return this.entries();
  }

  public override forEach(callback: (value: string, key: string, map: Map<string, string>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  public override set(): this {
    throw new Error('the files of a written tree are read-only');
  }
}
