import { MessagePort } from 'worker_threads';
import { Problem } from '../core/errors';
import { Entry, Finding } from './types';

/**
 * What a tree loader's worker thread (load-worker.ts) is given: the tree, its files' names in order, and the shared
 * counters (`shared`, two Int32: the next chunk to claim, and a counter each message adds 1 to and notifies).
 */
export interface LoadWorkerData {
  readonly dir: string;
  readonly label: string;
  readonly names: ReadonlyArray<string>;
  readonly chunkFiles: number;
  readonly shared: SharedArrayBuffer;
  /** The loader's `keep` filter as its source and flags (a RegExp is not cloned with its state). */
  readonly keep?: { readonly source: string; readonly flags: string };
  readonly port: MessagePort;
}

/** One chunk's objects, findings and refused files, or the first file of it whose read threw (the main thread reads the chunk again). */
export type ChunkResult =
  | { readonly chunk: number; readonly entries: Entry[]; readonly findings: Finding[]; readonly refused: Problem[] }
  | { readonly chunk: number; readonly failed: string };

/** Index of the next chunk to claim in the shared counters. */
export const NEXT_CHUNK = 0;
/** Index of the message counter in the shared counters. */
export const MESSAGES = 1;
