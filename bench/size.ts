/** One benchmark size in its own process (so peak RSS is this size's): prints one JSON line. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { synthToDir, toYaml, yamlHeader } from '../lib/internal';
import { benchStack } from './stacks';

const devices = Number(process.argv[2]);
const schemas = { k8sOpenApi: process.argv[3], crds: [process.argv[4]] };
const RUNS = 3;

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
function time(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const stack = benchStack(devices);
/** Output goes to RAM (/dev/shm) where there is one, so the figures measure synthesis, not disk contention. */
const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const root = fs.mkdtempSync(path.join(base, 'edgewatt-bench-'));
let files = 0;
let bytes = 0;
let finalObjects: Array<[string, unknown]> = [];
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const out = path.join(root, `a${i}`, 'dist');
  a.push(
    time(() => {
      const r = synthToDir(stack, out, { validation: { schemas } });
      files = r.files.size + r.bootstrap.size;
      bytes = [...r.files.values(), ...r.bootstrap.values()].reduce((n, c) => n + Buffer.byteLength(c), 0);
      if (i === 0) finalObjects = [...r.files].filter(([f]) => f.endsWith('.yaml')).map(([f, t]) => [f, parse(t)]);
    }),
  );
  // The lower bound: the same final plain objects, serialized with the same serializer to the same files.
  const dir = path.join(root, `b${i}`, 'dist');
  const header = yamlHeader('bench');
  b.push(
    time(() => {
      const made = new Set<string>();
      for (const [f, o] of finalObjects) {
        const full = path.join(dir, f);
        const d = path.dirname(full);
        if (!made.has(d)) fs.mkdirSync(d, { recursive: true });
        made.add(d);
        fs.writeFileSync(full, toYaml(o, header));
      }
    }),
  );
}
fs.rmSync(root, { recursive: true, force: true });
const ta = median(a);
const tb = median(b);
console.log(
  JSON.stringify({
    devices,
    clusters: (stack as { clusters: unknown[] }).clusters.length,
    objects: finalObjects.length,
    files,
    bytes,
    synthValidateSeconds: +ta.toFixed(3),
    lowerBoundSeconds: +tb.toFixed(3),
    ratio: +(ta / tb).toFixed(2),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    outputOn: base,
  }),
);
