/**
 * The relabel engine against Prometheus's semantics (prometheus/prometheus model/relabel/relabel.go at v3.13.2),
 * and against the generated selection policy: for the generated per-node job, relabel() keeps exactly the nodes
 * lib/monitoring/hashmod's isSelected() says the policy keeps.
 */
import { createHash } from 'crypto';
import { expand, promRegex, relabel, relabelOnce } from '../../lib/validate';
import { isSelected } from '../../lib/monitoring/hashmod';
import { podScrapeConfig } from '../../lib/monitoring/prometheus-config';

const labels = (l: Map<string, string> | undefined) => (l ? Object.fromEntries(l) : undefined);
const run = (input: Record<string, string>, rules: any[]) => {
  const r = relabel(input, rules);
  return r.kept ? labels(r.labels) : { droppedBy: r.droppedBy };
};

describe('regexes', () => {
  test('are anchored at both ends, and . matches a newline', () => {
    expect(promRegex('foo').test('foo')).toBe(true);
    expect(promRegex('foo').test('foobar')).toBe(false);
    expect(promRegex('a|b').test('ab')).toBe(false); // ^(?:a|b)$
    expect(promRegex('a.b').test('a\nb')).toBe(true);
  });
  test('RE2 named groups and a leading (?i) are translated; unknown RE2 constructs are errors, not mismatches', () => {
    expect(promRegex('(?P<x>a+)').exec('aa')?.groups?.x).toBe('aa');
    expect(promRegex('(?i)foo').test('FOO')).toBe(true);
    expect(() => promRegex('a\\z')).toThrow(/RE2 construct/);
    expect(() => promRegex('[[:alpha:]]')).toThrow(/RE2 construct/);
  });
  test('expansion: $1, ${1}, $name, $$, and an unknown group expands to nothing', () => {
    const m = promRegex('(?P<host>[^:]+):(\\d+)').exec('node:9100')!;
    expect(expand('$1-${2}-$host-$$-$9', m)).toBe('node-9100-node-$-');
  });
});

describe('actions', () => {
  test('replace with the defaults copies the source (regex (.*), replacement $1, separator ;)', () => {
    expect(run({ a: 'x', b: 'y' }, [{ source_labels: ['a', 'b'], target_label: 'c' }])).toEqual({ a: 'x', b: 'y', c: 'x;y' });
  });
  test('replace does nothing when the regex does not match, and an empty result deletes the target', () => {
    expect(run({ a: 'x' }, [{ source_labels: ['a'], regex: 'y', target_label: 'a', replacement: 'z' }])).toEqual({ a: 'x' });
    expect(run({ a: 'x', b: 'v' }, [{ source_labels: ['a'], regex: 'x', target_label: 'b', replacement: '' }])).toEqual({ a: 'x' });
  });
  test('replace without source labels sets a constant (the cluster label)', () => {
    expect(run({}, [{ target_label: 'cluster', replacement: 'hub', action: 'replace' }])).toEqual({ cluster: 'hub' });
  });
  test('keep and drop test the joined source values; a missing label is the empty string', () => {
    expect(run({ a: 'x' }, [{ source_labels: ['a'], regex: 'x', action: 'keep' }])).toEqual({ a: 'x' });
    expect(run({ a: 'x' }, [{ source_labels: ['a'], regex: 'y', action: 'keep' }])).toEqual({ droppedBy: 0 });
    expect(run({ a: 'x' }, [{ source_labels: ['a'], regex: 'x', action: 'drop' }])).toEqual({ droppedBy: 0 });
    expect(run({}, [{ source_labels: ['missing'], regex: '', action: 'keep' }])).toEqual({});
  });
  test('keepequal and dropequal compare the source with the target label', () => {
    expect(run({ a: '1', b: '1' }, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }])).toEqual({ a: '1', b: '1' });
    expect(run({ a: '1', b: '2' }, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }])).toEqual({ droppedBy: 0 });
    expect(run({ a: '1', b: '1' }, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }])).toEqual({ droppedBy: 0 });
  });
  test('hashmod: the last 8 bytes of the MD5, big-endian, modulo', () => {
    const want = Number(createHash('md5').update('node-7').digest().readBigUInt64BE(8) % 1000n);
    expect(run({ n: 'node-7' }, [{ source_labels: ['n'], modulus: 1000, target_label: 'h', action: 'hashmod' }])).toEqual({ n: 'node-7', h: String(want) });
  });
  test('labelmap, labeldrop, labelkeep act on names', () => {
    const input = { __meta_kubernetes_pod_label_app: 'web', __meta_kubernetes_pod_label_tier: 'a', job: 'j' };
    expect(run(input, [{ regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' }])).toEqual({ ...input, app: 'web', tier: 'a' });
    expect(run(input, [{ regex: '__meta_.*', action: 'labeldrop' }])).toEqual({ job: 'j' });
    expect(run(input, [{ regex: 'job', action: 'labelkeep' }])).toEqual({ job: 'j' });
  });
  test('labelmap maps the names the target had before the rule (a new name that matches again is not mapped again)', () => {
    expect(run({ a_x: '1' }, [{ regex: 'a_(.*)', replacement: 'a_${1}_y', action: 'labelmap' }])).toEqual({ a_x: '1', a_x_y: '1' });
  });
  test('each rule sees what the rules before it wrote, and relabelOnce leaves its input as it was', () => {
    const rules = [
      { source_labels: ['a'], target_label: 'b', replacement: '${1}-2', action: 'replace' },
      { source_labels: ['b'], regex: '1-2', action: 'keep' },
      { regex: 'a', action: 'labeldrop' },
    ];
    expect(run({ a: '1' }, rules)).toEqual({ b: '1-2' });
    expect(run({ a: '2' }, rules)).toEqual({ droppedBy: 1 });
    const input = new Map([['a', '1']]);
    expect(Object.fromEntries(relabelOnce(input, rules[0])!)).toEqual({ a: '1', b: '1-2' });
    expect(Object.fromEntries(input)).toEqual({ a: '1' });
  });
  test('a regex the gate cannot evaluate fails every time it is used (a compiled regex is kept only when it compiles)', () => {
    for (let i = 0; i < 2; i++) expect(() => relabel({ a: 'x' }, [{ source_labels: ['a'], regex: 'x\\z', action: 'keep' }])).toThrow(/RE2 construct/);
  });
  test('lowercase and uppercase', () => {
    expect(run({ a: 'MiX' }, [{ source_labels: ['a'], target_label: 'l', action: 'lowercase' }, { source_labels: ['a'], target_label: 'u', action: 'uppercase' }])).toEqual({ a: 'MiX', l: 'mix', u: 'MIX' });
  });
});

test('the generated per-node job keeps exactly the nodes the selection policy selects', () => {
  const policy = { sample: 0.25, always: { tier: 'critical' } };
  const job = podScrapeConfig({ job: 'kepler-exporter', cluster: 'hub', namespace: 'kepler', selector: { 'app.kubernetes.io/name': 'kepler-exporter' }, port: 'http', path: '/metrics', perNode: true }, 'hub', policy);
  let kept = 0;
  for (let i = 0; i < 400; i++) {
    const node = `node-${i}`;
    const nodeLabels = i % 10 === 0 ? { tier: 'critical' } : { tier: 'bulk' };
    const target = {
      __meta_kubernetes_pod_label_app_kubernetes_io_name: 'kepler-exporter',
      __meta_kubernetes_pod_container_port_name: 'http',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_node_name: node,
      __meta_kubernetes_node_label_tier: nodeLabels.tier,
    };
    const r = relabel(target, job.relabel_configs as any);
    expect({ node, kept: r.kept }).toEqual({ node, kept: isSelected(node, nodeLabels, policy) });
    if (r.kept) {
      kept++;
      expect(r.labels.get('node')).toBe(node);
      expect(r.labels.get('cluster')).toBe('hub');
    }
  }
  // Every critical node (40) and about a quarter of the other 360.
  expect(kept).toBeGreaterThan(40 + 360 * 0.15);
  expect(kept).toBeLessThan(40 + 360 * 0.35);
});
