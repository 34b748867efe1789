/**
 * Chart building alone, for profiling it: resolveStack then synthesizeManifests (every chart built and rendered
 * to plain objects; no validation, no YAML, no files) of benchStack(<devices>), `runs` times in one process.
 * `node build/bench/charts.js <devices> [runs]` prints the CPU seconds (user + system) of each run, the best
 * warm run (the first pays for loading and compiling), and a digest of the objects (JSON, key order included)
 * so that two versions of the code can be checked to give the same objects.
 */
import { createHash } from 'crypto';
import { resolveStack } from '../lib/synth/resolve-all';
import { synthesizeManifests } from '../lib/synth/manifests';
import { benchStack } from './stacks';

const devices = Number(process.argv[2] ?? 10000);
const runs = Math.max(1, Number(process.argv[3] ?? 4));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const stack = benchStack(devices);
const warm: Array<{ resolve: number; build: number }> = [];
for (let i = 0; i < runs; i++) {
  let t = cpu();
  const model = resolveStack(stack);
  const resolve = cpu() - t;
  t = cpu();
  const manifests = synthesizeManifests(model);
  const build = cpu() - t;
  const h = createHash('sha256');
  let objects = 0;
  for (const m of manifests) {
    h.update(`${m.cluster}\0${m.component}\0`);
    for (const o of m.objects) {
      h.update(JSON.stringify(o));
      objects++;
    }
  }
  console.log(`run ${i}: resolveStack ${resolve.toFixed(3)} s, synthesizeManifests ${build.toFixed(3)} s CPU; ${objects} objects, digest ${h.digest('hex').slice(0, 16)}`);
  if (i > 0 || runs === 1) warm.push({ resolve, build });
}
const best = (k: 'resolve' | 'build') => Math.min(...warm.map((w) => w[k])).toFixed(3);
console.log(`best${runs > 1 ? ' warm' : ''} run: resolveStack ${best('resolve')} s, synthesizeManifests ${best('build')} s CPU`);
