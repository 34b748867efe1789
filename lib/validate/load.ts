import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { Problem, SpecError } from '../core/errors';
import { NOT_REGULAR_FIX, readRegularFile, walkNames } from '../synth/tree';
import { recoverTree } from '../synth/writer';
import { ChunkResult, LoadWorkerData, MESSAGES, NEXT_CHUNK } from './load-protocol';
import { Entry, Finding } from './types';
import { clusterOfFile, readYamlObjects } from './yaml-file';

/** From how many YAML files a tree is read and parsed on worker threads too (parsing is most of a large tree's read). */
export const PARALLEL_LOAD_FROM_FILES = 2000;

/** How many files a thread claims at a time. */
export const LOAD_CHUNK_FILES = 256;

/** At most this many worker threads read a tree beside the main thread. */
export const MAX_LOAD_WORKERS = 3;

/** A worker that has sent nothing for this long has its chunks read by the main thread instead. */
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
   * Whether the main thread claims chunks too (false: it only waits for the workers, so tests can be sure they read
   * every chunk). @default true
   */
  readonly mainReads?: boolean;
}

/** How the last parallel read went: its worker threads, and how many chunks of how many they read (tests, the bench). */
let lastStats = { workers: 0, chunks: 0, byWorkers: 0 };

/** How the last loadYamlTree that started worker threads read its tree (none started: all zero before the first). */
export function loadStats(): { readonly workers: number; readonly chunks: number; readonly byWorkers: number } {
  return lastStats;
}

/** One chunk of the tree's files, read. */
interface Chunk {
  readonly entries: Entry[];
  readonly findings: Finding[];
  readonly refused: Problem[];
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

/** Reads names[from, to) on this thread; a read that throws (a file it may not open) throws here. */
function readNames(dir: string, label: string, names: ReadonlyArray<string>, from: number, to: number, keep: RegExp | undefined): Chunk {
  const chunk: Chunk = { entries: [], findings: [], refused: [] };
  for (let i = from; i < to; i++) {
    const rel = names[i];
    const got = readRegularFile(path.join(dir, rel));
    if (typeof got === 'string') {
      chunk.refused.push({ path: path.join(label, rel), message: `${got}: ${NOT_REGULAR_FIX}` });
      continue;
    }
    const r = readYamlObjects(`${label}/${rel}`, clusterOfFile(rel), got, keep);
    for (const e of r.entries) chunk.entries.push(e);
    for (const f of r.findings) chunk.findings.push(f);
  }
  return chunk;
}

/** The compiled worker: beside this file when running from build/, else build/ of the package (tests run lib/ from TypeScript). */
function workerFile(): string | undefined {
  const candidates = [path.join(__dirname, 'load-worker.js'), path.resolve(__dirname, '..', '..', 'build', 'lib', 'validate', 'load-worker.js')];
  return candidates.find((f) => fs.existsSync(f));
}

/**
 * The tree's files read in chunks of `chunkFiles`, in order. This thread and the workers claim chunks from one shared
 * counter, so a thread that parses faster takes more. A chunk whose read threw on a worker is read again here (which
 * throws that error, or reads it); a worker that stopped (out of memory, say), or sent nothing for LOAD_STALL_MS, has
 * its missing chunks read here too.
 */
function readChunks(dir: string, label: string, names: ReadonlyArray<string>, keep: RegExp | undefined, options: LoadOptions): Chunk[] {
  const chunkFiles = Math.max(1, options.chunkFiles ?? LOAD_CHUNK_FILES);
  const count = Math.ceil(names.length / chunkFiles);
  const wanted = names.length >= (options.parallelFrom ?? PARALLEL_LOAD_FROM_FILES) ? (options.workers ?? Math.min(MAX_LOAD_WORKERS, os.availableParallelism() - 1)) : 0;
  const workers = Math.min(wanted, count - 1);
  const file = workers > 0 ? workerFile() : undefined;
  const read = (c: number): Chunk => readNames(dir, label, names, c * chunkFiles, Math.min(names.length, (c + 1) * chunkFiles), keep);
  if (file === undefined) return count === 0 ? [] : [readNames(dir, label, names, 0, names.length, keep)];
  const shared = new SharedArrayBuffer(8);
  const counters = new Int32Array(shared);
  const started: Array<{ readonly worker: Worker; readonly port: MessagePort }> = [];
  const chunks = new Array<Chunk | undefined>(count);
  let done = 0;
  let byWorkers = 0;
  const take = (m: ChunkResult): void => {
    if (chunks[m.chunk] !== undefined) return;
    chunks[m.chunk] = 'failed' in m ? read(m.chunk) : m;
    if (!('failed' in m)) byWorkers++;
    done++;
  };
  const poll = (): void => {
    for (const { port } of started) for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) take(m.message as ChunkResult);
  };
  try {
    for (let i = 0; i < workers; i++) {
      const { port1, port2 } = new MessageChannel();
      const data: LoadWorkerData = { dir, label, names, chunkFiles, shared, port: port2, ...(keep ? { keep: { source: keep.source, flags: keep.flags } } : {}) };
      const worker = new Worker(file, { workerData: data, transferList: [port2] });
      worker.unref();
      // A worker that fails is replaced by this thread (below), not reported as an uncaught error.
      worker.on('error', () => undefined);
      started.push({ worker, port: port1 });
    }
    for (let c = options.mainReads === false ? count : Atomics.add(counters, NEXT_CHUNK, 1); c < count; c = Atomics.add(counters, NEXT_CHUNK, 1)) {
      chunks[c] = read(c);
      done++;
      poll();
    }
    let last = Date.now();
    while (done < count) {
      const seen = Atomics.load(counters, MESSAGES);
      poll();
      if (done >= count) break;
      if (Atomics.wait(counters, MESSAGES, seen, 1000) !== 'timed-out') {
        last = Date.now();
        continue;
      }
      poll();
      // Every worker has ended (their messages are all in), or one has sent nothing for too long: what is missing is read here.
      if (started.every(({ worker }) => worker.threadId < 0) || Date.now() - last > LOAD_STALL_MS) {
        for (let c = 0; c < count; c++) {
          if (chunks[c] === undefined) {
            chunks[c] = read(c);
            done++;
          }
        }
      }
    }
    lastStats = { workers, chunks: count, byWorkers };
  } finally {
    for (const { worker, port } of started) {
      port.close();
      void worker.terminate();
    }
  }
  return chunks as Chunk[];
}
