import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { escapeTemplateText, LITERAL_OPEN, toYaml, unescapeTemplateText } from '../../lib/internal';
import { helm, renderedDocuments } from '../support/helm';
import { tmpDir } from '../support/tmp';

// Strings made of the characters that matter to Go templates and YAML.
const tricky = fc.string({ unit: fc.constantFrom('{', '}', '"', '-', ' ', '`', '$', '.', 'x', '\n', "'", '\\'), maxLength: 24 });

describe('escaping literal {{ for Helm', () => {
  test('escape then the render of the escapes gives the text back (any text)', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const e = escapeTemplateText(s);
        expect(unescapeTemplateText(e)).toBe(s);
        // Every {{ left in the escaped text opens an escape action.
        expect(e.split(LITERAL_OPEN).join('').includes('{{')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test('the real Helm renders escaped text back byte for byte, for awkward strings', () => {
    const values = [
      '{{ $labels.instance }}',
      '{{- trim -}}',
      '{{{ x }}}',
      '{{{{',
      '}}{{',
      '{{ "{{" }}',
      '{{`{{`}}',
      'a {{ .Values.x }} b }} c',
      '{{/* comment */}}',
      ...fc.sample(tricky, { numRuns: 60, seed: 21 }),
    ];
    const chart = path.join(tmpDir('edgewatt-escape-'), 'c');
    fs.mkdirSync(path.join(chart, 'templates'), { recursive: true });
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: escape\nversion: 0.1.0\n');
    const plain = toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'escape', namespace: 'x' }, data: Object.fromEntries(values.map((v, i) => [`k${i}`, v])) }, '# test');
    fs.writeFileSync(path.join(chart, 'templates', 'cm.yaml'), escapeTemplateText(plain));
    const r = helm(['template', 'r', chart]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [doc] = renderedDocuments(r.stdout);
    expect(doc.text).toBe(plain);
    expect(doc.object).toEqual(parse(plain));
  });
});
