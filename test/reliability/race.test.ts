import * as path from 'path';
import { synthesize } from '../../lib/internal';
import { tmpDir } from '../support/tmp';
import { child, gitopsStack, holds, leftovers, stackFile } from './support';

describe('item 1: two synths racing into one folder', () => {
  test('10 rounds of two different stacks (and 2 of the same one) at once: each round ends in one whole stack, each process exits 0 or 6', async () => {
    const dir = tmpDir();
    const A = synthesize(gitopsStack('lab-a'));
    const B = synthesize(gitopsStack('lab-b', 'edge-b'));
    const files = { a: stackFile(dir, 'a', gitopsStack('lab-a')), b: stackFile(dir, 'b', gitopsStack('lab-b', 'edge-b')) };
    const dist = path.join(dir, 'dist');
    const argocd = path.join(dir, 'argocd');
    const tally: Record<string, number> = {};
    const rounds: Array<['a' | 'b', 'a' | 'b']> = [...Array.from({ length: 10 }, (_, i) => (i % 2 ? ['a', 'b'] : ['b', 'a']) as ['a' | 'b', 'a' | 'b']), ['a', 'a'], ['b', 'b']];
    for (const [x, y] of rounds) {
      const [rx, ry] = await Promise.all([child(['synth', '-c', files[x], '-o', dist]), child(['synth', '-c', files[y], '-o', dist])]);
      for (const r of [rx, ry]) {
        expect([0, 6]).toContain(r.code);
        // The other process is named by its pid, or, when it has taken the lock but not yet written its pid into it, as starting up.
        if (r.code === 6) expect(r.err).toMatch(new RegExp(`error: ${dir}/(dist|argocd) is being written by another edgewatt \\((pid \\d+|a process starting up; lock ${dir}/\\.edgewatt-lock-(dist|argocd)\\))`));
      }
      const onDisk = holds(dist, A.files) && holds(argocd, A.bootstrap) ? 'a' : holds(dist, B.files) && holds(argocd, B.bootstrap) ? 'b' : 'MIX';
      expect(onDisk).not.toBe('MIX');
      // The stack on disk is that of a process that exited 0.
      expect([x === onDisk ? rx.code : 1, y === onDisk ? ry.code : 1]).toContain(0);
      expect(leftovers(dir)).toEqual([]);
      const key = `${rx.code}/${ry.code}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    console.log(`racing synths, exit codes per round: ${JSON.stringify(tally)}`);
  }, 300000);
});
