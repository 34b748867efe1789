/**
 * The peer figure of `npm run bench`: what a user gets from cdk8s alone for the same stack — every
 * (cluster, component) chart built into one cdk8s App and written with `App.synth()` (cdk8s's own YAML
 * output, no validation gates). No maintained npm or Debian package provides kubeconform (checked:
 * `apt-cache search kubeconform` is empty, `npm view kubeconform` is 404), so this is the peer the issue names
 * for that case. Prints one JSON line: `{ devices, peerSeconds }`.
 */
import { App } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMPONENT_REGISTRY } from '../charts';
import { resolveStack } from '../lib/synth/resolve-all';
import { benchStack } from './stacks';

const devices = Number(process.argv[2]);
const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const outdir = fs.mkdtempSync(path.join(base, 'edgewatt-peer-'));
const stack = benchStack(devices);
const t = process.hrtime.bigint();
const model = resolveStack(stack);
const app = new App({ outdir });
for (const cluster of model.clusters) {
  for (const def of COMPONENT_REGISTRY) {
    if (def.clusters(model).includes(cluster.name)) def.build(app, `${cluster.name}-${def.name}`, { model, cluster, registry: COMPONENT_REGISTRY });
  }
}
app.synth();
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
fs.rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify({ devices, peerSeconds: +seconds.toFixed(3), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
