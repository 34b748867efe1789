/**
 * Prints the output digests the byte-identity test (test/synth/output-digest.test.ts) compares against: the
 * bundled example and a 10,000-device bench stack, output and bootstrap. Run with `node build/bench/record-digests.js`.
 */
import * as path from 'path';
import { loadStackFile, synthesize } from '../lib/internal';
import { filesDigest } from '../lib/synth/tree';
import { benchStack } from './stacks';

const root = path.resolve(__dirname, '..', '..');
const shared = process.env.EDGEWATT_SHARED ?? path.resolve(root, '..', 'shared');
const schemas = { k8sOpenApi: path.join(shared, 'schemas/kubernetes/swagger-v1.35.0.json'), crds: [path.join(shared, 'crds')] };
const out: Record<string, { files: number; digest: string; bootstrapFiles: number; bootstrapDigest: string }> = {};
for (const [name, stack] of [['demo', loadStackFile(path.join(root, 'apps/demo/stack.yaml'))], ['bench-10000', benchStack(10000)]] as const) {
  const r = synthesize(stack, { outLabel: 'dist', validation: { schemas } });
  out[name] = { files: r.files.size, digest: filesDigest(r.files), bootstrapFiles: r.bootstrap.size, bootstrapDigest: filesDigest(r.bootstrap) };
}
console.log(JSON.stringify(out, null, 2));
