import * as fs from 'fs';
import * as path from 'path';
import { SpecError } from '../../lib/core/errors';
import { listTree } from '../../lib/synth/tree';
import { tmpDir } from '../support/tmp';

/**
 * listTree (lib/synth/tree.ts): the regular files below a folder, sorted or (for FolderStager, which keeps them in a
 * map) in the folders' own order; either way the same files, and anything else refused in one error sorted by path.
 */

/** A tree of `n` files in nested folders, names chosen so that walk order and code-unit order differ ('a-b' < 'a/…'). */
function tree(n: number): string {
  const dir = tmpDir();
  for (let i = 0; i < n; i++) {
    const rel = path.join(i % 3 === 0 ? 'a' : i % 3 === 1 ? 'a-b' : path.join('a', 'z'), `f${(i * 7919) % 1000}.yaml`);
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), `${i}\n`);
  }
  return dir;
}

describe('listTree', () => {
  test('unsorted, it gives the same files as sorted', () => {
    const dir = tree(60);
    const sorted = listTree(dir);
    const unsorted = listTree(dir, dir, false);
    expect(unsorted).toHaveLength(sorted.length);
    expect([...unsorted].sort()).toEqual([...sorted].sort());
    // Sorted is walk order: the 40 files under 'a' (its own and 'a/z''s), then the 20 of 'a-b'.
    expect(sorted.slice(0, 40).every((f) => f.startsWith('a/'))).toBe(true);
    expect(sorted.slice(40).every((f) => f.startsWith('a-b/'))).toBe(true);
  });

  test('links and FIFOs are refused in one error, by path, sorted or not', () => {
    const dir = tree(12);
    fs.symlinkSync('/etc/hostname', path.join(dir, 'a-b', 'link'));
    fs.symlinkSync('/etc/hostname', path.join(dir, 'a', 'z', 'link'));
    fs.symlinkSync('/etc/hostname', path.join(dir, 'a', 'link'));
    for (const sorted of [true, false]) {
      let thrown: unknown;
      try {
        listTree(dir, 'out', sorted);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(SpecError);
      const paths = (thrown as SpecError).problems.map((p) => p.path);
      expect(new Set(paths)).toEqual(new Set(['out/a-b/link', 'out/a/z/link', 'out/a/link']));
      if (!sorted) expect(paths).toEqual([...paths].sort());
      for (const p of (thrown as SpecError).problems) expect(p.message).toContain('is a symbolic link');
    }
  });
});
