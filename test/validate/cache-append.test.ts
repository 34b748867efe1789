/**
 * Saving the validation cache adds only the new digests to the end of its file, in place, while the file is the one
 * this process read or wrote (lib/validate/cache.ts appendValidation): never into a file another writer replaced
 * (whose key may differ), and written whole again once stale digests pass staleLimit. A file this process knows,
 * unchanged since, is not read again.
 */
import * as fs from 'fs';
import * as path from 'path';
import { forgetKnownCaches, openValidationCache } from '../../lib/validate/cache';
import { tmpDir } from '../support/tmp';

const digests = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

/** Opens the cache in `dir` under `key`, records `passed` and saves. */
function save(dir: string, key: string, passed: string[]): void {
  const c = openValidationCache(dir, key);
  c.record(passed);
  c.save();
}

/** What the file says, read as a new process reads it. */
function onDisk(dir: string): { key: string; passed: string[] } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'validation.json'), 'utf8')) as { key: string; passed: string[] };
}

describe('validation cache: new digests appended in place', () => {
  afterEach(() => forgetKnownCaches());

  test('one object changed: its digest is appended, the old one stays listed, and a new process reads both', () => {
    const dir = path.join(tmpDir(), 'cache');
    const first = digests('a', 2000);
    save(dir, 'k1', first);
    const ino = fs.statSync(path.join(dir, 'validation.json')).ino;
    const second = [...first.slice(1), 'new-1'];
    save(dir, 'k1', second);
    expect(fs.statSync(path.join(dir, 'validation.json')).ino).toBe(ino); // the same file, not a renamed copy
    expect(onDisk(dir)).toEqual({ key: 'k1', passed: [...first, 'new-1'] });
    forgetKnownCaches();
    const reread = openValidationCache(dir, 'k1');
    expect(reread.size).toBe(2001);
    expect(reread.has('new-1') && reread.has(first[0])).toBe(true);
    save(dir, 'k1', [...second, 'new-2']); // appended again after a read from disk
    expect(onDisk(dir).passed.slice(-2)).toEqual(['new-1', 'new-2']);
  });

  test('the new digests given with the passed ones (as the gates give them): those not listed yet are appended, once', () => {
    const dir = path.join(tmpDir(), 'cache');
    const first = digests('a', 100);
    save(dir, 'k1', first);
    const c = openValidationCache(dir, 'k1');
    // One new digest, one listed already (another cache of the same file may have added it meanwhile), one given twice.
    c.record([...first, 'new-1'], ['new-1', first[3], 'new-1']);
    c.save();
    expect(onDisk(dir)).toEqual({ key: 'k1', passed: [...first, 'new-1'] });
  });

  test('nothing new: the file is not written', () => {
    const dir = path.join(tmpDir(), 'cache');
    save(dir, 'k1', digests('a', 50));
    const before = fs.statSync(path.join(dir, 'validation.json'));
    save(dir, 'k1', digests('a', 40));
    const after = fs.statSync(path.join(dir, 'validation.json'));
    expect([after.ino, after.size, after.mtimeMs]).toEqual([before.ino, before.size, before.mtimeMs]);
  });

  /**
   * k1's 100 digests saved; the cache opened as this process knows it (after `prepare`); the file changed by another
   * writer (`other`); then `passed` saved through the cache opened before. Returns what the file says.
   */
  function savedAfterAnotherWriter(other: (dir: string, file: string) => void, passed: string[], prepare?: (file: string) => void): { key: string; passed: string[] } {
    const dir = path.join(tmpDir(), 'cache');
    const file = path.join(dir, 'validation.json');
    save(dir, 'k1', digests('a', 100));
    prepare?.(file);
    const mine = openValidationCache(dir, 'k1'); // known: not read again
    other(dir, file);
    mine.record(passed);
    mine.save();
    return onDisk(dir);
  }

  test('a file another writer replaced since this process read it (another key) is written whole, never appended to', () => {
    // Another build, another key, renamed over the file.
    const disk = savedAfterAnotherWriter((dir) => save(dir, 'k2', digests('b', 100)), [...digests('a', 100), 'new-1']);
    expect(disk).toEqual({ key: 'k1', passed: [...digests('a', 100), 'new-1'] });
  });

  test('a file changed in place since (the same inode, another size) is written whole', () => {
    const disk = savedAfterAnotherWriter((_dir, file) => fs.writeFileSync(file, `{"key":"k2","passed":["x"]}\n`), ['new-1']);
    expect(disk).toEqual({ key: 'k1', passed: ['new-1'] });
  });

  test('a file of another key with the same stamp (inode, size and time) is written whole, never appended to', () => {
    // A time in whole seconds, which utimes sets exactly, so the other writer's file can have it too.
    const second = Math.floor(Date.now() / 1000) - 60;
    let before: fs.Stats | undefined;
    const disk = savedAfterAnotherWriter(
      (_dir, file) => {
        before = fs.statSync(file);
        // Another writer's file in place: another key of the same length, its own digests, the same size and time.
        const theirs = fs.readFileSync(file, 'utf8').replace('"k1"', '"k2"').replace(/"a0/g, '"b0');
        fs.writeFileSync(file, theirs);
        fs.utimesSync(file, second, second);
        const after = fs.statSync(file);
        expect([after.dev, after.ino, after.size, after.mtimeMs]).toEqual([before.dev, before.ino, before.size, before.mtimeMs]);
      },
      [...digests('a', 100), 'new-1'],
      (file) => {
        fs.utimesSync(file, second, second);
        forgetKnownCaches();
      },
    );
    expect(before).toBeDefined();
    expect(disk).toEqual({ key: 'k1', passed: [...digests('a', 100), 'new-1'] });
  });

  test('stale digests past a quarter of the live ones and 1,000 more: written whole with only the live ones', () => {
    const dir = path.join(tmpDir(), 'cache');
    save(dir, 'k1', digests('a', 4000));
    save(dir, 'k1', [...digests('a', 4000).slice(2000), 'new-1']); // 2,000 stale of 2,001 live: over 1,500
    expect(onDisk(dir).passed).toEqual([...digests('a', 4000).slice(2000), 'new-1']);
    save(dir, 'k1', [...digests('a', 4000).slice(2100), 'new-1', 'new-2']); // 100 stale: appended
    expect(onDisk(dir).passed).toEqual([...digests('a', 4000).slice(2000), 'new-1', 'new-2']);
  });

  test('an append cut short leaves a file the next open reads as an empty cache', () => {
    const dir = path.join(tmpDir(), 'cache');
    save(dir, 'k1', digests('a', 10));
    save(dir, 'k1', [...digests('a', 10), 'new-1']);
    const file = path.join(dir, 'validation.json');
    const text = fs.readFileSync(file, 'utf8');
    // Cut before its closing brackets: invalid JSON. (Only the final newline missing is the whole list.)
    for (const cut of [2, 3, 8, 12]) {
      fs.writeFileSync(file, text.slice(0, text.length - cut));
      forgetKnownCaches();
      expect(openValidationCache(dir, 'k1').size).toBe(0);
    }
    fs.writeFileSync(file, text.slice(0, -1));
    forgetKnownCaches();
    expect(openValidationCache(dir, 'k1').size).toBe(11);
    save(dir, 'k1', [...digests('a', 10), 'new-1', 'new-2']); // it does not end as the writer ends it: written whole
    expect(onDisk(dir).passed).toEqual([...digests('a', 10), 'new-1', 'new-2']);
  });
});
