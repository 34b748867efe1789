import * as fs from 'fs';
import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { rememberObjectDigest } from '../validate/cache';
import { SpecError } from '../core/errors';
import { BodyStore } from './body-store';
import { StageResult } from './stager';
import { FromWorker, RenderWorkerData, ToWorker } from './render-protocol';
import { yamlBody } from './serialize';

/**
 * Renders the YAML bodies of a synth's objects, on a second core when the stack is large: objects are added as
 * each chart is built, a worker thread (render-worker.ts) serializes them while this thread goes on building and
 * validating, and `body` waits (synchronously) for the one asked for. Below `threshold` objects everything is
 * rendered on this thread (a worker costs about 50 ms to start). The bytes are the same either way: both run
 * yamlBody through BodyStore.
 *
 * With a cache folder it is also the render cache (BodyStore) and gives every object's content digest, which the
 * validation cache uses (digests() seeds objectDigest's memo). End with commit() (this run's bodies become the
 * cache) after a successful write, or abort(); either stops the worker.
 */
export interface BodyRenderer {
  /** Queues final objects (not changed afterwards) for rendering. */
  add(objects: ReadonlyArray<object>): void;
  /** The YAML body (yamlBody) of an object; one never added is rendered here. */
  body(object: object): string;
  /** Makes objectDigest of every added object known without hashing it here (no-op without a cache). */
  digests(): void;
  /** Keeps this run's bodies as the render cache and stops. */
  commit(): void;
  /** Stops without touching the render cache. */
  abort(): void;
  /**
   * Stages the output folders in the worker as the bodies come (see FolderStager), while this thread validates;
   * only when threaded and opened with `stage: true`. Each LayoutEntry is an added object or a final text.
   */
  stage(header: string, folders: ReadonlyArray<{ readonly abs: string; readonly label: string; readonly staging: string; readonly files: ReadonlyArray<readonly [string, object | string]> }>): void;
  /** Waits for the staging asked for by stage(); a folder that cannot be replaced throws its SpecError. */
  staged(): StageResult[];
  /** Whether a worker thread renders. */
  readonly threaded: boolean;
}

/** Options of openBodyRenderer. */
export interface BodyRendererOptions {
  /** The render cache folder (render.json). @default - no cache: no digests, nothing kept */
  readonly cacheDir?: string;
  /** The cache key (validationCacheKey). @default '' */
  readonly key?: string;
  /** From how many added objects on a worker thread renders. @default 2000 */
  readonly threshold?: number;
  /** How long to wait for the worker's next message before failing, in milliseconds. @default 120000 */
  readonly timeoutMs?: number;
  /** The worker will be asked to stage the output folders (it keeps bodies until then). @default false */
  readonly stage?: boolean;
}

/** At most this many objects are with the worker, not yet rendered; more makes add() wait. */
const MAX_IN_FLIGHT = 30_000;

/** The compiled worker: beside this file when running from build/, else build/ of the package (tests run lib/ from TypeScript). */
function workerFile(): string | undefined {
  const candidates = [path.join(__dirname, 'render-worker.js'), path.resolve(__dirname, '..', '..', 'build', 'lib', 'synth', 'render-worker.js')];
  return candidates.find((f) => fs.existsSync(f));
}

/** Opens a renderer; see BodyRenderer. */
export function openBodyRenderer(options: BodyRendererOptions = {}): BodyRenderer {
  return new Renderer(options);
}

class Renderer implements BodyRenderer {
  private readonly batches: object[][] = [];
  private readonly bodies = new Map<object, string>();
  private readonly digested = new Set<number>();
  private sent = 0;
  private inFlight = 0;
  private added = 0;
  private store: BodyStore | undefined;
  private worker: { readonly worker: Worker; readonly port: MessagePort; readonly counter: Int32Array } | undefined;
  private ended = false;
  private error: string | undefined;
  private readonly index = new Map<object, number>();
  private stagedResults: StageResult[] | undefined;

  public constructor(private readonly options: BodyRendererOptions) {}

  public get threaded(): boolean {
    return this.worker !== undefined;
  }

  public add(objects: ReadonlyArray<object>): void {
    if (objects.length === 0) return;
    this.batches.push([...objects]);
    for (const o of objects) this.index.set(o, this.added++);
    if (!this.worker && !this.store && this.added >= (this.options.threshold ?? 2000)) this.start();
    if (this.worker) this.send();
  }

  public body(object: object): string {
    let b = this.bodies.get(object);
    if (b !== undefined) return b;
    if (this.worker) {
      this.send();
      while ((b = this.bodies.get(object)) === undefined && this.pending()) this.receive();
    } else {
      this.renderHere();
      b = this.bodies.get(object);
    }
    return b ?? yamlBody(object);
  }

  public digests(): void {
    if (this.options.cacheDir === undefined) return;
    if (!this.worker) return this.renderHere(); // BodyStore hashes each object through objectDigest's memo
    this.send();
    while (this.digested.size < this.sent) this.receive();
  }

  public stage(header: string, folders: Parameters<BodyRenderer['stage']>[1]): void {
    if (!this.worker || !this.options.stage) throw new Error('stage() needs a threaded renderer opened with stage: true');
    this.send();
    const message: ToWorker = {
      type: 'stage',
      header,
      folders: folders.map((f) => ({
        abs: f.abs,
        label: f.label,
        staging: f.staging,
        files: f.files.map(([rel, c]): [string, number | string] => [rel, typeof c === 'string' ? c : (this.index.get(c) ?? `${header}\n${yamlBody(c)}`)]),
      })),
    };
    this.worker.port.postMessage(message);
  }

  public staged(): StageResult[] {
    while (!this.stagedResults) this.receive();
    return this.stagedResults;
  }

  public commit(): void {
    this.end('commit');
  }

  public abort(): void {
    this.end('abort');
  }

  private end(how: 'commit' | 'abort'): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.worker) {
      if (how === 'commit') this.renderHere();
      if (how === 'commit') this.store?.commit();
      else this.store?.abort();
      return;
    }
    const { worker, port } = this.worker;
    try {
      if (how === 'commit') this.send();
      port.postMessage({ type: how } satisfies ToWorker);
      if (this.error === undefined) while (this.receive() !== 'ended');
    } catch {
      /* the cache is a shortcut: a worker that failed at the end leaves the old render.json */
    } finally {
      port.close();
      void worker.terminate();
    }
  }

  /** Renders every added object on this thread. */
  private renderHere(): void {
    this.store ??= BodyStore.open(this.options.cacheDir, this.options.key ?? '');
    for (; this.sent < this.batches.length; this.sent++) {
      const objects = this.batches[this.sent];
      const { bodies } = this.store.render(objects);
      objects.forEach((o, i) => this.bodies.set(o, bodies[i]));
    }
  }

  private start(): void {
    const file = workerFile();
    if (!file) return;
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const data: RenderWorkerData & { port: MessagePort } = { signal, cacheDir: this.options.cacheDir, key: this.options.key ?? '', retain: this.options.stage ?? false, port: port2 };
    const worker = new Worker(file, { workerData: data, transferList: [port2] });
    worker.unref();
    this.worker = { worker, port: port1, counter: new Int32Array(signal) };
  }

  private send(): void {
    const w = this.worker as NonNullable<Renderer['worker']>;
    for (; this.sent < this.batches.length; this.sent++) {
      w.port.postMessage({ type: 'batch', id: this.sent, objects: this.batches[this.sent] } satisfies ToWorker);
      this.inFlight += this.batches[this.sent].length;
    }
    // Back pressure: the worker's copies of objects not yet rendered are memory too (a 100,000-device fleet).
    while (this.inFlight > MAX_IN_FLIGHT) this.receive();
  }

  /** Whether bodies are still to come. */
  private pending(): boolean {
    return this.batches.some((b) => b.length > 0);
  }

  /** Waits for the worker's next message and takes it in; returns its type. */
  private receive(): FromWorker['type'] {
    const { port, counter } = this.worker as NonNullable<Renderer['worker']>;
    for (;;) {
      const seen = Atomics.load(counter, 0);
      const m = receiveMessageOnPort(port)?.message as FromWorker | undefined;
      if (m) return this.take(m);
      if (Atomics.wait(counter, 0, seen, this.options.timeoutMs ?? 120_000) === 'timed-out') {
        throw new Error(`the render worker (${workerFile()}) sent nothing for ${(this.options.timeoutMs ?? 120_000) / 1000} s: run again with --no-cache, or report the stack`);
      }
    }
  }

  private take(m: FromWorker): FromWorker['type'] {
    if (m.type === 'error') {
      this.error = m.message;
      throw new Error(`the render worker failed: ${m.message}`);
    }
    if (m.type === 'stage-error') {
      this.error = m.heading;
      throw new SpecError(m.problems, m.heading);
    }
    if (m.type === 'staged') this.stagedResults = m.results;
    if (m.type === 'digests') {
      this.batches[m.id].forEach((o, i) => rememberObjectDigest(o, m.digests[i]));
      this.digested.add(m.id);
    } else if (m.type === 'bodies') {
      this.batches[m.id].forEach((o, i) => this.bodies.set(o, m.bodies[i]));
      this.inFlight -= this.batches[m.id].length;
      this.batches[m.id] = [];
    }
    return m.type;
  }
}
