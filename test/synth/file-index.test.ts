import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { synthesize, synthToDir } from '../../lib/internal';
import { FileIndex, readIndexFile, stampOf, writeStamped } from '../../lib/synth/file-index';
import { clone, demoStack } from '../support/stacks';
import { snapshot, tmpDir } from '../support/tmp';

/**
 * The file index (lib/synth/file-index.ts): a file whose stamp is unchanged since the last synth, and that is to
 * hold the same object again, is taken as unchanged without being rendered or read; anything else about a file
 * (an edit in place, even one that keeps the size and puts the mtime back; a racy stamp; another key; a corrupt
 * index) makes the synth compare the bytes, so the output is always what a synth without caches gives.
 */
const MODES = [
  ['staged on the main thread', {}],
  ['staged by the render worker', { renderThreshold: 0 }],
] as const;

type Options = { renderThreshold?: number };

function setup(mode: Options): { dist: string; cache: string; index: string; synth: (stack?: unknown) => ReturnType<typeof synthToDir> } {
  const root = tmpDir();
  const dist = path.join(root, 'dist');
  const cache = path.join(root, '.edgewatt.cache', 'dist');
  const synth = (stack: unknown = demoStack()) => synthToDir(stack as ReturnType<typeof demoStack>, dist, { ...mode, validationCache: cache });
  return { dist, cache, index: path.join(cache, 'files.json'), synth };
}

/** The index's entries: folder → path → [digest, stamp]. */
function entries(file: string): Map<string, Map<string, [string, string]>> {
  const out = new Map<string, Map<string, [string, string]>>();
  let folder: Map<string, [string, string]> | undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(2)) {
    if (line.startsWith('\t')) out.set(line.slice(1), (folder = new Map()));
    else if (line) {
      const [digest, stamp, ...rel] = line.split('\t');
      folder?.set(rel.join('\t'), [digest, stamp]);
    }
  }
  return out;
}

const contents = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).map(([k, v]) => [k, v.content]));

/** Waits past the file system's clock tick, so a file changed now has a later change time than the index. */
function tick(): void {
  const t = Date.now() + 30;
  while (Date.now() < t);
}

describe.each(MODES)('file index, %s', (_name, mode) => {
  test('records every file of both folders with its current stamp, and a second synth keeps it', () => {
    const { dist, index, synth } = setup(mode);
    synth();
    const e = entries(index);
    const argocd = path.join(path.dirname(dist), 'argocd');
    for (const dir of [dist, argocd]) {
      const files = Object.keys(snapshot(dir)).sort();
      const recorded = e.get(fs.realpathSync(dir)) as Map<string, [string, string]>;
      expect([...recorded.keys()].sort()).toEqual(files);
      for (const rel of files) expect(recorded.get(rel)?.[1]).toBe(stampOf(path.join(dir, rel)));
    }
    tick();
    const again = synth();
    expect(again.write.missing.length + again.write.changed.length + again.write.stale.length).toBe(0);
    expect(entries(index).get(fs.realpathSync(dist))).toEqual(e.get(fs.realpathSync(dist)));
  });

  test('a file edited in place, same size and its mtime put back to the nanosecond, is still found by its change time and rewritten', () => {
    const { dist, synth } = setup(mode);
    synth();
    tick();
    const rel = Object.keys(snapshot(dist)).find((f) => f.endsWith('.yaml') && f.includes('monitoring')) as string;
    const file = path.join(dist, rel);
    const before = fs.statSync(file, { bigint: true });
    const stamp = stampOf(file) as string;
    const text = fs.readFileSync(file, 'utf8');
    const i = text.lastIndexOf('e');
    fs.writeFileSync(file, `${text.slice(0, i)}E${text.slice(i + 1)}`); // one byte changed, same size
    // touch(1) sets the mtime back exactly (Node's utimes takes a double, which cannot hold nanoseconds).
    const ns = before.mtimeNs;
    execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, file]);
    const after = stampOf(file) as string;
    // Only the change time tells the edit: device, inode, size and mtime are as recorded.
    expect(after.split(':').slice(0, 4)).toEqual(stamp.split(':').slice(0, 4));
    expect(after).not.toBe(stamp);
    const r = synth();
    expect(r.write.changed).toEqual([rel]);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('after a one-object change the rewritten file is recorded with its stamp after the commit', () => {
    const { dist, index, synth } = setup(mode);
    synth();
    tick();
    const edited = clone(demoStack()) as { fleet: { devices: Array<{ name: string }> } };
    const last = edited.fleet.devices.length - 1; // one no IoMT thing runs on
    edited.fleet.devices[last].name = `${edited.fleet.devices[last].name}-renamed`;
    const r = synth(edited);
    expect(r.write.missing.length).toBe(1);
    const rel = r.write.missing[0];
    expect(entries(index).get(fs.realpathSync(dist))?.get(rel)?.[1]).toBe(stampOf(path.join(dist, rel)));
    expect(contents(dist)).toEqual(Object.fromEntries(synthesize(edited as ReturnType<typeof demoStack>).files));
  });

  test('a forged index is trusted only under its own key and when not racy; a corrupt one is ignored', () => {
    // The folder holds stack A's files; the index is forged to say that one file already holds stack B's object
    // for that path, with the file's real stamp. Trusted, the synth of B would keep A's stale file: that shows the
    // forgery bites, and that another key, a racy index or a corrupt one makes the synth compare bytes instead.
    const { dist, index, synth } = setup(mode);
    const b = clone(demoStack()) as { gitops: { targetRevision: string } };
    b.gitops.targetRevision = 'release'; // changes each Application's file
    const other = setup(mode);
    other.synth(b);
    const bEntries = entries(other.index).get(fs.realpathSync(other.dist)) as Map<string, [string, string]>;
    const want = Object.fromEntries(synthesize(b as ReturnType<typeof demoStack>).files);
    const forge = (): string => {
      synth(); // A's files, and A's index
      tick();
      const aEntries = entries(index).get(fs.realpathSync(dist)) as Map<string, [string, string]>;
      const differ = Object.keys(want).filter((rel) => aEntries.get(rel)?.[0] !== bEntries.get(rel)?.[0] && aEntries.has(rel));
      expect(differ.length).toBeGreaterThan(0);
      const text = fs.readFileSync(index, 'utf8');
      return differ.reduce((t, rel) => t.replace(`${aEntries.get(rel)?.[0]}\t${aEntries.get(rel)?.[1]}\t${rel}\n`, `${bEntries.get(rel)?.[0]}\t${aEntries.get(rel)?.[1]}\t${rel}\n`), text);
    };
    const cases: Array<[string, (forged: string) => void, boolean]> = [
      ['trusted', (f) => fs.writeFileSync(index, f), false],
      ['another key', (f) => fs.writeFileSync(index, f.replace(/^(.*\n)(.*)\n/, '$1"another key"\n')), true],
      [
        'racy',
        (f) => {
          fs.writeFileSync(index, f);
          const past = new Date(Date.now() - 3_600_000);
          fs.utimesSync(index, past, past);
        },
        true,
      ],
      ['corrupt', () => fs.writeFileSync(index, '\u0000 not an index'), true],
    ];
    const outcome: Record<string, boolean> = {};
    for (const [name, write, expected] of cases) {
      fs.rmSync(path.dirname(dist), { recursive: true, force: true });
      const forged = forge();
      write(forged);
      tick();
      synth(b);
      outcome[name] = JSON.stringify(contents(dist)) === JSON.stringify(want);
      expect([name, outcome[name]]).toEqual([name, expected]);
    }
  });

  test('a swap carries unchanged files over by hard link and leaves them out of the index; the written ones are in it', () => {
    const { dist, index, synth } = setup(mode);
    synth();
    tick();
    const folder = fs.statSync(dist).ino;
    const edited = clone(demoStack()) as { fleet: { namespace?: string }; gitops: { targetRevision: string } };
    edited.fleet.namespace = 'devices'; // with the revision, more than an eighth of the files change: a swap
    edited.gitops.targetRevision = 'release';
    const r = synth(edited);
    expect(fs.statSync(dist).ino).not.toBe(folder);
    expect(r.write.unchanged).toBeGreaterThan(0);
    const recorded = entries(index).get(fs.realpathSync(dist)) as Map<string, [string, string]>;
    expect([...recorded.keys()].sort()).toEqual([...r.write.missing, ...r.write.changed].sort());
    for (const [rel, [, stamp]] of recorded) expect(stamp).toBe(stampOf(path.join(dist, rel)));
    expect(contents(dist)).toEqual(Object.fromEntries(synthesize(edited as ReturnType<typeof demoStack>).files));
  });
});

/**
 * Counts the files the stager reads while `f` runs: it reads a file through its descriptor (tree.ts readRegularFile),
 * through the `fs` module object spied on here.
 */
function countReads(f: () => void): number {
  const nodeFs = require('fs') as typeof fs;
  const real = nodeFs.readFileSync;
  let reads = 0;
  const spy = jest.spyOn(nodeFs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, opts?: unknown) => {
    if (typeof file === 'number') reads++;
    return real(file, opts as BufferEncoding);
  }) as typeof fs.readFileSync);
  try {
    f();
    return reads;
  } finally {
    spy.mockRestore();
  }
}

/** Each file's size in bytes, by `folder/path` (both folders of a synth). */
function sizes(dist: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const dir of [dist, path.join(path.dirname(dist), 'argocd')]) {
    for (const [rel, f] of Object.entries(snapshot(dir))) out.set(`${path.basename(dir)}/${rel}`, Buffer.byteLength(f.content));
  }
  return out;
}

describe('file index, what it saves', () => {
  test('with the index no file of an unchanged tree is read; without it, or with a racy one, every one is', () => {
    const { dist, index, synth } = setup({});
    synth();
    tick();
    const files = sizes(dist).size;
    const withIndex = countReads(() => synth());
    // Racy: the index saved no later than its files changed (the same clock tick) is not trusted.
    const past = new Date(Date.now() - 3_600_000);
    const racy = countReads(() => {
      fs.utimesSync(index, past, past);
      synth();
    });
    tick();
    const trustedAgain = countReads(() => synth());
    const without = countReads(() => {
      fs.rmSync(index);
      synth();
    });
    expect([withIndex, racy, trustedAgain, without]).toEqual([0, files, 0, files]);
  });

  // On the main thread, where the spy sees the reads (the render worker stages the same way: the synth tests run both).
  test.each([
    ['a longer name: every file changes size', 'smart-factory-renamed'],
    ['a name of the same length: most files keep their size', 'smart-factorx'],
  ])('every object changed (the stack renamed, and so the header), %s: a file the index vouches for is read only when its size stayed the same, a stale one not at all; without the index every one is', (_what, name) => {
    const { dist, index, synth } = setup({});
    const renamed = { ...demoStack(), name };
    synth();
    tick();
    const before = sizes(dist);
    const withIndex = countReads(() => synth(renamed));
    const after = sizes(dist);
    const sameSize = [...before].filter(([rel, n]) => after.get(rel) === n).length;
    const stale = [...before.keys()].filter((rel) => !after.has(rel)).length;
    // The check means something: some files are stale (their names hold the stack's), and the sizes go both ways.
    expect(stale).toBeGreaterThan(0);
    if (name.length === demoStack().name.length) expect(sameSize).toBeGreaterThan(before.size / 2);
    else expect(sameSize).toBeLessThan(before.size / 4);
    expect(withIndex).toBe(sameSize);
    expect(contents(dist)).toEqual(Object.fromEntries(synthesize(renamed as ReturnType<typeof demoStack>).files));
    // The same change back without the index: every file there is read (those kept and the stale ones).
    tick();
    fs.rmSync(index);
    const without = countReads(() => synth());
    expect(without).toBe(after.size);
    expect(contents(dist)).toEqual(Object.fromEntries(synthesize(demoStack()).files));
  });
});

describe.each(MODES)('file index, what it vouches for, %s', (_name, mode) => {
  const renamed = () => ({ ...demoStack(), name: 'smart-factory-renamed' });
  /** A synthesized folder, and a file of it that a synth of the renamed stack no longer makes (it removes it). */
  function withStale(): ReturnType<typeof setup> & { stale: string } {
    const s = setup(mode);
    s.synth();
    const probe = setup(mode);
    probe.synth(renamed());
    const after = new Set(Object.keys(snapshot(probe.dist)));
    const stale = Object.keys(snapshot(s.dist)).find((rel) => !after.has(rel)) as string;
    expect(stale).toBeDefined();
    tick();
    return { ...s, stale };
  }

  test('a stale file replaced by one of the user\'s is not removed unread: the synth refuses it, and the folder stays', () => {
    const { dist, synth, stale } = withStale();
    fs.rmSync(path.join(dist, stale));
    fs.writeFileSync(path.join(dist, stale), 'my notes\n');
    const kept = contents(dist);
    expect(() => synth(renamed())).toThrow(/was not generated by edgewatt/);
    expect(contents(dist)).toEqual(kept);
  });

  test('a stale file edited in place (its header gone) is not removed unread: the synth refuses it', () => {
    const { dist, synth, stale } = withStale();
    const file = path.join(dist, stale);
    fs.writeFileSync(file, `X${fs.readFileSync(file, 'utf8').slice(1)}`);
    expect(() => synth(renamed())).toThrow(/was not generated by edgewatt/);
  });
});

describe('writeStamped', () => {
  test('writes the text (replacing a longer file) and gives the stamp stampOf reads from the path', () => {
    const file = path.join(tmpDir(), 'f.yaml');
    fs.writeFileSync(file, 'x'.repeat(10_000));
    const text = 'ünï: "ok"\n'.repeat(50);
    const stamp = writeStamped(file, text);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(stamp).toBe(stampOf(file));
    expect(stamp.split(':')[2]).toBe(String(Buffer.byteLength(text)));
  });
});

describe('writeStamped errors', () => {
  test('a failed write on the descriptor (ENOSPC) names the file, and the descriptor is closed', () => {
    const file = path.join(tmpDir(), 'g.yaml');
    const nodeFs = require('fs') as typeof fs; // the module object itself, which writeStamped's calls go through
    const write = jest.spyOn(nodeFs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', errno: -28 });
    });
    const close = jest.spyOn(nodeFs, 'closeSync');
    try {
      expect(() => writeStamped(file, 'a: 1\n')).toThrow(expect.objectContaining({ code: 'ENOSPC', syscall: 'write', path: file }));
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      write.mockRestore();
      close.mockRestore();
    }
  });
});

describe('file index, lines it did not write', () => {
  test('a recorded stamp without a change time, or with one that is not a number, is never trusted', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'files.json');
    // The digests hold a ':' (text files' `t:`), so a search for the change time must not reach back into them.
    const lines = ['edgewatt file index 1', JSON.stringify('key\nheader'), '\t/out', 't:a\t99999\tp', 't:b\t1:2:3:4:5\tq', 't:c\t1:2:3:4:x\tr', ''];
    fs.writeFileSync(file, lines.join('\n'));
    const later = new Date(Date.now() + 3_600_000); // the index saved after every stamp's change time
    fs.utimesSync(file, later, later);
    const folder = FileIndex.open(dir, 'key', 'header').folder('/out')!;
    expect(folder.unchanged('q', 't:b', '1:2:3:4:5')).toBe(true); // a well-formed line is read as such
    expect(folder.unchanged('p', 't:a', '99999')).toBe(false);
    expect(folder.unchanged('r', 't:c', '1:2:3:4:x')).toBe(false);
  });
});

describe('file index, read before the synth knows its header', () => {
  /** A hand-made index saved under `saved` (after every stamp's change time), in a new cache folder. */
  function indexFile(saved: string, lines: string[]): string {
    const dir = tmpDir();
    const file = path.join(dir, 'files.json');
    fs.writeFileSync(file, ['edgewatt file index 1', JSON.stringify(saved), '\t/out', ...lines, ''].join('\n'));
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(file, later, later);
    return dir;
  }

  test('read early, it answers as one read when opened, under the same header and under another', () => {
    const dir = indexFile('key\nheader', ['t:a\t1:2:3:4:5\tp']);
    const early = readIndexFile(dir, 'key');
    const same = FileIndex.open(dir, 'key', 'header', early).folder('/out')!;
    expect(same.unchanged('p', 't:a', '1:2:3:4:5')).toBe(true);
    expect(same.unchanged('p', 't:b', '1:2:3:4:5')).toBe(false);
    // Another header (the stack renamed): no digest holds, the stamps still vouch for the files.
    const other = FileIndex.open(dir, 'key', 'renamed', early).folder('/out')!;
    expect(other.unchanged('p', 't:a', '1:2:3:4:5')).toBe(false);
    expect(other.vouches('p', '1:2:3:4:5')).toBe(true);
    expect(FileIndex.open(dir, 'key', 'renamed', early).warm).toBe(false);
    expect(FileIndex.open(dir, 'key', 'header', early).warm).toBe(true);
  });

  test('an index saved under another key is not read, early or not', () => {
    const dir = indexFile('other\nheader', ['t:a\t1:2:3:4:5\tp']);
    expect(readIndexFile(dir, 'key').saved).toBe('');
    expect(FileIndex.open(dir, 'key', 'header', readIndexFile(dir, 'key')).folder('/out')!.vouches('p', '1:2:3:4:5')).toBe(false);
  });

  test("a read of another folder or key is not used: the index is read again", () => {
    const dir = indexFile('key\nheader', ['t:a\t1:2:3:4:5\tp']);
    const elsewhere = indexFile('key\nheader', ['t:z\t1:2:3:4:5\tp']);
    expect(FileIndex.open(dir, 'key', 'header', readIndexFile(elsewhere, 'key')).folder('/out')!.unchanged('p', 't:a', '1:2:3:4:5')).toBe(true);
    const forKey2 = indexFile('key2\nheader', ['t:a\t1:2:3:4:5\tp']);
    expect(FileIndex.open(dir, 'key', 'header', readIndexFile(forKey2, 'key2')).folder('/out')!.unchanged('p', 't:a', '1:2:3:4:5')).toBe(true);
  });

  test('an index read before another synth replaced the files vouches for none of the files that synth wrote', () => {
    const { dist, cache, synth } = setup({ renderThreshold: 0 });
    synth();
    tick();
    const key = fs.readFileSync(path.join(cache, 'files.json'), 'utf8').split('\n')[1];
    const [codeKey, header] = (JSON.parse(key) as string).split('\n');
    const early = readIndexFile(cache, codeKey);
    // Another synth (a device renamed: its request moves) replaces files after the early read.
    const stack = clone(demoStack()) as { fleet: { devices: Array<{ name: string }> } };
    const last = stack.fleet.devices.length - 1; // one no IoMT thing runs on
    stack.fleet.devices[last].name = `${stack.fleet.devices[last].name}-renamed`;
    const second = synth(stack);
    expect(second.write.missing.length + second.write.changed.length).toBeGreaterThan(0);
    tick();
    const folder = FileIndex.open(cache, codeKey, header, early).folder(fs.realpathSync(dist))!;
    const written = [...second.write.missing, ...second.write.changed];
    for (const rel of written) expect(folder.vouches(rel, stampOf(path.join(dist, rel)))).toBe(false);
    // A file neither synth changed is still vouched for by the early read.
    const kept = Object.keys(snapshot(dist)).find((rel) => !written.includes(rel) && rel.endsWith('.yaml')) as string;
    expect(folder.vouches(kept, stampOf(path.join(dist, kept)))).toBe(true);
    // And a third synth of the second stack, whose worker read the index early, writes nothing.
    const third = synth(stack);
    expect(third.write.missing.length + third.write.changed.length + third.write.stale.length).toBe(0);
    expect(contents(dist)).toEqual(Object.fromEntries(synthesize(stack as ReturnType<typeof demoStack>).files));
  });
});
