import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'yaml';
import { benchStack } from '../../bench/stacks';
import { SpecError } from '../../lib/core/errors';
import { FAST_YAML_MIN_BYTES, parseStackYaml } from '../../lib/spec/parse';
import { StackReader } from '../../lib/spec/stack-reader';
import { openStackReader, saveStackReader, STACK_CACHE_FILE } from '../../lib/synth/stack-cache';
import { tmpDir } from '../support/tmp';

/** A stack.yaml of 3,000 devices (over FAST_YAML_MIN_BYTES, so the quick reader reads it). */
const base = yaml.stringify(benchStack(3000));

/** A cache folder holding what a reader kept after reading `text`. */
function savedAfter(text: string): string {
  const dir = path.join(tmpDir(), 'cache');
  const reader = new StackReader();
  reader.read(text);
  expect(saveStackReader(dir, reader)).toBe(true);
  return dir;
}

/** The file's bytes with the header line's JSON changed by `change` (its digest left as it was). */
function withHeader(file: string, change: (h: Record<string, unknown>) => void): void {
  const bytes = fs.readFileSync(file);
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.toString('utf8', 0, nl)) as Record<string, unknown>;
  change(header);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(JSON.stringify(header)), bytes.subarray(nl)]));
}

describe('the stack reader kept on disk (.edgewatt.cache/<out>/stack.json)', () => {
  it('a new reader from the folder reads the next text by its edits and gives what parseStackYaml gives; the same text too', () => {
    expect(Buffer.byteLength(base)).toBeGreaterThanOrEqual(FAST_YAML_MIN_BYTES);
    const dir = savedAfter(base);
    const edited = base.replace('name: dev-00005\n', 'name: dev-00005-renamed\n');
    expect(edited).not.toBe(base);
    const reader = openStackReader(dir);
    expect(reader.read(edited)).toEqual(parseStackYaml(edited));
    expect(reader.counts).toEqual({ whole: 0, spliced: 1 });
    // The text it kept is the edited one: saved again, a third process reads the first text back by its edits.
    expect(saveStackReader(dir, reader)).toBe(true);
    const third = openStackReader(dir);
    expect(third.read(base)).toEqual(parseStackYaml(base));
    expect(third.counts).toEqual({ whole: 0, spliced: 1 });
    // Nothing new read: nothing written.
    expect(saveStackReader(dir, third)).toBe(true);
    expect(saveStackReader(dir, third)).toBe(false);
    const same = openStackReader(dir);
    expect(same.read(base)).toEqual(parseStackYaml(base));
    expect(same.counts).toEqual({ whole: 0, spliced: 1 });
    expect(saveStackReader(dir, same)).toBe(false);
  });

  it('a read back state that gives a problem is read whole: the same SpecError, with its line', () => {
    const dir = savedAfter(base);
    const bad = base.replace('name: dev-00005\n', 'name: Dev_00005\n');
    const reader = openStackReader(dir);
    let got: unknown;
    let want: unknown;
    try {
      reader.read(bad);
    } catch (e) {
      got = e;
    }
    try {
      parseStackYaml(bad);
    } catch (e) {
      want = e;
    }
    expect(got).toBeInstanceOf(SpecError);
    expect((got as SpecError).problems).toEqual((want as SpecError).problems);
    expect((got as SpecError).problems.some((p) => /stack\.yaml:\d+/.test(p.location ?? ''))).toBe(true);
    expect(reader.counts).toEqual({ whole: 1, spliced: 0 });
  });

  it('a damaged, truncated, other-key or other-format file is no cache: the text is read whole', () => {
    const damages: Array<[string, (file: string) => void]> = [
      [
        'a byte of the data changed',
        (f) => {
          const b = fs.readFileSync(f);
          const at = b.lastIndexOf('dev-00007');
          b[at + 8] = '8'.charCodeAt(0);
          fs.writeFileSync(f, b);
        },
      ],
      ['cut short', (f) => fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 100_000))],
      ['another key', (f) => withHeader(f, (h) => (h.key = 'f'.repeat(64)))],
      ['another format', (f) => withHeader(f, (h) => (h.format = 0))],
      ['not JSON', (f) => fs.writeFileSync(f, 'half a cache')],
      ['a folder', (f) => (fs.rmSync(f), fs.mkdirSync(f))],
    ];
    const edited = base.replace('name: dev-00005\n', 'name: dev-00005-renamed\n');
    for (const [, damage] of damages) {
      const dir = savedAfter(base);
      damage(path.join(dir, STACK_CACHE_FILE));
      const reader = openStackReader(dir);
      expect(reader.read(edited)).toEqual(parseStackYaml(edited));
      expect(reader.counts).toEqual({ whole: 1, spliced: 0 });
    }
    // Undamaged, the same folder is read by its edits (the damages above are what made them read whole).
    const reader = openStackReader(savedAfter(base));
    reader.read(edited);
    expect(reader.counts).toEqual({ whole: 0, spliced: 1 });
  });

  it('a state whose lists are not where its text has them is not restored', () => {
    const reader = new StackReader();
    reader.read(base);
    const kept = reader.state();
    if (kept === undefined) throw new Error('the reader kept nothing');
    const state = kept;
    expect(StackReader.restore(state)).toBeInstanceOf(StackReader);
    const devices = state.layouts.findIndex((l) => l.keys.join('.') === 'fleet.devices');
    const moved = (change: (l: (typeof state.layouts)[number]) => object) => ({ ...state, layouts: state.layouts.map((l, k) => (k === devices ? { ...l, ...change(l) } : l)) });
    expect(StackReader.restore(moved((l) => ({ starts: l.starts.map((x) => x + 1) })))).toBeUndefined();
    expect(StackReader.restore(moved((l) => ({ starts: l.starts.slice(1) })))).toBeUndefined();
    expect(StackReader.restore(moved(() => ({ end: state.text.length + 1 })))).toBeUndefined();
    expect(StackReader.restore(moved(() => ({ keys: ['fleet', 'nodes'] })))).toBeUndefined();
    expect(StackReader.restore({ ...state, raw: [] as unknown as Record<string, unknown> })).toBeUndefined();
  });

  it('data that JSON would not give back exactly (-0) is not kept; read by its edits after it is, it is not either', () => {
    const text = base.replace(/^monitoring:\n/m, 'monitoring:\n  carbonIntensity: -0.0\n');
    expect(text).not.toBe(base);
    const reader = new StackReader();
    expect(Object.is((reader.read(text) as { monitoring: { carbonIntensity: number } }).monitoring.carbonIntensity, -0)).toBe(true);
    expect(reader.state()).toBeDefined();
    expect(saveStackReader(path.join(tmpDir(), 'cache'), reader)).toBe(false);
    // An edit of a device after it: the data is spliced from the kept one, still with its -0.
    reader.read(text.replace('name: dev-00005\n', 'name: dev-00005-renamed\n'));
    expect(reader.counts).toEqual({ whole: 1, spliced: 1 });
    expect(saveStackReader(path.join(tmpDir(), 'cache'), reader)).toBe(false);
  });

  it('an edit read by its edits from a kept state, with data JSON would not give back (-0), is not kept', () => {
    const dir = savedAfter(base);
    const at = '    - name: set-004\n';
    expect(base).toContain(at);
    const text = base.replace(at, `${at}      power:\n        source: profile\n        profile:\n          idleWatts: -0\n          maxWatts: 10\n`);
    const reader = openStackReader(dir);
    const idle = (s: unknown) => (s as { fleet: { deviceSets: Array<{ power: { profile: { idleWatts: number } } }> } }).fleet.deviceSets[4].power.profile.idleWatts;
    expect(Object.is(idle(reader.read(text)), -0)).toBe(true);
    expect(reader.counts).toEqual({ whole: 0, spliced: 1 });
    expect(saveStackReader(dir, reader)).toBe(false);
    // The folder still holds the first text: read from it, the -0 is what parseStackYaml gives.
    const next = openStackReader(dir);
    expect(Object.is(idle(next.read(text)), -0)).toBe(true);
    expect(Object.is(idle(parseStackYaml(text)), -0)).toBe(true);
  });

  it('a text with characters of several bytes and CRLF line ends is read back by its edits (byte lengths, not characters)', () => {
    const text = `# Zürich – 東京 🚀\r\n${base.replace(/\n/g, '\r\n').replace('    - name: dev-00003\r\n', '    # près de la porte 🚪\r\n    - name: dev-00003\r\n')}`;
    expect(text).toContain('🚪');
    const dir = savedAfter(text);
    const edited = text.replace('name: dev-00005\r\n', 'name: dev-00005-renamed\r\n');
    const reader = openStackReader(dir);
    expect(JSON.stringify(reader.read(edited))).toBe(JSON.stringify(parseStackYaml(edited)));
    expect(reader.counts).toEqual({ whole: 0, spliced: 1 });
  });
});
