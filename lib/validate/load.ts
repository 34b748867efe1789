import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { Problem, SpecError } from '../core/errors';
import { walkNames } from '../synth/tree';
import { recoverTree } from '../synth/writer';
import { ChunkResult, LoadWorkerData, MESSAGES, NEXT_CHUNK } from './load-protocol';
import { Entry, Finding } from './types';
import { Chunk, readFiles } from './yaml-file';

/** From how many YAML files a tree is read and parsed on worker threads too (parsing is most of a large tree's read). */
export const PARALLEL_LOAD_FROM_FILES = 2000;

/** How many files a thread claims at a time. */
export const LOAD_CHUNK_FILES = 256;

/** At most this many worker threads read a tree beside the main thread. */
export const MAX_LOAD_WORKERS = 3;

/** With `mainReads: false`, workers that have sent nothing for this long have their missing chunks read by the main thread. */
const LOAD_STALL_MS = 120_000;

/** How the tree is read: for tests, and for callers that know better; every field has a default. */
export interface LoadOptions {
  /** From how many YAML files worker threads read the tree too. @default PARALLEL_LOAD_FROM_FILES */
  readonly parallelFrom?: number;
  /** How many worker threads. @default - one less than the machine's available parallelism, at most MAX_LOAD_WORKERS */
  readonly workers?: number;
  /** How many files a thread claims at a time. @default LOAD_CHUNK_FILES */
  readonly chunkFiles?: number;
  /**
   * Whether the main thread claims chunks too, and reads itself the chunks not in once none is left to claim (false: it
   * waits for the workers, so tests can be sure they read every chunk). @default true
   */
  readonly mainReads?: boolean;
  /** The workers' script (tests start a failing one). @default - the compiled load-worker.js */
  readonly workerFile?: string;
}

/** How a parallel read went (see loadStats). */
export interface LoadStats {
  /** Worker threads started (fewer than asked when the system refuses a thread). */
  readonly workers: number;
  /** Chunks of the tree. */
  readonly chunks: number;
  /** Chunks whose result came from a worker. */
  readonly byWorkers: number;
  /** How many times the main thread waited for a worker's message (only with `mainReads: false`). */
  readonly waits: number;
}

let lastStats: LoadStats = { workers: 0, chunks: 0, byWorkers: 0, waits: 0 };

/** How the last loadYamlTree that started worker threads read its tree (for tests; all zero before the first). */
export function loadStats(): LoadStats {
  return lastStats;
}

/**
 * Reads every object in the YAML files below `dir` (multi-document files too). The cluster of an object is
 * the first folder under `dir` when files sit in folders (the dist/<cluster>/<component>/ layout), else ".".
 * Files that do not parse are findings, not exceptions. With `keep`, only files whose text matches it are
 * parsed (a cheap prefilter for callers that need a few kinds out of a large tree). A write that a crash
 * interrupted is recovered first (recoverTree); anything but folders and regular files is refused (SpecError).
 * A large tree (`options.parallelFrom` files) is read and parsed on worker threads too, in chunks of files that each
 * thread claims in turn; the result is the same, in the same order (the files' sorted order), as read on one thread.
 */
export function loadYamlTree(dir: string, label = dir, keep?: RegExp, options: LoadOptions = {}): { entries: Entry[]; findings: Finding[] } {
  recoverTree(dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return { entries: [], findings: [{ file: label, pointer: '', message: 'is not a folder of YAML files' }] };
  }
  const refused: Problem[] = [];
  const names = walkNames(dir, label, refused).filter((rel) => /\.ya?ml$/.test(rel));
  const chunks = readChunks(dir, label, names, keep, options);
  const entries: Entry[] = [];
  const findings: Finding[] = [];
  for (const c of chunks) {
    for (const e of c.entries) entries.push(e);
    for (const f of c.findings) findings.push(f);
    for (const r of c.refused) refused.push(r);
  }
  if (refused.length > 0) throw new SpecError(refused, 'unsafe file in the tree');
  return { entries, findings };
}

/** The compiled worker: beside this file when running from build/, else build/ of the package (tests run lib/ from TypeScript). */
function workerFile(): string | undefined {
  const candidates = [path.join(__dirname, 'load-worker.js'), path.resolve(__dirname, '..', '..', 'build', 'lib', 'validate', 'load-worker.js')];
  return candidates.find((f) => fs.existsSync(f));
}

/**
 * The tree's files read in chunks of `chunkFiles`, in order. This thread and the workers claim chunks from one shared
 * counter, so a thread that parses faster takes more. Once none is left to claim, this thread reads every chunk that
 * has not come in yet itself, in order (a worker's result that comes first is taken instead): a worker that stopped
 * (out of memory, say) or is slow costs no waiting. A chunk whose read threw, here or on a worker, and a chunk a worker
 * left to this thread (see ChunkResult), are read here last, in order, so the first file whose read throws in sorted
 * order throws, as on one thread. The warnings of a worker's parse are emitted again here.
 */
function readChunks(dir: string, label: string, names: ReadonlyArray<string>, keep: RegExp | undefined, options: LoadOptions): Chunk[] {
  const chunkFiles = Math.max(1, Math.floor(options.chunkFiles ?? LOAD_CHUNK_FILES));
  const count = Math.ceil(names.length / chunkFiles);
  const wanted = names.length >= (options.parallelFrom ?? PARALLEL_LOAD_FROM_FILES) ? (options.workers ?? Math.min(MAX_LOAD_WORKERS, os.availableParallelism() - 1)) : 0;
  const workers = Math.min(wanted, count - 1);
  const file = workers > 0 ? (options.workerFile ?? workerFile()) : undefined;
  const read = (c: number): Chunk => readFiles(dir, label, names, c * chunkFiles, Math.min(names.length, (c + 1) * chunkFiles), keep);
  if (file === undefined) return count === 0 ? [] : [readFiles(dir, label, names, 0, names.length, keep)];
  const shared = new SharedArrayBuffer(8);
  const counters = new Int32Array(shared);
  const started: Array<{ readonly worker: Worker; readonly port: MessagePort }> = [];
  const chunks = new Array<Chunk | undefined>(count);
  /** Chunks to read here at the end (a read that threw, or one a worker left to this thread). */
  const later = new Set<number>();
  let byWorkers = 0;
  const settled = (c: number): boolean => chunks[c] !== undefined || later.has(c);
  const take = (m: ChunkResult): void => {
    if (settled(m.chunk)) return;
    if ('here' in m) return void later.add(m.chunk);
    for (const w of m.warnings) process.emitWarning(w.message, { type: w.name, ...(w.code ? { code: w.code } : {}) });
    chunks[m.chunk] = m;
    byWorkers++;
  };
  const poll = (): void => {
    for (const { port } of started) for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) take(m.message as ChunkResult);
  };
  const readHere = (c: number): void => {
    try {
      chunks[c] = read(c);
    } catch {
      later.add(c); // read again last, in order (below), which throws
    }
  };
  try {
    for (let i = 0; i < workers; i++) {
      const { port1, port2 } = new MessageChannel();
      const data: LoadWorkerData = { edgewattLoad: true, dir, label, names, chunkFiles, shared, port: port2, ...(keep ? { keep: { source: keep.source, flags: keep.flags } } : {}) };
      let worker: Worker;
      try {
        worker = new Worker(file, { workerData: data, transferList: [port2] });
      } catch {
        // A thread the system or Node's permission model refuses: the tree is read by the threads there are.
        port1.close();
        port2.close();
        break;
      }
      worker.unref();
      // A worker that fails leaves its chunks to this thread (every chunk not in is read here), so its error is not
      // reported again as an uncaught one.
      worker.on('error', () => undefined);
      started.push({ worker, port: port1 });
    }
    let waits = 0;
    if (options.mainReads === false) waits = waitForWorkers(count, counters, poll, settled);
    else {
      for (let c = Atomics.add(counters, NEXT_CHUNK, 1); c < count; c = Atomics.add(counters, NEXT_CHUNK, 1)) {
        readHere(c);
        poll();
      }
    }
    for (let c = 0; c < count; c++) {
      poll();
      if (!settled(c)) readHere(c);
    }
    for (const c of [...later].sort((a, b) => a - b)) chunks[c] = read(c);
    lastStats = { workers: started.length, chunks: count, byWorkers, waits };
  } finally {
    for (const { worker, port } of started) {
      port.close();
      void worker.terminate();
    }
  }
  return chunks as Chunk[];
}

/**
 * With `mainReads: false` (tests): waits until the workers have given every chunk, or none has come in for LOAD_STALL_MS
 * (the chunks missing are then read by readChunks here). Returns how many times it waited.
 */
function waitForWorkers(count: number, counters: Int32Array, poll: () => void, settled: (c: number) => boolean): number {
  let last = Date.now();
  let waits = 0;
  const missing = (): boolean => {
    for (let c = 0; c < count; c++) if (!settled(c)) return true;
    return false;
  };
  for (;;) {
    const seen = Atomics.load(counters, MESSAGES);
    poll();
    if (!missing()) return waits;
    waits++;
    if (Atomics.wait(counters, MESSAGES, seen, 1000) !== 'timed-out') last = Date.now();
    else if (Date.now() - last > LOAD_STALL_MS) return waits;
  }
}
