import fc from 'fast-check';
import * as yaml from 'yaml';
import { benchStack } from '../../bench/stacks';
import { SpecError } from '../../lib/core/errors';
import { FAST_YAML_MIN_BYTES, parseStack, parseStackYaml } from '../../lib/spec/parse';
import { fastYaml, readYaml, REFERENCE_ONLY } from '../../lib/spec/fast-yaml';
import { thrown } from '../support/thrown';
import { yamlData, yamlScalars } from '../support/yaml-data';

/** What the reference reader (lib/spec/parse.ts) makes of a text, or undefined when it reports an error. */
function reference(text: string): { value: unknown } | undefined {
  const doc = yaml.parseDocument(text, { uniqueKeys: true, strict: true });
  return doc.errors.length > 0 ? undefined : { value: doc.toJS({ maxAliasCount: 1000 }) };
}

// Plain scalars at the edges of YAML 1.2's core schema, where YAML readers disagree.
const EDGE_SCALARS = [
  '0b101', '1_000', '+12', '.5', '0o17', '012', '0777', '08', 'yes', 'no', 'on', 'off', '~', 'null', 'Null', 'NULL', 'nULL',
  '.NaN', '.nan', '.NAN', '.Nan', '1e3', '1E3', '1e+3', '1e-3', '1e', '1e400', '-1e400', '0x1F', '0X1F', '+0x1F', '-0x1', '-0o7', '-0', '-0.0',
  '+0', '1.', '0.', '.', '-', '+', '+.inf', '-.Inf', '.INF', '.inF', 'True', 'TRUE', 'tRue', 'False', '1:30', '2001-12-14', '1,000',
  '12345678901234567890', '0.0000001', '+.5', '-.5', '3.14159_26', '0x', '0o', '0b', '00', '1__0', 'true1', 'nulls', 'x y', 'a:b',
];

const scalar = yamlScalars([
  fc.constantFrom(...EDGE_SCALARS),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', '.', '-', '+', '_', ' ', 'e', 'x', 'o', ':', '#', "'", '"', '\\', '\n', '\t', 'é', '/', '~', '[', '{', ',', '?', '|', '>', '@', '`'), maxLength: 12 }),
]);

/** Plain data as stack.yaml holds it: mappings, lists and scalars (text and numbers at YAML's edges). */
const data = yamlData(scalar, fc.oneof(fc.constantFrom(...EDGE_SCALARS), fc.string({ maxLength: 6 })));

/** How a document is written: the styles people and tools use for stack.yaml. */
const styles = fc.record({
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE'),
  collectionStyle: fc.constantFrom('any', 'block', 'flow'),
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  lineWidth: fc.constantFrom(0, 20, 80),
}) as fc.Arbitrary<yaml.ToStringOptions>;

/**
 * What people do to YAML by hand: Windows line ends, comments after values and on lines of their own, document
 * markers, and a line indented less than it should be (often an error, which both readers must then leave alone).
 */
const handEdits = fc.record({ crlf: fc.boolean(), comments: fc.boolean(), markers: fc.boolean(), dedent: fc.option(fc.nat(), { nil: undefined }) });
function edit(text: string, e: { crlf: boolean; comments: boolean; markers: boolean; dedent?: number }): string {
  let t = text;
  if (e.dedent !== undefined) {
    const lines = t.split('\n');
    const i = e.dedent % lines.length;
    lines[i] = lines[i].replace(/^ {1,2}/, '');
    t = lines.join('\n');
  }
  // A comment after a line that ends a plain or quoted scalar or a collection (not inside a block scalar, where it would be text).
  if (e.comments && !/[|>]/.test(t)) t = t.replace(/\n/g, ' # note\n').replace(/^/, '# head\n');
  if (e.markers) t = `---\n${t}...\n`;
  if (e.crlf) t = t.replace(/\n/g, '\r\n');
  return t;
}

describe('fastYaml: the quick reader of large stack files gives what the reference reader gives, or nothing', () => {
  test('on generated documents in every writing style, with hand edits', () => {
    let fast = 0;
    let total = 0;
    fc.assert(
      fc.property(data, styles, handEdits, (value, options, edits) => {
        let text: string;
        try {
          text = edit(yaml.stringify(value, { ...options, aliasDuplicateObjects: false }), edits);
        } catch {
          return; // a style that cannot write this value (yaml throws); nothing to compare
        }
        const ref = reference(text);
        const got = fastYaml(text);
        if (ref !== undefined) total++;
        if (got === undefined) return;
        fast++;
        expect(ref).toBeDefined();
        expect(got.value).toEqual((ref as { value: unknown }).value);
      }),
      { numRuns: Number(process.env.EDGEWATT_FUZZ_RUNS ?? 3000) },
    );
    // The comparison above is only worth something if the quick reader read most of the valid documents.
    expect(fast / total).toBeGreaterThan(0.6);
  });

  test.each(EDGE_SCALARS)('plain scalar %j as a value, in a flow list and in a key', (s) => {
    const text = `v: ${s}\nw: [${s}, x]\nk:\n  ${s}: 1\n`;
    const ref = reference(text);
    const got = fastYaml(text);
    if (got === undefined) return expect(['~', 'null', 'Null', 'NULL', ':', '-', '?']).toContain(s.length > 0 ? s : ':');
    expect(got.value).toEqual(ref?.value);
  });

  test.each([
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['a null key', '~: 1\n'],
    ['an empty key', ': 1\n'],
    ['a collection as key', '[a, b]: 1\n'],
    ['bad indentation', 'a: b: c\n'],
    ['an empty text', ''],
    ['a top-level block scalar with an indentation indicator (the readers disagree)', '|1-\n a\n'],
    ['a block scalar with an indentation indicator', 'a: |2\n   x\n'],
    ['a folded block scalar with an indentation indicator', 'a: >1\n  x\n'],
    ['a block scalar with an indentation indicator in a list', '- |-2\n   x\n'],
    ['a block scalar with an indentation indicator on a line of its own', 'a:\n  |1\n   x\n'],
    ['a key over 1,024 characters', `${'k'.repeat(1100)}: 1\n`],
    ['a key over two lines', '"a\n  b": 1\n'],
    ['an explicit key with a line break', '? |\n  a\n: 1\n'],
    ['a quoted scalar over lines indented too little', "- - - '\n # x\n      '\n"],
    ['a flow list over lines indented too little', 'a: [x,\ny]\n'],
    ['a flow mapping over lines', 'a: {x: 1,\n  y: 2}\n'],
    ['a tab', '- |-\n\t\n'],
    // Found in review (js-yaml 4.3.2 against yaml 2.9.1, read in their sources):
    ['a lone carriage return', 'a: x\r  y\n'],
    ['doubled carriage returns', 'a: 1\r\r\nb: 2\r\r\n'],
    ['a comment right after a quoted scalar', 'x:\n  "k"#c: 1\ny: 2\n'],
    ['a comment right after a flow list', 'a: [x]#c\n'],
    ['a flow list as a key inside a flow mapping', 'x: {[a]:b}\n'],
    ['a flow list as a key inside a flow list', '[[a]:b]\n'],
    ['an explicit key in a flow mapping', 'x: {? [a, b]}\n'],
    ['a comment glued to a document marker', '---#c\na: 1\n'],
    ['text glued to a document marker', '---a: 1\n'],
    ['a block mapping on the document marker line', '--- a: 1\n    b: 2\n'],
    ['an implicit key padded past 1,024 characters', `a${' '.repeat(1030)}: 1\n`],
    // Found in review of the gates' use (js-yaml 4.3.2 against yaml 2.9.1):
    ['a byte order mark after the first line', '# c\n\uFEFFa: 1\n'],
    ['a byte order mark before a broken flow list', '\r\n\uFEFF  |['],
    ['a kept block scalar whose last line is spaces without a line break', 'a: |+\n  x\n  '],
    ['a kept folded scalar whose last line is spaces without a line break', 'a: >+\n  x\n '],
    ['a line over 1,000 characters after the first line', `a: 1\r\nb: ${'x'.repeat(1000)}\r\n`],
    ['a line over 1,000 characters in a list', `- a\n- ${'y'.repeat(999)}\n`],
    ['an escape past U+10FFFF', 'a: "\\U00110000"\n'],
    // Found by the differential test above (seed 411413550; js-yaml 4.3.2 against yaml 2.9.1):
    ['an empty entry ending a nested list', '- - x\n  -\n- false\n'],
    ['an empty entry ending a list under a mapping in a list', '- a:\n    - x\n    -\n- false\n'],
    ['an empty entry after a nested list\'s dash, with a comment', '- - x\n  - # c\n- false\n'],
    ['an empty entry on its list\'s first line', '- - \n- false\n'],
    // Found in review (helper session, session 42; js-yaml 4.3.2 against yaml 2.9.1):
    ['a flow list as a key without a value in a flow mapping', '{[a]}\n'],
    ['a flow mapping as a key without a value in a flow mapping', 'a: {b, {c}}\n'],
    ['a flow list after a comment in a flow mapping', 'a: {b: 1, # c\n  [d]}\n'],
    ['a top-level folded scalar whose content is at column 0', ' >\n#\n'],
    ['a top-level literal scalar with a more indented empty line', '|\n \n#\n'],
    // Found in a second review (helper session, session 42), in the quick reader since it was written:
    ['a comment between a key and its plain value, then a list entry', '- k:\n#c\n   x\n- d\n'],
    ['a comment between a key and its plain value, then a key', 'k:\n#c\n x\nd: 1\n'],
    ['a comment with a quote between a key and its plain value', 'k:\n#"\n x\nd: 1\n'],
    ['a block scalar whose empty first line is indented past its text', 'a: |\n  \n #\n'],
    ['a block scalar in a list whose empty first line holds spaces', '- |\n  \n #\n'],
  ])('leaves %s to the reference reader', (_what, text) => {
    expect(fastYaml(text)).toBeUndefined();
  });

  test('every rule of REFERENCE_ONLY is needed by one of the texts above, alone', () => {
    // Each rule must be what sends at least one of these texts to the reference (no other rule matches it).
    const texts = ['a: &x 1\n', 'a:\n\tb: 1\n', 'a: x\r  y\n', 'a: "\\U00110000"\n', '|1-\n a\n', 'x: {[a]:b}\n', 'a: [x]#c\n', '---a: 1\n', `a${' '.repeat(1030)}: 1\n`, '# c\n\uFEFFa: 1\n', 'a: |+\n  x\n  ', '- - x\n  -\n- false\n'];
    for (const [what, rule] of REFERENCE_ONLY) {
      expect({ what, alone: texts.some((t) => rule.test(t) && REFERENCE_ONLY.filter(([, r]) => r.test(t)).length === 1) }).toEqual({ what, alone: true });
    }
  });

  test('the long-line rule finds a line over 1,000 characters exactly as /^[^\\n]{1001}/m did (any line, \\r kept, the last without a break)', () => {
    const rule = REFERENCE_ONLY.find(([what]) => what.startsWith('a line over 1,000'))![1];
    const line = (n: number) => 'x'.repeat(n);
    for (const [text, over] of [[line(1000), false], [line(1001), true], [`${line(1000)}\n`, false], [`a\n${line(1001)}`, true], [`a\n${line(1000)}\r\nb`, true], [`${line(999)}\r\n`, false], ['', false], ['\n\n', false]] as const) {
      expect({ length: text.length, over: rule.test(text) }).toEqual({ length: text.length, over });
    }
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1100 }), fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 6 }), fc.boolean(), (lines, trailing) => {
        const text = lines.map(([n, br], i) => line(n) + (i < lines.length - 1 || trailing ? br : '')).join('');
        return rule.test(text) === /^[^\n]{1001}/m.test(text);
      }),
      { numRuns: 300 },
    );
  });

  test('a text without quotes or brackets is read without the listener: the same values as the reference', () => {
    for (const text of ['a: 1\nb:\n  - x\n  - y: 2\n', 'name: n\nlist:\n- a\n- b\nc: |\n  text\n  more\n', 'k: v # comment\n']) {
      expect(fastYaml(text)).toEqual(reference(text));
    }
  });

  test('a block mapping whose first key is quoted, and document markers alone on their lines, stay on the quick path', () => {
    for (const text of ['labels:\n  "app.kubernetes.io/name": x\n  b: 1\n', '---\na: 1\n...\n', 'a: 1\r\nb: [x, y]\r\n', '"k": {a: [1, 2]}\n']) {
      expect(fastYaml(text)?.value).toEqual(reference(text)?.value);
      expect(fastYaml(text)).toBeDefined();
    }
  });

  test('a bar or angle bracket followed by a digit inside a scalar is not a block scalar header: quick path, same value', () => {
    // prometheus.yml's hashmod relabel rule (lib/monitoring) is one; a header follows a line start or a space.
    for (const text of ['regex: "[0-9]|[1-9][0-9]{1}|2[0-3][0-9]{1}|249"\n', 'a: b|1\n', 'a: x>2\n', '- a|1-\n', "k: 'x|9'\n"]) {
      expect(fastYaml(text)?.value).toEqual(reference(text)?.value);
      expect(fastYaml(text)).toBeDefined();
    }
  });
});

describe('readYaml: the reference parse, by the quick reader when it can', () => {
  test('the same value on both paths, and the reference error for a text that is not YAML', () => {
    const quick = 'a: [1, x]\nb: {c: "d"}\n';
    const reference = 'a: &x [1, 2]\nb: *x\n';
    expect(fastYaml(quick)).toBeDefined();
    expect(fastYaml(reference)).toBeUndefined();
    for (const text of [quick, reference, '']) expect(readYaml(text)).toEqual(yaml.parse(text));
    expect(() => readYaml('a: [1, 2\n')).toThrow(yaml.YAMLParseError);
  });
});

describe('parseStackYaml on a large stack', () => {
  const text = yaml.stringify(benchStack(3000));

  test('the bench stack is large enough to take the quick reader', () => {
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(FAST_YAML_MIN_BYTES);
  });

  test('gives the same stack as the reference reader, without building its document', () => {
    const expected = parseStack(yaml.parse(text));
    // The parser module again, with a yaml whose parseDocument (the reference reader) is watched.
    const parseDocument = jest.fn(yaml.parseDocument);
    let fresh: typeof import('../../lib/spec/parse') | undefined;
    jest.isolateModules(() => {
      jest.doMock('yaml', () => ({ ...jest.requireActual<typeof yaml>('yaml'), parseDocument }));
      fresh = jest.requireActual<typeof import('../../lib/spec/parse')>('../../lib/spec/parse');
      jest.dontMock('yaml');
    });
    const parsed = (fresh as typeof import('../../lib/spec/parse')).parseStackYaml;
    expect(parsed(text)).toEqual(expected);
    expect(parseDocument).not.toHaveBeenCalled();
    // The control: a small stack is read by the reference reader, which the mock sees.
    parsed(yaml.stringify(benchStack(10)));
    expect(parseDocument).toHaveBeenCalledTimes(1);
  });

  test('a problem in a large stack is reported with its line, as in a small one', () => {
    const bad = text.replace('name: dev-01234\n', 'name: Dev_01234\n');
    expect(bad).not.toBe(text);
    const line = bad.split('\n').findIndex((l) => l.includes('Dev_01234')) + 1;
    const error = thrown(() => parseStackYaml(bad));
    expect(error).toBeInstanceOf(SpecError);
    const locations = (error as SpecError).problems.map((p) => p.location ?? p.path);
    expect(locations).toContainEqual(expect.stringMatching(new RegExp(`^stack\\.yaml:${line}:\\d+$`)));
  });
});
