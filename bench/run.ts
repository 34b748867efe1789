/**
 * `npm run bench`: edgewatt synth + validate against the lower bound (the same final objects serialized and
 * written directly), at 100, 1,000 and 10,000 devices, one process per size; then the bundled example
 * through the CLI. Prints one JSON line per measurement and whether each target holds. Tests time nothing.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const shared = process.env.EDGEWATT_SHARED ?? path.resolve(root, '..', 'shared');
const k8s = path.join(shared, 'schemas/kubernetes/swagger-v1.35.0.json');
const crds = path.join(shared, 'crds');

const rows: Array<Record<string, number>> = [];
for (const devices of [100, 1000, 10000]) {
  const line = execFileSync(process.execPath, [path.join(__dirname, 'size.js'), String(devices), k8s, crds], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim();
  console.log(line);
  rows.push(JSON.parse(line));
}

// The bundled example through the CLI, wall clock from process start (median of 3).
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-demo-')), 'dist');
const walls: number[] = [];
for (let i = 0; i < 3; i++) {
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, [path.join(root, 'bin/edgewatt.js'), 'synth', '-c', path.join(root, 'apps/demo/stack.yaml'), '-o', out, '--k8s-openapi', k8s, '--crds', crds], { encoding: 'utf8' });
  walls.push(Number(process.hrtime.bigint() - t) / 1e9);
}
const demoWall = [...walls].sort((a, b) => a - b)[1];
console.log(JSON.stringify({ case: 'bundled example via CLI', wallSeconds: +demoWall.toFixed(2) }));

const at = (d: number) => rows.find((r) => r.devices === d)!;
const targets = {
  'ratio (a)/(b) <= 2.0 at 10,000 devices': at(10000).ratio <= 2.0,
  'time(10,000)/time(1,000) <= 11': at(10000).synthValidateSeconds / at(1000).synthValidateSeconds <= 11,
  'peak RSS <= 1 GiB': rows.every((r) => r.peakRssMiB <= 1024),
  'bundled example synth + validate < 3 s wall': demoWall < 3,
};
console.log(JSON.stringify({ targets, scaling: +(at(10000).synthValidateSeconds / at(1000).synthValidateSeconds).toFixed(2), machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}` }));
