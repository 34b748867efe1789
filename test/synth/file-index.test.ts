import * as fs from 'fs';
import * as path from 'path';
import { synthesize, synthToDir } from '../../lib/internal';
import { stampOf } from '../../lib/synth/file-index';
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

  test('a file edited in place, same size and its mtime put back, is still found and rewritten', () => {
    const { dist, synth } = setup(mode);
    synth();
    tick();
    const rel = Object.keys(snapshot(dist)).find((f) => f.endsWith('.yaml') && f.includes('monitoring')) as string;
    const file = path.join(dist, rel);
    const st = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8');
    const i = text.lastIndexOf('e');
    fs.writeFileSync(file, `${text.slice(0, i)}E${text.slice(i + 1)}`); // one byte changed, same size
    fs.utimesSync(file, st.atime, st.mtime);
    expect(fs.statSync(file).size).toBe(st.size);
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

  test('a corrupt, foreign-keyed or racy index only makes the synth compare bytes: the output is the same', () => {
    const { dist, index, synth } = setup(mode);
    synth();
    const want = contents(dist);
    const text = fs.readFileSync(index, 'utf8');
    for (const forged of ['\u0000 not an index', text.replace(/^(.*\n)(.*)\n/, '$1"another key"\n'), text.replace(/^[^\t\n]+\t/gm, 'forged\t')]) {
      fs.writeFileSync(index, forged);
      tick();
      const r = synth();
      expect(r.write.missing.length + r.write.changed.length + r.write.stale.length).toBe(0);
      expect(contents(dist)).toEqual(want);
    }
  });
});

describe('file index, what it saves', () => {
  test('with the index no file of an unchanged tree is read; without it, or with a racy one, every one is', () => {
    const { dist, index, synth } = setup({});
    synth();
    tick();
    const files = Object.keys(snapshot(dist)).length + Object.keys(snapshot(path.join(path.dirname(dist), 'argocd'))).length;
    const nodeFs = require('fs') as typeof fs; // the module object the stager's reads go through
    const real = nodeFs.readFileSync;
    let reads = 0;
    const spy = jest.spyOn(nodeFs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, opts?: unknown) => {
      if (typeof file === 'number') reads++; // the stager reads a file through its descriptor (tree.ts readRegularFile)
      return real(file, opts as BufferEncoding);
    }) as typeof fs.readFileSync);
    const count = (f: () => void): number => {
      reads = 0;
      f();
      return reads;
    };
    try {
      const withIndex = count(() => synth());
      // Racy: the index saved no later than its files changed (the same clock tick) is not trusted.
      const past = new Date(Date.now() - 3_600_000);
      const racy = count(() => {
        fs.utimesSync(index, past, past);
        synth();
      });
      tick();
      const trustedAgain = count(() => synth());
      const without = count(() => {
        fs.rmSync(index);
        synth();
      });
      expect([withIndex, racy, trustedAgain, without]).toEqual([0, files, 0, files]);
    } finally {
      spy.mockRestore();
    }
  });
});
