/**
 * `edgewatt synth` through the synth daemon (lib/cli/daemon), as a user runs it: `node build/bench/daemon.js <dir>
 * <k8s-openapi> <crds>`, where <dir> holds stack.yaml, stack-changed.yaml (one device renamed) and stack-pipeline.yaml
 * (then one IoMT pipeline changed), as bench/run.ts writes them. In <dir>/daemon, with the environment of a user's
 * shell (EDGEWATT_DAEMON and CI unset, so the stack file's size decides, as by default), three `edgewatt synth`
 * processes of stack.yaml into dist: the first starts the daemon (its full synth), then each file renamed over
 * stack.yaml in turn. Each figure is wall clock from the process's spawn to its exit, as the user waits. Then
 * `edgewatt daemon stop`, whose answer gives the daemon's peak RSS. Prints one JSON line. Every process is bounded in
 * time; the daemon is killed whatever happens.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const [dir, k8s, crds] = process.argv.slice(2);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'edgewatt.js');
const work = path.join(dir, 'daemon');
const daemons = path.join(work, 'run');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(daemons, { recursive: true, mode: 0o700 });
fs.copyFileSync(path.join(dir, 'stack.yaml'), path.join(work, 'stack.yaml'));
const env: NodeJS.ProcessEnv = { ...process.env, EDGEWATT_DAEMON_DIR: daemons };
delete env.EDGEWATT_DAEMON;
delete env.CI;

/** One `edgewatt <args>` in <dir>/daemon: its wall clock (s) and what it printed on stdout (throws with its stderr's end when it fails). */
function edgewatt(args: string[]): { seconds: number; stdout: string } {
  const t = performance.now();
  try {
    const stdout = execFileSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    return { seconds: +((performance.now() - t) / 1000).toFixed(2), stdout };
  } catch (e) {
    throw new Error(`edgewatt ${args.join(' ')}: ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

const synth = ['synth', '-o', 'dist', '--k8s-openapi', k8s, '--crds', crds];
let pid: number | undefined;
try {
  const full = edgewatt(synth).seconds;
  const log = fs.readdirSync(daemons).find((f) => f.endsWith('.log'));
  pid = Number(/pid (\d+), serving/.exec(log === undefined ? '' : fs.readFileSync(path.join(daemons, log), 'utf8'))?.[1]) || undefined;
  if (pid === undefined) throw new Error('no synth daemon started (the stack file under 1 MiB, or EDGEWATT_DAEMON_DIR refused?)');
  const save = (name: string) => {
    fs.copyFileSync(path.join(dir, name), path.join(work, 'stack.yaml.tmp'));
    fs.renameSync(path.join(work, 'stack.yaml.tmp'), path.join(work, 'stack.yaml'));
  };
  save('stack-changed.yaml');
  const device = edgewatt(synth).seconds;
  save('stack-pipeline.yaml');
  const pipeline = edgewatt(synth).seconds;
  const stop = edgewatt(['daemon', 'stop']).stdout;
  const m = /^stopped the synth daemon: pid (\d+), (\d+) synths? in \d+ s, peak RSS (\d+) MiB/.exec(stop);
  if (!m || Number(m[1]) !== pid || m[2] !== '3') throw new Error(`not the daemon of the three synths: ${stop.trim()}`);
  console.log(JSON.stringify({ fullSeconds: full, deviceChangedSeconds: device, pipelineChangedSeconds: pipeline, daemonPeakRssMiB: Number(m[3]) }));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
} finally {
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // stopped already
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}
