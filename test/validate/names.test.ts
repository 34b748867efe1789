import { checkNames } from '../../lib/validate/k8s-names';

/**
 * The naming gate's walk builds pointers only where it reports, and memoizes label-key verdicts: these cases
 * fail if a pointer loses an index or an escape, or if a remembered verdict hides a second object's finding.
 */
describe('checkNames: pointers deep in spec and repeated keys', () => {
  const bad = 'x'.repeat(64);
  const object = (name: string): any => ({
    apiVersion: 'example.com/v1',
    kind: 'Anything',
    metadata: { name, labels: { 'bad key!': 'v' } },
    spec: {
      'a/b~c': [{ items: [{ metadata: { labels: { ok: bad } } }] }],
      list: [[{ selector: { matchLabels: { 'example.com/x': bad, 'bad key!': 'v' } } }]],
    },
  });

  test('every finding of every object, with escaped keys and array indices', () => {
    const got = checkNames([{ file: 'a.yaml', cluster: 'c', object: object('a') }, { file: 'b.yaml', cluster: 'c', object: object('b') }]).map((f) => `${f.file}: ${f.pointer}: ${f.message.split(':')[0]}`);
    const one = (f: string): string[] => [
      `${f}: /metadata/labels/bad key!: label key must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit (k8s-names)`,
      `${f}: /spec/a~1b~0c/0/items/0/metadata/labels/ok: label value is 64 characters`,
      `${f}: /spec/list/0/0/selector/matchLabels/example.com~1x: selector label is 64 characters`,
      `${f}: /spec/list/0/0/selector/matchLabels/bad key!: selector label must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit (k8s-names)`,
    ];
    expect(got).toEqual([...one('a.yaml'), ...one('b.yaml')]);
  });
});
