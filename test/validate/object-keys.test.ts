import { ObjectKeyMap } from '../../lib/validate/object-keys';
import { checkWiring } from '../../lib/validate/wiring';

/**
 * ObjectKeyMap answers as a map keyed by `cluster/kind/namespace/name` text: same key, same entry; keys whose
 * parts differ but whose text is the same (a `/` inside a part) are one key, as they were.
 */
describe('ObjectKeyMap', () => {
  const cases: Array<[string, string, string, string]> = [
    ['c', 'ConfigMap', 'ns', 'a'],
    ['c', 'ConfigMap', 'ns', 'b'],
    ['c', 'ConfigMap', '', 'a'],
    ['c', 'Secret', 'ns', 'a'],
    ['d', 'ConfigMap', 'ns', 'a'],
    ['c', 'ConfigMap', 'ns/x', 'a'],
    ['c', 'ConfigMap', 'ns', 'x/a'],
    ['c/ConfigMap', 'ns', 'x', 'a'],
    ['c', 'ConfigMap', 'ns', 'undefined'],
  ];

  test('agrees with a map keyed by the joined text, for every order of inserts and lookups', () => {
    const mine = new ObjectKeyMap<number>();
    const text = new Map<string, number>();
    cases.forEach((k, i) => {
      const t = k.join('/');
      expect(mine.get(...k)).toBe(text.get(t));
      expect(mine.has(...k)).toBe(text.has(t));
      if (!text.has(t)) {
        mine.set(...k, i);
        text.set(t, i);
      }
    });
    for (const k of cases) expect([k, mine.get(...k)]).toEqual([k, text.get(k.join('/'))]);
    // c/ConfigMap/ns/x/a is one text for three of the keys.
    expect(mine.get('c', 'ConfigMap', 'ns', 'x/a')).toBe(5);
    expect(mine.get('c', 'ConfigMap/ns', 'x', 'a')).toBe(5);
    expect(mine.has('c', 'ConfigMap', 'ns', 'nothing')).toBe(false);
  });

  test('setIfAbsent gives what was there, or sets and gives undefined, as get-then-set on the joined text does', () => {
    const mine = new ObjectKeyMap<number>();
    const text = new Map<string, number>();
    // Every case twice (the second time each key is there), in two orders.
    [...cases, ...[...cases].reverse()].forEach((k, i) => {
      const t = k.join('/');
      const before = text.get(t);
      if (before === undefined) text.set(t, i);
      expect([k, mine.setIfAbsent(...k, i)]).toEqual([k, before]);
      expect([k, mine.get(...k)]).toEqual([k, text.get(t)]);
    });
    expect(mine.get('c', 'ConfigMap/ns', 'x', 'a')).toBe(5);
  });

  test('the wiring gate still finds a duplicate object, a namespace not created and a missing reference, in that order', () => {
    const cm = (ns: string | undefined): any => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', ...(ns ? { namespace: ns } : {}) }, data: {} });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x:1', envFrom: [{ configMapRef: { name: 'cfg' } }, { configMapRef: { name: 'gone' } }] }] } };
    const got = checkWiring([
      { file: 'a.yaml', cluster: 'c', object: cm(undefined) },
      { file: 'b.yaml', cluster: 'c', object: cm(undefined) },
      { file: 'c.yaml', cluster: 'c', object: cm('default') },
      { file: 'p.yaml', cluster: 'c', object: pod as any },
      { file: 'ns.yaml', cluster: 'c', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } } },
      { file: 'n.yaml', cluster: 'c', object: cm('nope') },
    ]).map((f) => `${f.file}: ${f.pointer}: ${f.message}`);
    // Duplicates first, then namespaces not created, then missing references (the order of the gate's passes).
    expect(got).toEqual([
      'b.yaml: /metadata/name: ConfigMap "cfg" is also defined in a.yaml',
      'n.yaml: /metadata/namespace: namespace "nope" is not created on cluster "c" (no Namespace object in its tree), so Argo CD cannot sync this object there: create it, or declare it external (edgewatt.io/external-refs: Namespace/nope)',
      'p.yaml: /spec/containers/0/envFrom/1/configMapRef/name: ConfigMap "gone" is not in the output nor declared external (edgewatt.io/external-refs: ConfigMap/gone)',
    ]);
  });
});
