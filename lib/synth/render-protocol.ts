import { Problem } from '../core/errors';
import { StageResult } from './stager';

/** The messages between the main thread (render-pool.ts) and the render worker (render-worker.ts). */

/** What the worker is started with. */
export interface RenderWorkerData {
  /** An Int32Array's buffer: the worker adds 1 to element 0 and notifies after every message it posts. */
  readonly signal: SharedArrayBuffer;
  /** The render cache folder; none: bodies only, no digests. */
  readonly cacheDir?: string;
  /** The cache key (validationCacheKey). */
  readonly key: string;
  /** Keep each body until a 'stage' message asks for it (synthToDir stages the files in the worker). */
  readonly retain: boolean;
}

/** One folder to stage in the worker: each file an object's index (in the order objects were sent) or a final text. */
export interface StageFolder {
  /** The folder (resolved). */
  readonly abs: string;
  /** How it is named in messages. */
  readonly label: string;
  /** Its staging folder (lib/synth/journal.ts txnEntry). */
  readonly staging: string;
  readonly files: ReadonlyArray<readonly [string, number | string]>;
}

/** Main thread to worker: a batch of final objects, or the end (keep this run's bodies as the cache, or not). */
export type ToWorker =
  | { readonly type: 'batch'; readonly id: number; readonly objects: object[] }
  | { readonly type: 'stage'; readonly header: string; readonly folders: ReadonlyArray<StageFolder> }
  | { readonly type: 'commit' }
  | { readonly type: 'abort' };

/** Worker to main thread. */
export type FromWorker =
  | { readonly type: 'digests'; readonly id: number; readonly digests: string[] }
  | { readonly type: 'bodies'; readonly id: number; readonly bodies: string[] }
  | { readonly type: 'staged'; readonly results: StageResult[] }
  | { readonly type: 'stage-error'; readonly heading: string; readonly problems: Problem[] }
  | { readonly type: 'ended' }
  | { readonly type: 'error'; readonly message: string };
