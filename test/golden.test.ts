import * as path from 'path';
import { checkDir, loadStackFile } from '../lib';
import { ROOT } from './support/shared';

describe('golden gate', () => {
  test('the committed dist/ equals a fresh synth of apps/demo (run `npm run synth` and commit)', () => {
    const diff = checkDir(loadStackFile(path.join(ROOT, 'apps/demo/stack.yaml')), path.join(ROOT, 'dist'));
    expect(diff).toEqual({ missing: [], changed: [], stale: [] });
  });
});
