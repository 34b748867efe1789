/**
 * `npm run bench`: synthesizes stacks and prints one JSON line per case with figures (median of several
 * runs, peak RSS). Targets are printed, never asserted in tests.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { StackInput, synthesize, synthToDir } from '../lib';

const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function seconds(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function bench(name: string, stack: StackInput): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-bench-'));
  const dist = path.join(out, 'dist');
  const inMemory: number[] = [];
  const toDisk: number[] = [];
  let files = 0;
  let bytes = 0;
  let objects = 0;
  for (let i = 0; i < RUNS; i++) {
    inMemory.push(seconds(() => synthesize(stack)));
    fs.rmSync(dist, { recursive: true, force: true });
    toDisk.push(
      seconds(() => {
        const r = synthToDir(stack, dist);
        files = r.files.size;
        bytes = [...r.files.values()].reduce((n, c) => n + Buffer.byteLength(c), 0);
        objects = r.manifests.reduce((n, m) => n + m.objects.length, 0);
      }),
    );
  }
  const unchanged = median(Array.from({ length: RUNS }, () => seconds(() => synthToDir(stack, dist))));
  fs.rmSync(out, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      case: name,
      objects,
      files,
      bytes,
      runs: RUNS,
      synthInMemorySeconds: +median(inMemory).toFixed(4),
      synthToEmptyDirSeconds: +median(toDisk).toFixed(4),
      synthUnchangedDirSeconds: +unchanged.toFixed(4),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

const root = path.resolve(__dirname, '..', '..');
bench('demo', parse(fs.readFileSync(path.join(root, 'apps/demo/stack.yaml'), 'utf8')) as StackInput);
const clusters = Array.from({ length: 50 }, (_, i) => ({ name: `site-${String(i).padStart(2, '0')}` }));
bench('50-clusters', {
  name: 'bench',
  clusters,
  energy: {},
  monitoring: { cluster: 'site-00' },
  iomt: {
    pipelines: clusters.flatMap((c) =>
      ['a', 'b'].map((p) => ({
        name: `${c.name}-${p}`,
        cluster: c.name,
        things: [{ name: 'camera', kind: 'MSensor' as const, image: 'registry.example/cam:1.0.0', port: 8554 }],
      })),
    ),
  },
});
