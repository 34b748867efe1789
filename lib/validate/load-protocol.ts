import { MessagePort } from 'worker_threads';
import { Chunk } from './yaml-file';

/**
 * What a tree loader's worker thread (load-worker.ts) is given: the tree, its files' names in order, and the shared
 * counters (`shared`, two Int32: the next chunk to claim, and a counter each message adds 1 to and notifies).
 */
export interface LoadWorkerData {
  /** Marks the data of this worker (the module does nothing in a thread started otherwise). */
  readonly edgewattLoad: true;
  readonly dir: string;
  readonly label: string;
  readonly names: ReadonlyArray<string>;
  readonly chunkFiles: number;
  readonly shared: SharedArrayBuffer;
  /** The loader's `keep` filter as its source and flags (a RegExp is not cloned with its state). */
  readonly keep?: { readonly source: string; readonly flags: string };
  readonly port: MessagePort;
}

/** A warning a worker's parse emitted (the `yaml` library's, through process.emitWarning), re-emitted by the main thread. */
export interface LoadWarning {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/**
 * One chunk's objects, findings, refused files and warnings; or `here`: the main thread reads the chunk itself, because
 * a read threw (it throws there as on one thread) or a file uses an explicit YAML tag (`!!binary` gives a Buffer, which
 * a message between threads would make a plain Uint8Array).
 */
export type ChunkResult =
  | (Chunk & { readonly chunk: number; readonly warnings: LoadWarning[] })
  | { readonly chunk: number; readonly here: true };

/** Index of the next chunk to claim in the shared counters. */
export const NEXT_CHUNK = 0;
/** Index of the message counter in the shared counters. */
export const MESSAGES = 1;
