import * as fs from 'fs';
import * as path from 'path';
import { loadStackFile, synthesize } from '../../lib/internal';
import { filesDigest } from '../../lib/synth/tree';
import { benchStack } from '../../bench/stacks';
import { ROOT, sharedPath } from '../support/shared';

/**
 * Byte identity across the scale work (issue 23): the digests in test/fixtures/output-digests.json were
 * recorded with bench/record-digests.ts on the code before the scale changes; every optimisation of synth,
 * validation or rendering must give the same files, byte for byte.
 */
const recorded = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/output-digests.json'), 'utf8')) as Record<string, { files: number; digest: string; bootstrapFiles: number; bootstrapDigest: string }>;
const schemas = { k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [sharedPath('crds')] };

describe('output is byte-identical to the recorded digests', () => {
  test.each([
    ['demo', () => loadStackFile(path.join(ROOT, 'apps/demo/stack.yaml'))],
    ['bench-10000', () => benchStack(10000)],
  ] as const)('%s', (name, stack) => {
    const r = synthesize(stack(), { outLabel: 'dist', validation: { schemas } });
    expect({ files: r.files.size, digest: filesDigest(r.files), bootstrapFiles: r.bootstrap.size, bootstrapDigest: filesDigest(r.bootstrap) }).toEqual(recorded[name]);
  });
});
