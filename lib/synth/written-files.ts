import * as fs from 'fs';
import * as path from 'path';

/**
 * The files of a tree synthToDir has just written, read back from the folder when a value is asked for. A large
 * synth renders and writes its files on the render worker, so the main thread never holds every file's text
 * (72 MB for 100,000 devices): the names are here at once, each text is the file's bytes on disk as written
 * (and as a fresh synth would give them), read on each access. Behaves as a read-only Map for reading code.
 */
export class WrittenFiles extends Map<string, string> {
  /**
   * @param dir the folder written (resolved)
   * @param paths the files in it, relative, in order
   */
  public constructor(
    private readonly dir: string,
    paths: Iterable<string>,
  ) {
    super();
    for (const p of paths) super.set(p, '');
  }

  public override get(rel: string): string | undefined {
    return super.has(rel) ? fs.readFileSync(path.join(this.dir, rel), 'utf8') : undefined;
  }

  public override values(): ReturnType<Map<string, string>['values']> {
    const keys = super.keys();
    const read = (rel: string) => this.get(rel) as string;
    return (function* () {
      for (const k of keys) yield read(k);
    })() as ReturnType<Map<string, string>['values']>;
  }

  public override entries(): ReturnType<Map<string, string>['entries']> {
    const keys = super.keys();
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
