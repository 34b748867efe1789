/** The files of a written tree (lib/synth/written-files.ts): a read-only Map whose names go in on first use. */
import * as fs from 'fs';
import * as path from 'path';
import { fileNamesOf, WrittenFiles } from '../../lib/synth/written-files';
import { tmpDir } from '../support/tmp';

function tree(): { dir: string; files: WrittenFiles } {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, 'hub'));
  fs.writeFileSync(path.join(dir, 'hub', 'a.yaml'), 'a: 1\n');
  fs.writeFileSync(path.join(dir, 'b.yaml'), 'b: 2\n');
  return { dir, files: new WrittenFiles(dir, ['hub/a.yaml', 'b.yaml']) };
}

describe('WrittenFiles', () => {
  test('every way of reading sees the names in order and each text as on disk', () => {
    expect(tree().files.size).toBe(2);
    expect(tree().files.has('b.yaml')).toBe(true);
    expect(tree().files.has('c.yaml')).toBe(false);
    expect(tree().files.get('hub/a.yaml')).toBe('a: 1\n');
    expect(tree().files.get('c.yaml')).toBeUndefined();
    expect([...tree().files.keys()]).toEqual(['hub/a.yaml', 'b.yaml']);
    expect([...tree().files.values()]).toEqual(['a: 1\n', 'b: 2\n']);
    expect([...tree().files]).toEqual([['hub/a.yaml', 'a: 1\n'], ['b.yaml', 'b: 2\n']]);
    expect(new Map(tree().files)).toEqual(new Map([['hub/a.yaml', 'a: 1\n'], ['b.yaml', 'b: 2\n']]));
    const seen: string[] = [];
    tree().files.forEach((v, k) => seen.push(`${k}=${v}`));
    expect(seen).toEqual(['hub/a.yaml=a: 1\n', 'b.yaml=b: 2\n']);
  });

  test('read-only: set throws; delete and clear act on the names, before or after first use', () => {
    const { files } = tree();
    expect(() => files.set()).toThrow('read-only');
    expect(files.delete('b.yaml')).toBe(true);
    expect([...files.keys()]).toEqual(['hub/a.yaml']);
    const other = tree().files;
    other.clear();
    expect(other.size).toBe(0);
    expect(other.get('b.yaml')).toBeUndefined();
  });

  test('size and names before and after first use, and after a delete; fileNamesOf of any map', () => {
    const { files } = tree();
    expect(files.size).toBe(2);
    expect(files.names()).toEqual(['hub/a.yaml', 'b.yaml']);
    expect(files.delete('hub/a.yaml')).toBe(true); // the names go into the map
    expect(files.size).toBe(1);
    expect(files.names()).toEqual(['b.yaml']);
    expect(fileNamesOf(files)).toEqual(['b.yaml']);
    expect(fileNamesOf(tree().files)).toEqual(['hub/a.yaml', 'b.yaml']);
    expect(fileNamesOf(new Map([['x.yaml', 'x'], ['y.md', 'y']]))).toEqual(['x.yaml', 'y.md']);
  });
});
