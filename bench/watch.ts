/**
 * `edgewatt synth --watch` of a bench stack as a user runs it: `node build/bench/watch.js <dir> <k8s-openapi> <crds>`,
 * where <dir> holds stack.yaml, stack-changed.yaml (one device renamed) and stack-pipeline.yaml (then one IoMT
 * pipeline changed), as bench/run.ts writes them. One `edgewatt synth --watch` process of <dir>/watch/stack.yaml into
 * <dir>/watch/dist: its first synth (full), then stack-changed.yaml and stack-pipeline.yaml renamed over the watched
 * file in turn (as an editor saves). Each figure is wall clock as the user waits: from the save to the line the
 * watch prints when the synth is done (the poll that sees the change and the one that finds it still, the read of
 * stack.yaml, the synth and the write); the first, from the process's start. Prints one JSON line with them and the
 * process's peak RSS (VmHWM, read before it is stopped; Linux). Every wait is bounded; the process is stopped with
 * SIGTERM whatever happens
 * (`stopSeconds`: from SIGTERM to its exit, with code 0).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const [dir, k8s, crds] = process.argv.slice(2);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'edgewatt.js');
const work = path.join(dir, 'watch');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const watched = path.join(work, 'stack.yaml');
fs.copyFileSync(path.join(dir, 'stack.yaml'), watched);

const started = performance.now();
const child = spawn(process.execPath, [bin, 'synth', '--watch', '-c', watched, '-o', path.join(work, 'dist'), '--k8s-openapi', k8s, '--crds', crds], { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
const done: number[] = [];
child.stderr.on('data', (d: Buffer) => {
  stderr += d.toString();
  // One line per synth: "synthesized in 3.41 s; watching …" (or "synth failed (exit N) in …").
  while (done.length < (stderr.match(/ in \d+\.\d\d s; watching /g) ?? []).length) done.push(performance.now());
});
const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

/** The watch's last three lines on stderr, for an error message. */
const lastLines = (): string => stderr.trim().split('\n').slice(-3).join(' | ');

async function nextSynth(n: number, limitMs: number): Promise<number> {
  const end = Date.now() + limitMs;
  while (done.length < n) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`no synth ${n} within ${limitMs / 1000} s: ${lastLines()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  if (/synth failed/.test(stderr)) throw new Error(lastLines());
  return done[n - 1];
}

/** Renames a copy of `name` over the watched file, as an editor saves: the time of the save. */
function save(name: string): number {
  fs.copyFileSync(path.join(dir, name), `${watched}.tmp`);
  fs.renameSync(`${watched}.tmp`, watched);
  return performance.now();
}

function peakRssMiB(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return kb ? Math.round(Number(kb[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

void (async () => {
  try {
    const full = (await nextSynth(1, 300_000)) - started;
    let at = save('stack-changed.yaml');
    const device = (await nextSynth(2, 300_000)) - at;
    at = save('stack-pipeline.yaml');
    const pipeline = (await nextSynth(3, 300_000)) - at;
    const rss = peakRssMiB();
    const stopAt = performance.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 60_000))]);
    if (code !== 0) throw new Error(`the watch ended with ${code} on SIGTERM: ${lastLines()}`);
    const seconds = (ms: number) => +(ms / 1000).toFixed(2);
    const stop = seconds(performance.now() - stopAt);
    console.log(JSON.stringify({ fullSeconds: seconds(full), deviceChangedSeconds: seconds(device), pipelineChangedSeconds: seconds(pipeline), peakRssMiB: rss, stopSeconds: stop }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 60_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
})();
