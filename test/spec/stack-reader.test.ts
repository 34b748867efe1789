import fc from 'fast-check';
import { isDeepStrictEqual } from 'util';
import * as yaml from 'yaml';
import { benchStack } from '../../bench/stacks';
import { SpecError } from '../../lib/core/errors';
import { FAST_YAML_MIN_BYTES, parseStackYaml } from '../../lib/spec/parse';
import { StackReader } from '../../lib/spec/stack-reader';
import { openStackReader, saveStackReader } from '../../lib/synth/stack-cache';
import * as path from 'path';
import { tmpDir } from '../support/tmp';

/** A stack.yaml of 3,000 devices (over FAST_YAML_MIN_BYTES, so the quick reader reads it), as `options` write it. */
function stackText(options: yaml.ToStringOptions = {}, crlf = false): string {
  const text = yaml.stringify(benchStack(3000), options);
  expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(FAST_YAML_MIN_BYTES);
  return crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** What `read` gives: the stack, or the SpecError's message and problems (anything else is rethrown). */
function outcome(read: () => unknown): { stack: unknown } | { problems: unknown } {
  try {
    return { stack: read() };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return { problems: [e.message, e.problems] };
  }
}

/** Reads `text` with `reader` and with parseStackYaml, and expects the same outcome. */
function expectSame(reader: StackReader, text: string): void {
  const got = outcome(() => reader.read(text));
  const want = outcome(() => parseStackYaml(text));
  expect(got).toEqual(want);
}

type Devices = ReadonlyArray<{ readonly name: string }>;
const devicesOf = (stack: unknown): Devices => (stack as { fleet: { devices: Devices } }).fleet.devices;

describe('StackReader (a stack file read again after an edit)', () => {
  const base = stackText();

  /** A reader that read `base`, and `change(base)` (which must differ from it). */
  function afterBase(change: (t: string) => string): { reader: StackReader; edited: string } {
    const reader = new StackReader();
    reader.read(base);
    const edited = change(base);
    expect(edited).not.toBe(base);
    return { reader, edited };
  }

  it('reads an edited device alone, gives what parseStackYaml gives, and keeps the devices that did not change', () => {
    const reader = new StackReader();
    const first = reader.read(base);
    expect(reader.counts).toEqual({ whole: 1, spliced: 0 });
    const edited = base.replace('name: dev-00005\n', 'name: dev-00005-renamed\n');
    expect(edited).not.toBe(base);
    const second = reader.read(edited);
    expect(reader.counts).toEqual({ whole: 1, spliced: 1 });
    expect(second).toEqual(parseStackYaml(edited));
    expect(devicesOf(second)[5].name).toBe('dev-00005-renamed');
    // The devices that did not change are the last read's (frozen) objects; the edited one is new.
    expect(devicesOf(second)[3]).toBe(devicesOf(first)[3]);
    expect(devicesOf(second)[6]).toBe(devicesOf(first)[6]);
    expect(devicesOf(second)[5]).not.toBe(devicesOf(first)[5]);
    expect(Object.isFrozen(second)).toBe(true);
    // Read back: the first text again, by its edit too.
    expect(reader.read(base)).toEqual(first);
    expect(reader.counts).toEqual({ whole: 1, spliced: 2 });
  });

  it('reads a run of edits in each list alone, each list found where the edits before it moved it', () => {
    const reader = new StackReader();
    reader.read(base);
    // Each edit changes the text's length before the next list (the clusters come first, then the devices, then the
    // pipelines), and one goes back to the first list.
    const edits = [
      (t: string) => t.replace('https://site-3.edge.example:6443', 'https://site-3-longer.edge.example:6443'),
      (t: string) => t.replace('name: dev-00020\n', 'name: dev-00020-longer\n'),
      (t: string) => t.replace('name: hub-audio\n', 'name: hub-audio-longer\n'),
      (t: string) => t.replace('name: site-05-vision\n', 'name: site-05-vision-b\n'),
      (t: string) => t.replace('https://site-7.edge.example:6443', 'https://s7.edge.example:6443'),
      (t: string) => t.replace('name: dev-02000\n', 'name: d2000\n'),
    ];
    let text = base;
    for (const change of edits) {
      const next = change(text);
      expect(next).not.toBe(text);
      text = next;
      expectSame(reader, text);
    }
    expect(reader.counts).toEqual({ whole: 1, spliced: edits.length });
  });

  it.each([
    ['an IoMT pipeline changed', (t: string) => t.replace('image: registry.example/iomt/analyzer:1.0.0\n', 'image: registry.example/iomt/analyzer:1.0.1\n')],
    ['a cluster changed', (t: string) => t.replace('https://site-3.edge.example:6443', 'https://site-3.edge.example:7443')],
    ['a workload changed', (t: string) => t.replace('    - name: relay-001\n      image: registry.example/relay:1.0.0\n', '    - name: relay-001\n      image: registry.example/relay:1.0.1\n')],
    ['a device set added', (t: string) => t.replace('    - name: set-002\n', '    - name: set-002\n    - name: set-extra\n')],
    ['a device added in the middle of the list', (t: string) => t.replace('    - name: dev-01000\n', '    - name: dev-new\n      set: set-010\n    - name: dev-01000\n')],
    ['a device added after the last', (t: string) => t.replace('    - name: dev-02999\n      set: set-029\n      address: 10.0.11.183\n      labels:\n        set: set-029\n', (m) => `${m}    - name: dev-last\n      labels: {}\n`)],
    ['a device removed', (t: string) => t.replace(/ {4}- name: dev-01500\n(?: {6}.*\n)+/, '')],
    ['a comment line added between devices', (t: string) => t.replace('    - name: dev-00100\n', '# the second hundred\n    - name: dev-00100\n')],
    ['comment and blank lines added before the first device', (t: string) => t.replace('    - name: dev-00000\n', '    # the first hundred\n\n    - name: dev-00000\n')],
    ['comment lines added before the first workload', (t: string) => t.replace('    - name: relay-000\n', '# relays\n  # one a set\n    - name: relay-000\n')],
    ['a label added to a device', (t: string) => t.replace('    - name: dev-00007\n      set: set-000\n      address: 10.0.0.7\n      labels:\n', (m) => `${m}        room: "b-12" # by hand\n`)],
    ['two devices changed far apart', (t: string) => t.replace('name: dev-00010\n', 'name: dev-x10\n').replace('name: dev-02900\n', 'name: dev-x2900\n')],
    ['folded and literal block scalars in an edited device', (t: string) => t.replace('    - name: dev-00005\n      set: set-000\n      address: 10.0.0.5\n', '    - name: dev-00005\n      set: >-\n        set-000\n\n      address: |-\n        10.0.0.5\n      # by hand\n')],
    ['the last device, its block scalar kept to the next key after blank and comment lines', (t: string) => t.replace(/( {4}- name: dev-02999\n(?: {6}.*\n)+)/, '$1    - name: dev-after\n      set: |-\n        set-029\n\n  # the last device\n\n')],
    ['the last pipeline, at the end of the file', (t: string) => `${t.slice(0, t.lastIndexOf('port: 80\n'))}port: 81\n${t.slice(t.lastIndexOf('port: 80\n') + 9)}`],
    ['the last pipeline, at the end of a file without a last line break', (t: string) => t.replace(/to: display\n$/, 'to: display # the end')],
  ])('reads the edited items alone: %s', (_what, change) => {
    const { reader, edited } = afterBase(change);
    expectSame(reader, edited);
    expect(reader.counts).toEqual({ whole: 1, spliced: 1 });
    // And back.
    expectSame(reader, base);
    expect(reader.counts).toEqual({ whole: 1, spliced: 2 });
  });

  it.each([
    ['the stack renamed (outside the lists)', (t: string) => t.replace('name: bench\n', 'name: bench2\n'), true],
    ['an anchor and an alias (the reference reader reads them)', (t: string) => t.replace('      set: set-000\n      address: 10.0.0.1\n', '      set: &s set-000\n      address: 10.0.0.1\n'), true],
    ['a line less indented than the list\'s items', (t: string) => t.replace('      set: set-000\n      address: 10.0.0.3\n', '  set: set-000\n      address: 10.0.0.3\n'), false],
    ['a document marker in the list', (t: string) => t.replace('    - name: dev-00100\n', '---\n    - name: dev-00100\n'), false],
    [
      'a device nested past the depth limit',
      (t: string) => t.replace('      address: 10.0.0.9\n', `      address: 10.0.0.9\n      deep:\n${Array.from({ length: 70 }, (_, d) => `${' '.repeat(8 + 2 * d)}k:\n`).join('')}${' '.repeat(148)}v: 1\n`),
      false,
    ],
  ])('reads the whole text when it must: %s', (_what, change, valid) => {
    const { reader, edited } = afterBase(change);
    expectSame(reader, edited);
    expect(reader.counts).toEqual({ whole: 2, spliced: 0 });
    expect(outcome(() => parseStackYaml(edited))).toHaveProperty(valid ? 'stack' : 'problems');
  });

  it.each([
    ['a device name the schema refuses', (t: string) => t.replace('name: dev-00005\n', 'name: Dev_00005\n')],
    ['a credential in a device label', (t: string) => t.replace('      labels:\n        set: set-000\n        tier: critical\n', '      labels:\n        set: set-000\n        tier: critical\n        password: hunter2hunter2\n')],
    ['a key given twice in a device', (t: string) => t.replace('      set: set-000\n      address: 10.0.0.1\n', '      set: set-000\n      set: set-001\n      address: 10.0.0.1\n')],
    ['a device set that does not exist', (t: string) => t.replace('      set: set-000\n      address: 10.0.0.1\n', '      set: set-nope\n      address: 10.0.0.1\n')],
  ])('gives the SpecError parseStackYaml gives (with its lines): %s', (_what, change) => {
    const { reader, edited } = afterBase(change);
    expectSame(reader, edited);
    const { spliced } = reader.counts;
    // And after the error, the fix is read against the last text read, by its edit.
    expectSame(reader, base);
    expect(reader.counts.spliced).toBe(spliced + 1);
  });

  it('reads the first item removed alone when comment lines come before it', () => {
    const withNotes = base.replace('    - name: dev-00000\n', '    # the first hundred\n\n    - name: dev-00000\n');
    const reader = new StackReader();
    reader.read(withNotes);
    const removed = withNotes.replace(/ {4}- name: dev-00000\n(?: {6}.*\n)+/, '');
    expect(removed).not.toBe(withNotes);
    expectSame(reader, removed);
    expect(reader.counts).toEqual({ whole: 1, spliced: 1 });
  });

  it('gives the last stack itself for the same text', () => {
    const reader = new StackReader();
    const first = reader.read(base);
    expect(reader.read(`${base}`)).toBe(first);
    expect(reader.counts).toEqual({ whole: 1, spliced: 1 });
  });

  it.each([
    ['lists at their key\'s indentation', { indentSeq: false }, false],
    ['four-space indentation', { indent: 4 }, false],
    ['Windows line ends', {}, true],
  ])('reads edits alone in other layouts: %s', (_what, options, crlf) => {
    const text = stackText(options, crlf);
    const reader = new StackReader();
    reader.read(text);
    const edited = text.replace(/name: dev-00042(\r?\n)/, 'name: dev-00042-b$1');
    expect(edited).not.toBe(text);
    expectSame(reader, edited);
    expect(reader.counts).toEqual({ whole: 1, spliced: 1 });
  });

  it('reads a file under FAST_YAML_MIN_BYTES whole, and reads whole after forget()', () => {
    const small = yaml.stringify(benchStack(100));
    expect(Buffer.byteLength(small)).toBeLessThan(FAST_YAML_MIN_BYTES);
    const reader = new StackReader();
    reader.read(small);
    expectSame(reader, small.replace('name: dev-00005\n', 'name: dev-00005-b\n'));
    expect(reader.counts).toEqual({ whole: 2, spliced: 0 });
    reader.read(base);
    reader.forget();
    expectSame(reader, base.replace('name: dev-00005\n', 'name: dev-00005-b\n'));
    expect(reader.counts).toEqual({ whole: 4, spliced: 0 });
  });

  /** Lines people type into a stack.yaml, valid in a list of devices or not. */
  const LINES = [
    '- name: dev-typed', '  set: set-001', 'labels: {a: b}', '# a comment', '---', '-', 'name: "quoted', "'x': 1", 'x: [1,', '  2]', '&a x', '*a', 'address: 10.9.9.9',
    'tier: critical', '- - nested', '? key', 'key: |', '  text', 'dup: 1', '', '\t- tabbed', 'password: hunter2hunter2',
  ];
  /** Characters typed, most of them plain. */
  const typed = fc.string({ unit: fc.oneof({ arbitrary: fc.constantFrom('a', 'z', '0', '7'), weight: 6 }, { arbitrary: fc.constantFrom(' ', '-', ':', '#', '"', "'", '[', ']', '{', '}', ',', '\n', '&', '*', '!', '|', '\\', 'é'), weight: 1 }), maxLength: 4 });
  const edit = fc.oneof(
    // Characters typed into or over a line.
    { arbitrary: fc.record({ kind: fc.constant('chars' as const), line: fc.nat(), at: fc.nat(40), cut: fc.nat(2), add: typed }), weight: 3 },
    // A label added under a device's labels, as its siblings are indented.
    { arbitrary: fc.record({ kind: fc.constant('label' as const), line: fc.nat(), key: fc.constantFrom('room', 'floor', 'zone'), value: fc.constantFrom('a1', '"b2"', "'c'", 'x # note', '"3"') }), weight: 3 },
    // A whole item copied after itself, or removed.
    { arbitrary: fc.record({ kind: fc.constantFrom('copyItem' as const, 'deleteItem' as const), line: fc.nat() }), weight: 2 },
    // A line inserted at some indentation, lines removed, lines copied, a line moved left or right.
    { arbitrary: fc.record({ kind: fc.constant('insert' as const), line: fc.nat(), indent: fc.nat(8), text: fc.constantFrom(...LINES) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'copy' as const), line: fc.nat(), count: fc.integer({ min: 1, max: 7 }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('shift' as const), line: fc.nat(), by: fc.integer({ min: -2, max: 2 }) }), weight: 1 },
  );
  type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;
  /** `text` with `e` made at a line of the lists read alone (from the first device on), or anywhere. */
  function apply(text: string, e: Edit, anywhere: boolean): string {
    const lines = text.split('\n');
    const from = anywhere ? 0 : lines.findIndex((l) => /^ *- name: dev-00000/.test(l));
    const n = from + (e.line % (lines.length - from));
    /** The item the line is in: from its `- ` line to the next line as little indented. */
    const item = (): [number, number] => {
      let a = n;
      while (a > 0 && !/^ *- /.test(lines[a])) a--;
      const indent = /^ */.exec(lines[a])![0].length;
      let b = a + 1;
      while (b < lines.length && (/^ *(?:#.*)?\r?$/.test(lines[b]) || /^ */.exec(lines[b])![0].length > indent)) b++;
      return [a, b];
    };
    switch (e.kind) {
      case 'chars': {
        const l = lines[n];
        const at = Math.min(e.at, l.length);
        lines[n] = l.slice(0, at) + e.add + l.slice(at + e.cut);
        break;
      }
      case 'label': {
        const at = lines.findIndex((l, i) => i >= n && /^ *labels:\r?$/.test(l));
        if (at >= 0) lines.splice(at + 1, 0, `${' '.repeat(/^ */.exec(lines[at])![0].length + 2)}${e.key}: ${e.value}`);
        break;
      }
      case 'copyItem': {
        const [a, b] = item();
        lines.splice(b, 0, ...lines.slice(a, b));
        break;
      }
      case 'deleteItem': {
        const [a, b] = item();
        lines.splice(a, b - a);
        break;
      }
      case 'insert':
        lines.splice(n, 0, ' '.repeat(e.indent) + e.text);
        break;
      case 'delete':
        lines.splice(n, e.count);
        break;
      case 'copy':
        lines.splice(n, 0, ...lines.slice(n, n + e.count));
        break;
      case 'shift':
        lines[n] = e.by > 0 ? ' '.repeat(e.by) + lines[n] : lines[n].replace(new RegExp(`^ {0,${-e.by}}`), '');
        break;
    }
    return lines.join('\n');
  }

  /**
   * Runs of generated edits, each text read by `next(reader)` (the reader that read the text before, or one started
   * from what it kept); whenever a text is read by its edits, the outcome must be parseStackYaml's, keys in order.
   */
  function expectGeneratedEdits(next: (reader: StackReader) => StackReader, numRuns: number): void {
    let reader = new StackReader();
    reader.read(base);
    let compared = 0;
    let reads = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(edit, fc.boolean()), { minLength: 1, maxLength: 3 }), (edits) => {
        let text = base;
        for (const [e, anywhere] of edits) {
          text = apply(text, e, anywhere);
          reader = next(reader);
          const before = reader.counts.spliced;
          const got = outcome(() => reader.read(text));
          reads++;
          // A text read whole is read by parseStackText, parseStackYaml's own code; one read by its edits must give
          // the same stack (and never a stack where parseStackYaml reports problems).
          if (reader.counts.spliced === before) continue;
          compared++;
          const want = outcome(() => parseStackYaml(text));
          if (!isDeepStrictEqual(got, want) || JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`differs after ${JSON.stringify(edits)}`);
        }
        // Back to the base for the next run (by its edits, or whole).
        reader = next(reader);
        reader.read(base);
      }),
      { numRuns, seed: 20261205 },
    );
    // The runs read edits alone often enough to test that path, and not always.
    expect(compared).toBeGreaterThan(reads / 3);
    expect(compared).toBeLessThan(reads);
  }

  it('gives what parseStackYaml gives after each of a run of generated edits, whenever it reads them alone', () => {
    expectGeneratedEdits((reader) => reader, 30);
  });

  it('does so too when each text is read by a reader started from what the last one kept on disk (edgewatt synth, a process each)', () => {
    const dir = path.join(tmpDir(), 'cache');
    expectGeneratedEdits((reader) => {
      saveStackReader(dir, reader);
      return openStackReader(dir);
    }, 12);
  });
});
