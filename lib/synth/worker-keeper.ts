import { Worker } from 'worker_threads';
import { PingWorker } from './render-protocol';

/**
 * The render worker kept between synths in one process (render-pool.ts starts and ends its sessions): which worker a
 * renderer gets, and when a worker is kept, replaced or stopped.
 */

/**
 * A render worker whose last session ended with a commit, kept (unreferenced: it never keeps the process alive) for
 * the next renderer this process opens: a library user's watch loop or tests, and the bench's repeated synths, then
 * get a worker whose modules are loaded and whose serializer is compiled (a fresh worker renders its first ~2,000
 * objects at about twice the later cost), and so does `edgewatt synth --watch`; `edgewatt synth` runs one synth per
 * process and never reuses one.
 * A worker whose session failed or was aborted is stopped, never kept; so is one left idle for KEEP_WORKER_IDLE_MS.
 * A kept worker holds little: nothing of a session outlives it, and the worker collects its garbage as soon as a
 * session has ended (render-worker.ts collectAfterSession), while the main thread goes on. So it is kept after a
 * synth of any size: at 100,000 devices a re-synth with the worker kept took ~0.5 s less CPU (no new thread to start,
 * its modules to load and its code to compile again) and ~0.2-0.4 s less time, and the process's peak RSS over three
 * full synths and four re-synths was 832-850 MiB against 851-874 MiB with a new worker each synth (session 45).
 * Before the worker collected its garbage it was kept only after synths of at most 20,000 objects: an idle worker
 * then held its session's heap (at 100,000 devices the process's RSS fell by ~320 MB when it was stopped), and the
 * next session's allocations came on top of it (peak RSS 963-1,062 MiB).
 */
let idleWorker: Worker | undefined;
/** Stops the idle worker once it has been idle for KEEP_WORKER_IDLE_MS (unreferenced). */
let idleTimer: NodeJS.Timeout | undefined;

/**
 * How long a kept worker waits for the next synth before it is stopped: back-to-back synths (a script, tests, the
 * bench, a watch loop's quick edits) reuse it, and its memory is not held long after the last one.
 */
export const KEEP_WORKER_IDLE_MS = 30_000;

/** The kept worker, taken out of the slot (its idle timer cleared), or undefined. */
function takeIdle(): Worker | undefined {
  const w = idleWorker;
  idleWorker = undefined;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  return w;
}

/**
 * How long a kept worker has to answer a ping (alive) before it is taken for dead: stopped, and a new worker started.
 * An idle worker answers at once; one that is only slow is replaced, which costs a cold start, never the synth.
 */
export const KEPT_WORKER_PING_MS = 1000;

/**
 * Whether a kept worker still runs. Its threadId is -1 once this thread has seen its exit, but Node learns of an
 * exit on the event loop: one that died while idle between two synchronous synths still looks alive, and its session
 * message would be lost (the synth then failed when its renderer's wait timed out, timeoutMs). So it is asked, and
 * this thread waits (synchronously, at most KEPT_WORKER_PING_MS) for its answer on a shared counter.
 */
function alive(worker: Worker): boolean {
  if (worker.threadId < 0) return false;
  const signal = new SharedArrayBuffer(4);
  worker.postMessage({ type: 'ping', signal } satisfies PingWorker);
  return Atomics.wait(new Int32Array(signal), 0, 0, KEPT_WORKER_PING_MS) !== 'timed-out';
}

/** Workers stopped here (found dead by alive, or not kept: dropWorker): an error they report later is only a warning. */
const dropped = new WeakSet<Worker>();

/** Stops a worker that is not kept (its session failed, held too many objects, or one is kept already). */
export function dropWorker(worker: Worker): void {
  dropped.add(worker);
  void worker.terminate();
}

/** The kept worker when it still runs (alive), else a new one. */
export function takeWorker(file: string): Worker {
  const kept = takeIdle();
  if (kept && alive(kept)) return kept;
  if (kept) dropWorker(kept);
  const worker = new Worker(file);
  worker.unref();
  worker.on('exit', () => {
    if (idleWorker === worker) takeIdle();
  });
  // An idle worker that fails is dropped (the next renderer starts another); one stopped already (dropWorker) only warns;
  // one at work fails its synth as before (the error is rethrown here, as it was without a listener).
  worker.on('error', (e) => {
    if (idleWorker !== worker && !dropped.has(worker)) throw e;
    if (idleWorker === worker) takeIdle();
    process.emitWarning(`edgewatt: an idle or stopped render worker failed and was dropped: ${e.message}`);
  });
  return worker;
}

/** Keeps a worker whose session ended with a commit for the next renderer (see idleWorker), or stops it. */
export function releaseWorker(worker: Worker): void {
  if (idleWorker !== undefined) {
    dropWorker(worker);
    return;
  }
  idleWorker = worker;
  idleTimer = setTimeout(() => void stopIdleRenderWorker(), KEEP_WORKER_IDLE_MS);
  idleTimer.unref();
}

/** Stops the kept render worker, if any (the next renderer starts a new one). */
export function stopIdleRenderWorker(): Promise<void> {
  const w = takeIdle();
  return w ? w.terminate().then(() => undefined) : Promise.resolve();
}
