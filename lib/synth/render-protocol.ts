import { MessagePort } from 'worker_threads';
import { Problem } from '../core/errors';
import { StageResult } from './stager';

/** The messages between the main thread (render-pool.ts) and the render worker (render-worker.ts). */

/** A folder the renderer stages its files into (see beginWrite). */
export interface StagingFolder {
  /** The folder (resolved). */
  readonly abs: string;
  /** How it is named in messages. */
  readonly label: string;
  /** Its staging folder (lib/synth/journal.ts txnEntry). */
  readonly staging: string;
}

/** Where an object's file goes: the index of its folder among the staging folders, and its path in it. */
export type FileRef = readonly [folder: number, rel: string];

/** What a session (one synth's rendering) is started with. */
export interface RenderWorkerData {
  /** An Int32Array's buffer: the worker adds 1 to element 0 and notifies after every message it posts. */
  readonly signal: SharedArrayBuffer;
  /** The render cache folder; none: bodies only, no digests. */
  readonly cacheDir?: string;
  /** The cache key (validationCacheKey). */
  readonly key: string;
  /**
   * One Int32 per batch id (up to its length): 1 when the worker renders that batch, 2 when the main thread
   * does, or (warm caches) stamps its files ('stamps') (Atomics.compareExchange from 0, so each batch is rendered or
   * stamped once).
   */
  readonly claims: SharedArrayBuffer;
  /** Stage the files into these folders (the bodies are then not sent back); none: send the bodies back. */
  readonly staging?: Staging;
  /**
   * Without `staging`: the folders come in a 'staging' message before the first batch, and the file index of
   * `cacheDir` is read at once, before them. @default false (no staging: the bodies are sent back)
   */
  readonly stagingLater?: boolean;
}

/** The folders a synth stages its files into, and the header of every YAML file. */
export interface Staging {
  readonly header: string;
  readonly folders: ReadonlyArray<StagingFolder>;
}

/**
 * Main thread to worker, on the worker's own port: start a session (one synth's rendering) on the port it brings.
 * A worker runs one session at a time and waits for the next when it ends (render-pool.ts reuses it).
 */
export interface StartSession {
  readonly type: 'session';
  readonly data: RenderWorkerData & { readonly port: MessagePort };
}

/**
 * Main thread to worker, on the worker's own port: before a kept worker is given a session, the main thread asks
 * whether it still runs; the worker adds 1 to the counter in `signal` and notifies at once (worker-keeper.ts alive).
 * With `heap` (8 bytes), it first writes there its heap's used bytes (a Float64: v8.getHeapStatistics), so a test can
 * see what an idle worker holds.
 */
export interface PingWorker {
  readonly type: 'ping';
  readonly signal: SharedArrayBuffer;
  readonly heap?: SharedArrayBuffer;
}

/** Main thread to worker, on the session's port. */
export type ToWorker =
  /**
   * Final objects, serialized with v8.serialize (the structured clone postMessage would make, kept as compact
   * bytes until the worker renders them; an object whose body the main thread put together from a template goes as
   * that body, a string: render-pool.ts packObjects), with staging each object's file, and with a cache folder each
   * object's objectDigest (the worker then hashes nothing). With warm caches and staging, without `data`: the
   * worker asks for the objects ('need') when it has to render one.
   */
  | { readonly type: 'batch'; readonly id: number; readonly data?: Uint8Array; readonly files?: ReadonlyArray<FileRef>; readonly digests?: string[] }
  /** The objects of a batch sent without them (warm caches), which the worker asked for ('need'). */
  | { readonly type: 'objects'; readonly id: number; readonly data: Uint8Array }
  /** A batch the main thread rendered itself (it claimed it): the worker stages its files and keeps its bodies. */
  | {
      readonly type: 'rendered';
      readonly id: number;
      readonly bodies: string[];
      readonly digests?: string[];
      /** The indexes of the bodies put together from a template (templatedBody), which render.json does not keep. */
      readonly made?: number[];
    }
  /**
   * A batch sent without its objects (warm caches) that the main thread claimed while it waited for the worker: the
   * stamp (file-index.ts stampOf) of each of its files as the main thread took it (null: no regular file there), so
   * the worker stages it without taking them again (half the files of a one-device change then are stamped here).
   */
  | { readonly type: 'stamps'; readonly id: number; readonly stamps: ReadonlyArray<string | null> }
  /** The folders to stage into, for a session started with `stagingLater` (before any batch). */
  | { readonly type: 'staging'; readonly staging: Staging }
  /** No more objects; the files that are texts already. */
  | { readonly type: 'files-end'; readonly texts: ReadonlyArray<readonly [number, string, string]> }
  /**
   * The end: keep this run's bodies as the render cache, or not (render-pool.ts may keep the worker for another
   * session). `objects`: how many the session was given (its worker collects its garbage after a large one).
   */
  | { readonly type: 'commit'; readonly objects?: number }
  | { readonly type: 'abort' };

/** Worker to main thread. */
export type FromWorker =
  /** A batch sent without its objects has a file to render: send them ('objects'). */
  | { readonly type: 'need'; readonly id: number }
  /** A batch rendered (and its files staged); the bodies only without staging. */
  | { readonly type: 'bodies'; readonly id: number; readonly bodies?: string[] }
  | { readonly type: 'staged'; readonly results: StageResult[] }
  | { readonly type: 'stage-error'; readonly heading: string; readonly problems: Problem[] }
  | { readonly type: 'ended' }
  | { readonly type: 'error'; readonly message: string };
