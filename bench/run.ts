/**
 * `npm run bench`: edgewatt synth + validate (every gate on) against the lower bound — the same final objects
 * serialized with the same serializer and written directly — at 10,000 devices / 50 clusters and 100,000
 * devices / 200 clusters (two IoMT pipelines per cluster), one child process per tier so each tier's peak RSS
 * is its own; the incremental re-synth after one device changed (and two more after it, printed), and after one IoMT
 * pipeline changed; the peer figure (cdk8s App.synth of the same stack as one App, bench/peer.ts); the largest tier's
 * stack as stack.yaml through `edgewatt synth` (bench/cli.ts), full twice (the incremental share is taken against the
 * faster), after one device changed, after one IoMT pipeline changed as well, and with every object changed (the
 * stack renamed; its peak RSS counts for the CLI's target like the others'), each in a process of its own (as with
 * --no-daemon); the same edits through one `edgewatt synth --watch` (bench/watch.ts) and through `edgewatt synth` as
 * run by default, a process each through the synth daemon of its folder (bench/daemon.ts); then the bundled example
 * through the CLI. Prints one JSON line per measurement and whether each target holds. Tests time nothing.
 *
 * `EDGEWATT_BENCH_TIERS=10000` runs the 10,000-device tier only (the 100,000 tier takes minutes);
 * `EDGEWATT_BENCH_RUNS` sets how many synths (each with its lower bound) a tier runs (@default 3).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { benchStack } from './stacks';

const root = path.resolve(__dirname, '..', '..');
const shared = process.env.EDGEWATT_SHARED ?? path.resolve(root, '..', 'shared');
const k8s = path.join(shared, 'schemas/kubernetes/swagger-v1.35.0.json');
const crds = path.join(shared, 'crds');
const tiers = (process.env.EDGEWATT_BENCH_TIERS ?? '10000,100000').split(',').map(Number);

const node = (script: string, args: string[]) =>
  JSON.parse(execFileSync(process.execPath, [path.join(__dirname, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim()) as Record<string, number>;

const rows: Array<Record<string, number>> = [];
const failed: string[] = [];
for (const devices of tiers) {
  // Three runs (median) per tier, each synth followed by its lower bound (bench/size.ts); at 100,000 devices a
  // pair takes about half a minute on 2 cores. EDGEWATT_BENCH_RUNS sets another count.
  try {
    const row = node('size.js', [String(devices), k8s, crds, process.env.EDGEWATT_BENCH_RUNS ?? '3']);
    console.log(JSON.stringify(row));
    rows.push(row);
  } catch (e) {
    // A tier whose synth fails a gate is reported (with the gate's first problem), not hidden; the others still run.
    const problem = String((e as { stderr?: string }).stderr ?? e).split('\n').find((l) => l.startsWith('  /')) ?? String(e).split('\n')[0];
    failed.push(String(devices));
    console.log(JSON.stringify({ devices, failed: problem.trim() }));
  }
}
// The largest tier as a user runs it: its stack as stack.yaml through `edgewatt synth` (reading the YAML, the
// synth and the write, in a process of its own), twice into fresh folders, then again into the second folder after
// one device was renamed (incremental). Output goes to disk, where one full synth now and then takes twice as long
// (the file system still freeing an earlier run's 119,505 files): the incremental share is taken against the faster
// full synth, so one slow full synth cannot make it look small.
const largest = Math.max(...tiers);
const cliFull: Array<Record<string, number>> = [];
let cliIncremental: Record<string, number> | undefined;
let cliPipeline: Record<string, number> | undefined;
let cliPeakOk = true;
let cliWatch: Record<string, number> | undefined;
let cliDaemon: Record<string, number> | undefined;
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-cli-'));
  const stack = benchStack(largest) as { fleet: { devices: Array<{ name: string }> }; iomt: { pipelines: Array<{ things: Array<{ image: string }> }> } };
  fs.writeFileSync(path.join(dir, 'stack.yaml'), stringify(stack));
  stack.fleet.devices[5].name += '-x';
  fs.writeFileSync(path.join(dir, 'stack-changed.yaml'), stringify(stack));
  // Then one IoMT pipeline changed too (an analyzer's image, same registry; bench/size.ts does the same).
  stack.iomt.pipelines[10].things[1].image = 'registry.example/iomt/analyzer:1.0.1';
  fs.writeFileSync(path.join(dir, 'stack-pipeline.yaml'), stringify(stack));
  // Last, every object changed (the stack renamed: its name is in every object), into the same folder: a full synth
  // with warm caches and a whole earlier tree to replace, whose peak RSS counts like the others'.
  fs.writeFileSync(path.join(dir, 'stack-renamed.yaml'), stringify({ ...stack, name: `${(stack as unknown as { name: string }).name}-renamed` }));
  for (const [what, file, out] of [
    ['full, 1 of 2', 'stack.yaml', 'full-1'],
    ['full, 2 of 2', 'stack.yaml', 'full-2'],
    ['incremental, into the second', 'stack-changed.yaml', 'full-2'],
    ['incremental after one IoMT pipeline changed, into the second', 'stack-pipeline.yaml', 'full-2'],
    ['every object changed (the stack renamed), into the second', 'stack-renamed.yaml', 'full-2'],
  ]) {
    const name = `edgewatt synth of the ${largest}-device stack.yaml (${what}, a process of its own)`;
    try {
      const row = node('cli.js', [path.join(dir, file), path.join(dir, out, 'dist'), k8s, crds]);
      console.log(JSON.stringify({ case: name, ...row }));
      if (what.startsWith('full')) cliFull.push(row);
      else if (what.includes('pipeline')) cliPipeline = row;
      else if (what.startsWith('incremental')) cliIncremental = row;
      cliPeakOk &&= row.peakRssMiB <= 1024;
    } catch (e) {
      // Reported, not hidden; the rest of the bench still runs.
      failed.push(`cli ${what}`);
      console.log(JSON.stringify({ case: name, failed: String((e as { stderr?: string }).stderr ?? e).trim().split('\n').slice(-3).join(' | ') }));
    }
  }
  /** One script's row, printed under `name`; undefined (and `failed` told) when it failed. */
  const rowOf = (name: string, script: string, failure: string): Record<string, number> | undefined => {
    try {
      const row = node(script, [dir, k8s, crds]);
      console.log(JSON.stringify({ case: name, ...row }));
      return row;
    } catch (e) {
      failed.push(failure);
      console.log(JSON.stringify({ case: name, failed: String((e as { stderr?: string }).stderr ?? e).trim().split('\n').slice(-3).join(' | ') }));
      return undefined;
    }
  };
  // The same edits through one `edgewatt synth --watch` process (bench/watch.ts): each synth after its first reuses
  // what the one before built in that process, as a library user's loop does.
  cliWatch = rowOf(`edgewatt synth --watch of the ${largest}-device stack.yaml (first synth, then one device changed, then one IoMT pipeline changed; one process)`, 'watch.js', 'cli watch');
  // The same edits through `edgewatt synth` as a user runs it by default, a process each through the synth daemon of
  // its folder, which the first starts (bench/daemon.ts).
  cliDaemon = rowOf(`edgewatt synth through its daemon, ${largest}-device stack.yaml (first synth, which starts it, then one device changed, then one IoMT pipeline changed; a process each)`, 'daemon.js', 'cli daemon');
  fs.rmSync(dir, { recursive: true, force: true });
}

const peer = node('peer.js', ['10000']);
console.log(JSON.stringify({ case: 'peer: cdk8s App.synth of the 10,000-device stack as one App (no validation)', ...peer }));

// The bundled example through the CLI, wall clock from process start (median of 3).
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-demo-')), 'dist');
const walls: number[] = [];
for (let i = 0; i < 3; i++) {
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, [path.join(root, 'bin/edgewatt.js'), 'synth', '-c', path.join(root, 'apps/demo/stack.yaml'), '-o', out, '--k8s-openapi', k8s, '--crds', crds], {
    encoding: 'utf8',
    env: { ...process.env, EDGEWATT_DAEMON: 'off' }, // a process of its own, as CI runs it
  });
  walls.push(Number(process.hrtime.bigint() - t) / 1e9);
}
fs.rmSync(path.dirname(out), { recursive: true, force: true });
const demoWall = [...walls].sort((a, b) => a - b)[1];
console.log(JSON.stringify({ case: 'bundled example via CLI', wallSeconds: +demoWall.toFixed(2) }));

const at = (d: number) => rows.find((r) => r.devices === d);
const small = at(10000);
const big = at(100000);
// Each target is judged on the tier's seconds (to the millisecond), not on its shares and ratios rounded to two
// places for print: 3.411 s of a 13.630 s synth is 25.03 %, over 25 %, though it prints as 0.25.
/** Whether `seconds` is at most 25 % of the faster of the CLI's two full synths (false when any of them is missing). */
const quarterOfFull = (seconds: number | undefined): boolean =>
  cliFull.length === 2 && seconds !== undefined && seconds <= 0.25 * Math.min(...cliFull.map((r) => r.wallSeconds));
const targets: Record<string, boolean | 'not run'> = {
  'ratio <= 1.4 at 10,000 devices / 50 clusters': small ? small.synthValidateSeconds / small.lowerBoundSeconds <= 1.4 : 'not run',
  'ratio <= 1.5 at 100,000 devices / 200 clusters': big ? big.synthValidateSeconds / big.lowerBoundSeconds <= 1.5 : 'not run',
  'peak RSS <= 1 GiB at 100,000 devices': big ? big.peakRssMiB <= 1024 : 'not run',
  'time(100,000)/time(10,000) <= 10.5': big && small ? big.synthValidateSeconds / small.synthValidateSeconds <= 10.5 : 'not run',
  // The first incremental synth, right after the full ones, against their median (bench/size.ts).
  'incremental re-synth <= 25% of a full synth at 100,000 devices': big ? big.incrementalSeconds / big.synthValidateSeconds <= 0.25 : 'not run',
  'incremental re-synth after one IoMT pipeline changed <= 25% of a full synth at 100,000 devices': big ? big.pipelineIncrementalSeconds / big.synthValidateSeconds <= 0.25 : 'not run',
  'faster than the peer (cdk8s App.synth) at 10,000 devices': small ? small.synthValidateSeconds < peer.peerSeconds : 'not run',
  'bundled example synth + validate < 3 s wall': demoWall < 3,
  [`edgewatt synth (CLI) peak RSS <= 1 GiB at ${largest} devices`]: cliPeakOk,
  [`edgewatt synth (CLI, a process of its own: --no-daemon) incremental <= 25% of its faster full synth at ${largest} devices`]:
    quarterOfFull(cliIncremental?.wallSeconds),
  [`edgewatt synth (CLI, a process of its own: --no-daemon) incremental after one IoMT pipeline changed <= 25% of its faster full synth at ${largest} devices`]:
    quarterOfFull(cliPipeline?.wallSeconds),
  // The watch's re-synths, from the save to the synth done, against the same full synth (a process of its own).
  [`edgewatt synth --watch re-synth after one device changed <= 25% of the CLI's faster full synth at ${largest} devices`]:
    quarterOfFull(cliWatch?.deviceChangedSeconds),
  [`edgewatt synth --watch re-synth after one IoMT pipeline changed <= 25% of the CLI's faster full synth at ${largest} devices`]:
    quarterOfFull(cliWatch?.pipelineChangedSeconds),
  [`edgewatt synth --watch peak RSS <= 1 GiB at ${largest} devices`]: cliWatch !== undefined && cliWatch.peakRssMiB !== undefined && cliWatch.peakRssMiB <= 1024,
  // `edgewatt synth` as run by default (through the daemon), from the spawn to the exit, against the same full synth.
  [`edgewatt synth (CLI, through its daemon) after one device changed <= 25% of the CLI's faster full synth at ${largest} devices`]:
    quarterOfFull(cliDaemon?.deviceChangedSeconds),
  [`edgewatt synth (CLI, through its daemon) after one IoMT pipeline changed <= 25% of the CLI's faster full synth at ${largest} devices`]:
    quarterOfFull(cliDaemon?.pipelineChangedSeconds),
  [`edgewatt synth daemon peak RSS <= 1 GiB at ${largest} devices`]: cliDaemon !== undefined && cliDaemon.daemonPeakRssMiB <= 1024,
};
console.log(
  JSON.stringify({
    targets,
    ...(failed.length > 0 ? { tiersFailed: failed } : {}),
    scaling: big && small ? +(big.synthValidateSeconds / small.synthValidateSeconds).toFixed(2) : undefined,
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  }),
);
