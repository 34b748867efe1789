import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'yaml';
import { SpecError } from '../../lib/core/errors';
import { DOCUMENTS_REFERENCE_ONLY, fastYamlDocuments } from '../../lib/spec/fast-yaml';
import { CrdSchemas } from '../../lib/validate';
import { kubeAjv } from '../../lib/validate/schema-keywords';
import { sharedPath } from '../support/shared';
import { thrown } from '../support/thrown';
import { tmpDir } from '../support/tmp';
import { yamlData, yamlScalars } from '../support/yaml-data';

/**
 * What the CRD reader's reference (lib/validate/crds.ts: the `yaml` package's parseAllDocuments, then toJS of each
 * with maxAliasCount 1000) makes of a text, or undefined when a document has an error or toJS throws.
 */
function reference(text: string): { values: unknown[] } | undefined {
  try {
    const docs = yaml.parseAllDocuments(text);
    if (!Array.isArray(docs)) return { values: [] };
    if (docs.some((d) => d.errors.length > 0)) return undefined;
    return { values: docs.map((d) => d.toJS({ maxAliasCount: 1000 })) };
  } catch {
    return undefined;
  }
}

/** Every YAML file under a folder, sorted. */
function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

describe('fastYamlDocuments: the CRD files read by js-yaml give the yaml package documents, or nothing', () => {
  test('every CRD file of ../shared/crds: the same documents, and the bundled example CRDs all on the quick path', () => {
    const files = yamlFiles(sharedPath('crds'));
    expect(files.length).toBeGreaterThan(15);
    const quick: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const got = fastYamlDocuments(text);
      if (got === undefined) continue;
      quick.push(path.relative(sharedPath('crds'), file));
      expect({ file, values: got.values }).toEqual({ file, values: reference(text)?.values });
    }
    // The two large ones (0.9 MB, ~0.5 s by the yaml package) and the rest the bundled example validates against.
    expect(quick).toEqual(
      expect.arrayContaining([
        'argocd/application-crd.yaml',
        'argocd/appproject-crd.yaml',
        'flotta/management.project-flotta.io_edgeworkloads.yaml',
        'flotta/management.project-flotta.io_edgedevicesets.yaml',
        'flotta/management.project-flotta.io_edgedevicesignedrequest.yaml',
        'mcs-api/multicluster.x-k8s.io_serviceexports.yaml',
      ]),
    );
  });

  const scalar = yamlScalars([
    fc.constantFrom('0b101', '1_000', '.5', '0o17', '~', 'null', 'True', '1e3', '-0', '.NaN', 'x y', 'a:b', '', ' ', '*x', '&y', '\\d+\\.\\d', 'a\\U0001F600'),
    fc.string({ unit: fc.constantFrom('a', '0', '.', '-', ' ', 'e', ':', '#', "'", '"', '\\', '\n', 'é', '*', '&', '[', '{', ',', '?', '|', '>'), maxLength: 40 }),
  ]);
  const data = yamlData(scalar, fc.string({ unit: fc.constantFrom('a', 'b', 'k', '-', ' ', '"', '*', '1'), minLength: 1, maxLength: 6 }));
  // Quoted styles with narrow lines fold long scalars over several lines, as older CRD generators did.
  const styles = fc.record({
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL'),
    collectionStyle: fc.constantFrom('any', 'block', 'block', 'flow'),
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    lineWidth: fc.constantFrom(0, 20, 30, 80),
    aliasDuplicateObjects: fc.boolean(),
  }) as fc.Arbitrary<yaml.ToStringOptions & yaml.CreateNodeOptions>;
  /** Hand edits: a line moved left or right by one or two spaces (often an error), Windows line ends, a leading marker. */
  const edits = fc.record({ shift: fc.option(fc.tuple(fc.nat(), fc.integer({ min: -2, max: 2 })), { nil: undefined }), crlf: fc.boolean(), marker: fc.boolean() });

  test('on generated multi-document texts (folded quoted scalars, aliases, escapes), with hand edits', () => {
    let quick = 0;
    let valid = 0;
    fc.assert(
      fc.property(fc.array(data, { minLength: 1, maxLength: 3 }), styles, edits, (values, options, e) => {
        let text: string;
        try {
          text = values.map((v) => (v !== null && typeof v === 'object' ? yaml.stringify(v, options) : yaml.stringify({ v }, options))).join('---\n');
        } catch {
          return; // a style that cannot write this value
        }
        if (e.shift !== undefined) {
          const lines = text.split('\n');
          const i = e.shift[0] % lines.length;
          lines[i] = e.shift[1] < 0 ? lines[i].replace(new RegExp(`^ {1,${-e.shift[1]}}`), '') : ' '.repeat(e.shift[1]) + lines[i];
          text = lines.join('\n');
        }
        if (e.marker) text = `---\n${text}`;
        if (e.crlf) text = text.replace(/\n/g, '\r\n');
        const ref = reference(text);
        if (ref !== undefined) valid++;
        const got = fastYamlDocuments(text);
        if (got === undefined) return;
        quick++;
        expect({ text, values: got.values }).toEqual({ text, values: ref?.values });
      }),
      { numRuns: Number(process.env.EDGEWATT_FUZZ_RUNS ?? 3000) },
    );
    // Only worth something if the quick path read a good share of the valid texts.
    expect(quick / valid).toBeGreaterThan(0.5);
  });

  test('double-quoted escapes: the same string, or left to the reference', () => {
    const pieces = ['\\\\', '\\"', '\\n', '\\t', '\\\t', '\\ ', '\\/', '\\0', '\\a', '\\b', '\\e', '\\f', '\\r', '\\v', '\\N', '\\_', '\\L', '\\P', '\\x41', '\\xff', '\\u00e9', '\\uD83D', '\\U0001F600', '\\U0010FFFF', '\\U00110000', '\\q', '\\x', '\\u12', 'a', ' ', 'é', '#', "'"];
    let quick = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }), fc.constantFrom('a: "%"\n', '- "%"\n', 'k:\n  - x: "%"\n'), (parts, shape) => {
        const text = shape.replace('%', parts.join(''));
        const got = fastYamlDocuments(text);
        if (got === undefined) return;
        quick++;
        expect({ text, values: got.values }).toEqual({ text, values: reference(text)?.values });
      }),
      { numRuns: 3000 },
    );
    expect(quick).toBeGreaterThan(1000);
  });

  test.each([
    ['an alias of a mapping', 'a: &x {b: 1}\nc: *x\n'],
    ['an alias bomb (the reference stops at 1,000 alias uses)', `a: &a [x, x]\n${Array.from({ length: 12 }, (_, i) => `${'b' + i}: &${'b' + i} [*${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}]`).join('\n')}\n`],
    ['one scalar anchor used 1,001 times', `a: &x 1\nb:\n${'  - *x\n'.repeat(1001)}`],
    ['a tag', 'a: !!str 1\n'],
    ['a tag after a quoted key in a flow mapping', '{"a":!!int 1}\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['an escape past U+10FFFF', 'a: "\\U00110000"\n'],
    ['a quoted scalar whose next line is not indented', 'a: "x\ny"\n'],
    ['a quoted scalar in a list under a mapping indented no further than the list', 'k:\n  - "x\n  y"\n'],
    ['a quoted value in a mapping in a list indented to the mapping', 'k:\n  - a: "x\n    y"\n'],
    ['a quoted scalar in a nested list', '- - "x\n  y"\n'],
    ['a quoted key over two lines', '"a\n  b": 1\n'],
    ['a flow list over lines', 'a: [x,\n  y]\n'],
    ['an empty document', 'a: 1\n---\n---\nb: 2\n'],
    ['a text of comments alone (no document to the reference, a null to js-yaml)', '# c\n'],
    // Found in review (helper session, session 42; js-yaml 4.3.2 against yaml 2.9.1), each read otherwise by js-yaml:
    ['an anchored quoted scalar over lines', 'a: &x "b\nc"\n'],
    ['an anchored single-quoted scalar over lines in a list', "- &x 'b\nc'\n"],
    ['an anchored flow list over lines', 'a: &x [b,\nc]\n'],
    ['an escaped line break before an empty line', 'a: "x\\\n\n  y"\n'],
    ['an escaped line break before two empty lines', 'a: "x\\\n\n\n  y"\n'],
    ['an alias of a mapping as a key', 'a: &a {}\n*a : 1\n'],
    ['an alias of the mapping it is a key of', '&a\n*a : 1\n'],
    ['an alias of a list as a key', 'a: &a [b]\n*a : 1\n'],
    ['an anchor before a mapping on its line', 'a: &x b: c\n'],
    ['two anchors on one node', 'a: &x\n  &y 1\n'],
    ['an anchored alias', '&a\n*a\n'],
    ['an anchor ending its line before an alias', 'a: &x 1\nb: &y\n  *x\n'],
    ['an anchor glued to a flow list', 'a: &a[1]\n'],
    ['an anchor glued to a flow mapping', 'a: &a{b: 1}\n'],
    ['a flow list as a key without a value', '{[a]}\n'],
    ['a flow mapping as a key without a value', 'a: {b, {c}}\n'],
    ['a top-level folded scalar whose content is at column 0', ' >\n#\n'],
    ['a top-level literal scalar with a more indented empty line', '|\n \n#\n'],
    // Found in a second review (helper session, session 42):
    ['a comment between a key and its plain value, then a list entry', '- k:\n#c\n   x\n- d\n'],
    ['a comment between a key and its plain value in a nested mapping', 'a:\n  k:\n  #c\n   x\n  d: 1\n'],
    ['a folded scalar whose empty first line is indented past its text', "'s': >-\n   \n #\n"],
    ['a block scalar whose empty first line holds spaces, then a document', '- |\n  \n #\n---\ny\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a null key', '~: 1\n'],
  ])('leaves %s to the reference', (_what, text) => {
    expect(fastYamlDocuments(text)).toBeUndefined();
  });

  test.each([
    ['a scalar alias', 'a: &x 1\nb: *x\nc: [*x, *x]\n'],
    ['escapes', 'a: "\\\\d+\\\\.\\\\d+ \\"q\\" \\u00e9 \\uD83D\\uDE00 \\x41\\t"\n'],
    ['prose with stars, ampersands and a bang', 'description: |-\n  *Note* that a && b [*] matters! Really.\n'],
    ['a quoted scalar folded over lines indented past its mapping', 'k:\n  - a: "x\n     y\n\n     z"\n    b: \'p\n      q\'\n'],
    ['two documents', '---\na: 1\n---\nb: [2]\n'],
    ['an empty text', ''],
    ['prose that looks like anchors and aliases, in block and quoted scalars', 'a: |\n  x && y, [*] and *Note* &z: w\nb: \'s *not* &&\n  t\'\n'],
    ['a flow mapping as a value in a flow mapping', 'a: {b: {c: [1, {d: 2}]}}\n'],
    ['comments before mappings and lists, and after values', '# head\na:\n  # c\n  b: 1 # d\nl:\n  #e\n  - x\n'],
    ['a block scalar with an empty first line', 'a: |\n\n  x\n'],
  ])('reads %s, as the reference does', (_what, text) => {
    const got = fastYamlDocuments(text);
    expect(got).toBeDefined();
    expect(got?.values).toEqual(reference(text)?.values);
  });

  test('every rule of DOCUMENTS_REFERENCE_ONLY is needed by one of these texts, alone', () => {
    const texts = ['a: !!str 1\n', 'a: "\\U00110000"\n', `a: &x 1\nb:\n${'  - *x\n'.repeat(1001)}`, 'a: "x\\\n\n  y"\n', 'a:\n\tb: 1\n', 'a: x\r  y\n', '|1-\n a\n', 'x: {[a]:b}\n', 'a: [x]#c\n', '---a: 1\n', `a${' '.repeat(1030)}: 1\n`, '# c\n\uFEFFa: 1\n', 'a: |+\n  x\n  ', '- - x\n  -\n- false\n'];
    for (const [what, rule] of DOCUMENTS_REFERENCE_ONLY) {
      expect({ what, alone: texts.some((t) => rule.test(t) && DOCUMENTS_REFERENCE_ONLY.filter(([, r]) => r.test(t)).length === 1) }).toEqual({ what, alone: true });
    }
  });
});

describe('CrdSchemas reads a CRD file on either path alike', () => {
  const crd = (extra: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.io
spec:
  group: example.io
  names:
    kind: Widget
  versions:
    - name: v1
      served: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion:
              type: string
            kind:
              type: string
            metadata:
              type: object
            spec:
              type: object
              properties:
                size:
                  type: integer${extra}
`;

  test('a file the quick path reads and one it leaves to the yaml package check objects the same', () => {
    {
      const dir = tmpDir();
      const quickText = crd('');
      const referenceText = crd('\n                  description: !!str sized'); // a tag: the yaml package reads it
      expect(fastYamlDocuments(quickText)).toBeDefined();
      expect(fastYamlDocuments(referenceText)).toBeUndefined();
      const verdicts = [quickText, referenceText].map((text, i) => {
        const file = path.join(dir, `crd${i}.yaml`);
        fs.writeFileSync(file, text);
        const schemas = new CrdSchemas(kubeAjv());
        schemas.addPath(file);
        const v = schemas.validator('example.io/v1', 'Widget');
        expect(v).toBeDefined();
        return [{ spec: { size: 3 } }, { spec: { size: 'x' } }, { spec: { colour: 'red' } }].map((o) => v!({ apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w' }, ...o }));
      });
      expect(verdicts[0]).toEqual([true, false, false]);
      expect(verdicts[1]).toEqual(verdicts[0]);
    }
  });

  test('a CRD file that is not valid YAML is reported by the yaml package, with its file and the fix', () => {
    {
      const dir = tmpDir();
      const file = path.join(dir, 'bad.yaml');
      fs.writeFileSync(file, `${crd('')}  bad: [x\nkind: Widget\n`);
      const schemas = new CrdSchemas(kubeAjv());
      schemas.addPath(file);
      const error = thrown(() => schemas.validator('example.io/v1', 'Widget'));
      expect(error).toBeInstanceOf(SpecError);
      expect((error as SpecError).problems).toEqual([{ path: file, message: expect.stringMatching(/^is not valid YAML \(.+\): pass CustomResourceDefinition files with --crds/) }]);
    }
  });
});
