import * as fs from 'fs';
import * as path from 'path';
import { objectDigest } from '../core/object-digest';
import { cacheTempFile, makeCacheDir, readCacheFile } from '../validate/cache-files';
import { libraryYamlBody, templatedBody, yamlBody } from './serialize';

/** From this size on, render.json is first only listed, and its bodies read only when the sample asks (BodyStore.load). */
export const SAMPLE_FROM_BYTES = 8 * 1024 * 1024;
/**
 * A listed render.json is decided on the first this many bodies asked for: its bodies are read when at least half of
 * them are in it (SAMPLE_SHARE), and given up otherwise. Not sooner: with the stack renamed, the objects that do not
 * name it come first, and their bodies, 16 of them, made such a synth read the whole file (~250 MB of the render
 * worker's heap at 100,000 devices) for the few it could use.
 */
const SAMPLE_ASKED = 512;
/** The share of the bodies asked for that must be in a listed render.json for its bodies to be read. */
const SAMPLE_SHARE = 0.5;

/** What rendering a batch of objects gives: each object's YAML body and, with a cache, its content digest. */
export interface RenderedBatch {
  readonly bodies: string[];
  /** objectDigest of each object; only with a cache folder (the validation cache needs them too). */
  readonly digests?: string[];
}

/**
 * The render cache's store: the YAML body of every object the last synth into a folder rendered, by the object's
 * content digest (objectDigest), in `<cache folder>/render.json` beside the validation cache. An unchanged object's
 * body is taken from it instead of being serialized again (the `yaml` library is a third of a synth). It is opened
 * under the validation cache's key, which covers edgewatt's code and the `yaml` package's version, so another
 * serializer never reuses a body; two objects with one digest serialize to the same bytes.
 *
 * This run's bodies are streamed to a temporary file as they are rendered (never held twice in memory) and the
 * file replaces render.json only on commit(), after a successful write; abort() removes it. Used on the main
 * thread for small stacks and inside the render worker (render-worker.ts) for large ones.
 *
 * With `defer` (the file index knows the last run's files, so only changed objects need a body) render.json is
 * read only once more than `defer` bodies were asked for: a one-device change does not read 116,000 bodies to
 * use none. A run that never read it leaves render.json as it was on commit (its bodies are still right for
 * their digests). A large render.json is first only listed, and its bodies read only when the bodies asked for
 * are in it (load).
 */
export class BodyStore {
  /**
   * Opens the store of `dir` under `key`; no folder: bodies are rendered, nothing is kept. `defer`: how many bodies
   * are rendered before render.json is read (@default 0: read on first use).
   */
  public static open(dir: string | undefined, key: string, options: { readonly defer?: number; readonly sampleFromBytes?: number } = {}): BodyStore {
    return new BodyStore(dir, key, options.defer ?? 0, options.sampleFromBytes ?? SAMPLE_FROM_BYTES);
  }

  private old = new Map<string, string>();
  private readonly written = new Set<string>();
  private fd: number | undefined;
  private tmp: string | undefined;
  private pending: string[] = [''];
  private readonly file: string | undefined;
  private failed = false;
  private loaded = false;
  /** A large render.json's digests, while its bodies are not read yet (see sample). */
  private sampled: { readonly digests: ReadonlySet<string>; asked: number; hits: number } | undefined;

  private constructor(
    private readonly dir: string | undefined,
    private readonly key: string,
    private defer: number,
    private readonly sampleFromBytes: number,
  ) {
    if (dir !== undefined) this.file = path.join(dir, 'render.json');
    if (defer === 0) this.load();
  }

  /**
   * Reads render.json (once). One of `sampleFromBytes` or more is first only listed (its digests): its bodies are
   * read when half of the first SAMPLE_ASKED bodies asked for are in it, and never when fewer are —
   * a synth that changes every object (the stack renamed) otherwise read 57 MB of bodies at 100,000 devices, about
   * 250 MB of memory, to use none (before the device requests' bodies were left out of render.json: ~10 MB since). Such a run's own bodies become the cache on commit.
   */
  private load(): void {
    if (this.loaded || this.file === undefined || this.sampled) return;
    let text: string;
    try {
      text = readCacheFile(this.file);
    } catch {
      this.loaded = true; // no cache yet, or unreadable: render everything
      return;
    }
    if (text.length < this.sampleFromBytes) return this.parse(text);
    const digests = new Set<string>();
    const head = `{"key":${JSON.stringify(this.key)},"bodies":{`;
    // Every entry is `"<digest>":"<body>"` after the key (remember); a body's own quotes are escaped.
    // Each digest copied (latin1: a digest is base64): a match is a slice of the text, and would keep all of it (57 MB
    // at 100,000 devices, twice that as a two-byte string) for as long as the listing lives.
    if (text.startsWith(head)) for (const m of text.slice(head.length).matchAll(/(?:^|,)"([A-Za-z0-9+/=]+)":"/g)) digests.add(Buffer.from(m[1], 'latin1').toString('latin1'));
    this.sampled = { digests, asked: 0, hits: 0 };
  }

  private parse(text: string): void {
    this.loaded = true;
    this.sampled = undefined;
    try {
      const data = JSON.parse(text) as { key?: unknown; bodies?: unknown };
      if (data.key === this.key && data.bodies && typeof data.bodies === 'object') {
        this.old = new Map(Object.entries(data.bodies as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
      }
    } catch {
      /* unreadable: render everything */
    }
  }

  /** With a sampled render.json: counts one asked body, and reads the bodies or gives them up as the sample says. */
  private sample(digest: string): void {
    const s = this.sampled;
    if (!s) return;
    s.asked++;
    if (s.digests.has(digest)) s.hits++;
    if (s.asked < SAMPLE_ASKED) return;
    if (s.hits >= s.asked * SAMPLE_SHARE) {
      try {
        this.parse(readCacheFile(this.file as string));
      } catch {
        this.sampled = undefined; // decided: not read again at every body asked for
        this.loaded = true;
      }
    } else {
      this.sampled = undefined;
      this.loaded = true; // given up: this run's bodies replace render.json on commit
    }
  }

  /** How many bodies were loaded (reading render.json if it was deferred). */
  public get size(): number {
    this.load();
    return this.old.size;
  }

  /** Whether bodies are cached (and digests computed). */
  public get cached(): boolean {
    return this.dir !== undefined;
  }

  /** Renders (or finds) the body of each object, in order; `known` are their digests when already computed. */
  public render(objects: ReadonlyArray<object>, known?: ReadonlyArray<string>): RenderedBatch {
    if (this.dir === undefined) return { bodies: objects.map(yamlBody) };
    const digests = known ? [...known] : objects.map(objectDigest);
    return { bodies: objects.map((o, i) => this.body(o, digests[i])), digests };
  }

  /**
   * Renders (or finds) one object's body; `digest` is its objectDigest when already computed. A body put together
   * from a template (templatedBody: the fleet's device requests) is neither looked up nor kept: it is quicker to
   * make than to read back, and render.json stays without them (at 100,000 devices ~10 MB instead of ~57 MB). So a
   * request's file that the file index does not know unchanged (no files.json, or its stamp changed) has its batch
   * asked for ('need'), where render.json used to give its body.
   */
  public body(object: object, digest?: string): string {
    const made = templatedBody(object);
    if (made !== undefined) return made;
    if (this.dir === undefined) return libraryYamlBody(object);
    const d = digest ?? objectDigest(object);
    if (!this.loaded && --this.defer < 0) this.load();
    this.sample(d);
    const b = this.old.get(d) ?? libraryYamlBody(object);
    this.remember(d, b);
    return b;
  }

  /**
   * The body of `digest` when render.json is read and has it (kept as this run's, as body() keeps it); undefined
   * otherwise, without reading or sampling render.json (body() with the object does that).
   */
  public cachedBody(digest: string): string | undefined {
    if (this.dir === undefined || !this.loaded) return undefined;
    const b = this.old.get(digest);
    if (b !== undefined) this.remember(digest, b);
    return b;
  }

  /** An object whose file is unchanged (no body asked for): its cached body stays in the cache. */
  public keep(digest: string): void {
    const b = this.old.get(digest);
    if (b !== undefined) this.remember(digest, b);
  }

  /**
   * Keeps bodies rendered elsewhere (the main thread helping the render worker) as this run's, by their digests. They
   * were asked for, so they count for the sample of a listed render.json as the bodies body() gives do (when the main
   * thread renders most of them, the sample is decided all the same). `made`: the indexes of bodies put together from a
   * template, which are not kept (as body() keeps none).
   */
  public adopt(digests: ReadonlyArray<string> | undefined, bodies: ReadonlyArray<string>, made: ReadonlyArray<number> = []): void {
    if (this.dir === undefined || !digests) return;
    const skip = new Set(made);
    digests.forEach((d, i) => {
      if (skip.has(i)) return;
      this.sample(d);
      this.remember(d, bodies[i]);
    });
  }

  /** Appends one body to this run's file (once per digest), a thousand entries per write. */
  private remember(digest: string, body: string): void {
    if (this.failed || this.written.has(digest)) return;
    this.written.add(digest);
    this.pending.push(`${JSON.stringify(digest)}:${JSON.stringify(body)}`);
    if (this.pending.length > 1000) this.flush();
  }

  private flush(): void {
    try {
      if (this.fd === undefined) {
        makeCacheDir(this.dir as string);
        this.tmp = cacheTempFile(this.file as string);
        this.fd = fs.openSync(this.tmp, 'w');
        fs.writeSync(this.fd, `{"key":${JSON.stringify(this.key)},"bodies":{`);
        this.pending = this.pending.slice(1); // the first entry has no comma before it
      }
      fs.writeSync(this.fd, this.pending.join(','));
    } catch {
      this.abort(); // a read-only or odd place: the next run renders everything
      this.failed = true;
    }
    this.pending = [''];
  }

  /** Makes this run's bodies the cache (stale ones dropped); a failure to write is ignored (the cache is a shortcut). */
  public commit(): void {
    if (this.dir === undefined) return;
    if (!this.loaded) return this.abort(); // render.json was not read: it stays, still right for its digests
    if (this.failed || this.written.size === 0) return;
    this.flush();
    if (this.fd === undefined || this.tmp === undefined) return;
    try {
      fs.writeSync(this.fd, '}}');
      fs.closeSync(this.fd);
      this.fd = undefined;
      fs.renameSync(this.tmp, this.file as string);
    } catch {
      this.abort();
    }
  }

  /** Drops this run's file (the synth failed): render.json stays as it was. */
  public abort(): void {
    try {
      if (this.fd !== undefined) fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = undefined;
    if (this.tmp) fs.rmSync(this.tmp, { force: true });
  }
}
