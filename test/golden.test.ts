import * as path from 'path';
import { checkDir, loadStackFile } from '../lib/internal';
import { ROOT, sharedPath } from './support/shared';

describe('golden gate', () => {
  test('the committed dist/ equals a fresh synth of apps/demo (run `npm run synth` and commit)', () => {
    const schemas = { k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [sharedPath('crds')] };
    const diff = checkDir(loadStackFile(path.join(ROOT, 'apps/demo/stack.yaml')), path.join(ROOT, 'dist'), { validation: { schemas } });
    expect(diff).toEqual({ missing: [], changed: [], stale: [] });
  });
});
