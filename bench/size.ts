/**
 * One benchmark tier in its own process (so peak RSS is this tier's): prints one JSON line.
 * `node build/bench/size.js <devices> <k8s-openapi> <crds> [runs]`.
 *
 * - synth: synthToDir (every gate on, a fresh validation cache folder each run and the last run's charts forgotten, so
 *   nothing is reused), median of `runs`,
 *   wall clock, and its CPU time over every thread (it renders and writes on a worker thread as well), and on Linux
 *   that CPU time by thread (`synthThreadCpuSeconds`, each synth in run order: `main`, this thread; `worker`, the
 *   threads started since the tier began, which is the render worker; `background`, the other threads the process had
 *   from its start, V8's optimizing compiler and garbage collection helpers among them, for both threads' heaps and
 *   code; `exited`, when over 0.05 s, the CPU of threads that ended during the synth, which /proc lists no more: a
 *   render worker stopped after a synth of over 20,000 objects, before it was read);
 * - lower bound: the same final plain objects, serialized with the same serializer to the same files, in a
 *   process of its own (bench/floor.ts: a fresh heap, so it is the floor), run right after each synth, so a synth
 *   and its floor meet the same machine: `ratio` is median synth over median floor, and `ratioRange` the lowest
 *   and highest of each synth over its own floor (the spread a busy machine gives); `synthRuns` and `lowerBoundRuns`
 *   give each run's seconds in order;
 * - incremental: then one device renamed and synthToDir again into the same folder with its cache, and with the
 *   charts of the last run that do not read the devices (lib/synth/chart-reuse.ts; how many: `incrementalChartsReused`):
 *   `incrementalSeconds` and `incrementalShare` (the target's figure) are this first one's, right after the full
 *   synths; then twice more, another device each time, as a user's loop of edits goes on (`incrementalRuns`, all
 *   three; `incrementalMedianShare`, their median against the full synth's); then one IoMT pipeline changed (an
 *   analyzer's image), the same way (`pipelineIncrementalSeconds`, `pipelineIncrementalShare`, and the charts reused);
 * - peak RSS: this process's maxRSS right after the first synth (the stack, the synth and its write: what
 *   `edgewatt synth` needs), and after the whole tier (every synth and the incremental one).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { synthToDir } from '../lib/internal';
import { chartReuseStats, forgetCharts } from '../lib/synth/chart-reuse';
import { benchStack } from './stacks';

const devices = Number(process.argv[2]);
const schemas = { k8sOpenApi: process.argv[3], crds: [process.argv[4]] };
const RUNS = Number(process.argv[5] ?? 3);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`runs must be a whole number of at least 1 (EDGEWATT_BENCH_RUNS), not ${process.argv[5]}`);

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
function time(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/**
 * Linux: the CPU seconds of each of this process's threads by thread id (the first field of
 * /proc/self/task/<tid>/schedstat, in nanoseconds); an empty map where there is no such file.
 */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(tid, Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9);
    } catch {
      /* the thread ended, or no schedstat */
    }
  }
  return out;
}
/** The threads the process had before its first synth (this one and V8's and Node's own). */
const threadsAtStart = new Set(threadCpu().keys());
/**
 * One synth's CPU seconds by thread kind (see the header), from threadCpu() before and after it and the process's CPU
 * seconds over the synth (`cpuSeconds`: what is not in the split went to threads that ended); undefined without /proc.
 */
function byThread(before: Map<string, number>, after: Map<string, number>, cpuSeconds: number): { main: number; worker: number; background: number; exited?: number } | undefined {
  if (after.size === 0) return undefined;
  const split = { main: 0, worker: 0, background: 0 };
  for (const [tid, s] of after) {
    const kind = tid === String(process.pid) ? 'main' : threadsAtStart.has(tid) ? 'background' : 'worker';
    split[kind] += s - (before.get(tid) ?? 0);
  }
  const exited = cpuSeconds - split.main - split.worker - split.background;
  return { main: +split.main.toFixed(2), worker: +split.worker.toFixed(2), background: +split.background.toFixed(2), ...(exited > 0.05 ? { exited: +exited.toFixed(2) } : {}) };
}

const stack = benchStack(devices) as ReturnType<typeof benchStack> & { fleet: { devices: Array<{ name: string }> } };
/** Output goes to RAM (/dev/shm) where there is one, so the figures measure synthesis, not disk contention. */
const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const root = fs.mkdtempSync(path.join(base, 'edgewatt-bench-'));
// Removed however the tier ends (a gate failing throws out of this script): files left in /dev/shm slow later runs.
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
let files = 0;
let bytes = 0;
let objects = 0;
let synthRss = 0;
const a: number[] = [];
const b: number[] = [];
/** Each lower bound less the seconds it took to serialize the device requests (bench/floor.ts templatedKindSeconds). */
const bt: number[] = [];
/** CPU seconds (user + system, every thread: the synth renders and writes on a second one) of each synth. */
const cpu: number[] = [];
/** Each synth's CPU seconds by thread kind (byThread). */
const threads: Array<ReturnType<typeof byThread>> = [];
const options = (i: number) => ({ validation: { schemas }, validationCache: path.join(root, `a${i}`, '.edgewatt.cache', 'dist') });
for (let i = 0; i < RUNS; i++) {
  const out = path.join(root, `a${i}`, 'dist');
  let r: ReturnType<typeof synthToDir> | undefined;
  forgetCharts();
  const t0 = threadCpu();
  const c0 = process.cpuUsage();
  a.push(
    time(() => {
      r = synthToDir(stack, out, options(i));
    }),
  );
  const c1 = process.cpuUsage(c0);
  cpu.push((c1.user + c1.system) / 1e6);
  threads.push(byThread(t0, threadCpu(), cpu[cpu.length - 1]));
  if (i === 0) synthRss = process.resourceUsage().maxRSS;
  // Counted outside the timing and the RSS figure: a large synth's files are read back from disk on access.
  files = r!.files.size + r!.bootstrap.size;
  // From the files' sizes on disk (the bytes of their UTF-8 texts): the texts are not read into this heap, whose
  // garbage the next synth would otherwise collect.
  const size = (dir: string, names: Iterable<string>) => [...names].reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  bytes = size(out, r!.files.keys()) + size(path.join(path.dirname(out), 'argocd'), r!.bootstrap.keys());
  r = undefined;
  // This run's lower bound, in a fresh process (bench/floor.ts), on this run's output, before the next synth.
  const floor = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'floor.js'), out, '1'], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim()) as { objects: number; seconds: number[]; templatedKindSeconds: number[] };
  objects = floor.objects;
  b.push(floor.seconds[0]);
  bt.push(floor.seconds[0] - floor.templatedKindSeconds[0]);
  if (i < RUNS - 1) fs.rmSync(path.dirname(out), { recursive: true, force: true });
}
const pairRatios = a.map((t, i) => t / b[i]);
// Incremental: one device renamed (its signed request moves to another file), re-synth into the last run's folder;
// three times, another device each time.
let written = 0;
let removed = 0;
let reuse = chartReuseStats();
const incrementals: number[] = [];
for (const d of [5, 6, 7]) {
  stack.fleet.devices[d].name = `${stack.fleet.devices[d].name}-renamed`;
  incrementals.push(
    time(() => {
      const r = synthToDir(stack, path.join(root, `a${RUNS - 1}`, 'dist'), options(RUNS - 1));
      if (d === 5) {
        written = r.write.missing.length + r.write.changed.length;
        removed = r.write.stale.length;
        reuse = chartReuseStats();
      }
    }),
  );
}
const incremental = incrementals[0];
// Then one IoMT pipeline changed (an analyzer's image, same registry), into the same folder: the charts that read it
// are built again, the others reused (lib/synth/read-record.ts).
const pipeline = (stack as unknown as { iomt: { pipelines: Array<{ things: Array<{ image: string }> }> } }).iomt.pipelines[10];
pipeline.things[1].image = 'registry.example/iomt/analyzer:1.0.1';
let pipelineWritten = 0;
const pipelineSeconds = time(() => {
  const r = synthToDir(stack, path.join(root, `a${RUNS - 1}`, 'dist'), options(RUNS - 1));
  pipelineWritten = r.write.missing.length + r.write.changed.length;
});
const pipelineReuse = chartReuseStats();
const ta = median(a);
const tb = median(b);
console.log(
  JSON.stringify({
    devices,
    clusters: (stack as { clusters: unknown[] }).clusters.length,
    objects,
    files,
    bytes,
    runs: RUNS,
    synthValidateSeconds: +ta.toFixed(3),
    synthCpuSeconds: +median(cpu).toFixed(3),
    // Each synth's CPU by thread, in run order: what the second synth pays beyond the third is mostly `background`
    // (V8 compiling the functions that only got hot by then), not more of the synth's own work.
    ...(threads.every((t) => t !== undefined) ? { synthThreadCpuSeconds: threads } : {}),
    lowerBoundSeconds: +tb.toFixed(3),
    ratio: +(ta / tb).toFixed(2),
    // The synth puts the device requests' bodies together from a template (lib/synth/serialize.ts templatedBody),
    // where the lower bound serializes each with the `yaml` library: the lower bound less that serializing (its files
    // still written), and the median synth over it. Information, not the target's figure.
    lowerBoundWithoutRequestYamlSeconds: +median(bt).toFixed(3),
    ratioWithoutRequestYaml: +(ta / median(bt)).toFixed(2),
    ratioRange: [+Math.min(...pairRatios).toFixed(2), +Math.max(...pairRatios).toFixed(2)],
    // Each synth and its lower bound in run order: the first synth of the process is cold, the second (mostly the
    // median of three) still pays for much of V8's optimizing compiler, the third less (docs/performance-history.md,
    // the eighteenth part and session 36).
    synthRuns: a.map((t) => +t.toFixed(3)),
    lowerBoundRuns: b.map((t) => +t.toFixed(3)),
    lowerBoundRange: [+Math.min(...b).toFixed(3), +Math.max(...b).toFixed(3)],
    incrementalSeconds: +incremental.toFixed(3),
    incrementalShare: +(incremental / ta).toFixed(2),
    incrementalRuns: incrementals.map((t) => +t.toFixed(3)),
    incrementalMedianShare: +(median(incrementals) / ta).toFixed(2),
    incrementalWritten: written,
    incrementalRemoved: removed,
    incrementalChartsReused: reuse.reused,
    incrementalChartsBuilt: reuse.built + reuse.bound,
    pipelineIncrementalSeconds: +pipelineSeconds.toFixed(3),
    pipelineIncrementalShare: +(pipelineSeconds / ta).toFixed(2),
    pipelineIncrementalWritten: pipelineWritten,
    pipelineChartsReused: pipelineReuse.reused,
    pipelineChartsBuilt: pipelineReuse.built + pipelineReuse.bound,
    peakRssMiB: Math.round(synthRss / 1024),
    peakRssWholeTierMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    outputOn: base,
  }),
);
