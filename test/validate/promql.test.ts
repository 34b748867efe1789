import { checkPromql, findingsToProblems, metricNames, orOperands, promqlErrorAt } from '../../lib/validate';
import { entries } from '../support/objects';

function messages(objects: any[]): string[] {
  return findingsToProblems(checkPromql(entries(objects))).map((p) => `${p.path}: ${p.message}`).sort();
}

const GOOD = 'sum by (node) (rate(kepler_node_package_joules_total[5m]))';

describe('PromQL check', () => {
  test('parses valid expressions and finds the metric names', () => {
    expect(promqlErrorAt(GOOD)).toBeUndefined();
    expect(promqlErrorAt('sum(rate(x[5m])')).toBe(15);
    expect(metricNames('a{job="x"} / on(node) group_left b + sum by (c) (rate(d[1m]))')).toEqual(['a', 'b', 'd']);
  });

  test('metric names are memoized by text, and what a caller does to its array does not change the next answer', () => {
    const expr = 'x_total / on(node) y_total';
    const first = metricNames(expr);
    first.push('changed');
    first.sort().reverse();
    expect(metricNames(expr)).toEqual(['x_total', 'y_total']);
    expect(metricNames(expr)).not.toBe(metricNames(expr));
  });

  test('fails on a broken expression in a PrometheusRule', () => {
    const rule = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'energy', namespace: 'm' }, spec: { groups: [{ name: 'g', rules: [{ record: 'a', expr: GOOD }, { alert: 'B', expr: 'sum(rate(x[5m])' }] }] } };
    expect(messages([rule])).toEqual(['dist/edge/app/prometheusrule-energy.yaml: /spec: groups[0].rules[1].expr: PromQL syntax error at character 16 of "sum(rate(x[5m])"']);
  });

  test('fails on a broken expression in a rule file inside a ConfigMap', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rules', namespace: 'm' }, data: { 'energy.rules.yaml': `groups:\n- name: g\n  rules:\n  - record: a\n    expr: '${GOOD}'\n  - record: b\n    expr: 'x >'\n`, 'notes.txt': 'sum(' } };
    expect(messages([cm])).toEqual(['dist/edge/app/configmap-rules.yaml: /data/energy.rules.yaml: groups[0].rules[1].expr: PromQL syntax error at character 4 of "x >"']);
  });

  test('checks dashboard targets (nested rows) and variable queries, with Grafana variables replaced', () => {
    const dashboard = {
      panels: [
        { targets: [{ expr: 'sum(rate(kepler_container_joules_total{namespace=~"$namespace"}[$__rate_interval]))' }] },
        { type: 'row', panels: [{ targets: [{ expr: 'rate(x[${__interval}]) by' }] }] },
      ],
      templating: { list: [{ type: 'query', query: { query: 'label_values(kube_node_info, node)' } }, { type: 'query', query: 'label_values(up{, job)' }, { type: 'custom', query: 'a,b' }] },
    };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dash', namespace: 'd' }, data: { 'fleet.json': JSON.stringify(dashboard) } };
    expect(messages([cm])).toEqual([
      'dist/edge/app/configmap-dash.yaml: /data/fleet.json: panels[1].panels[0].targets[0].expr: PromQL syntax error at character 13 of "rate(x[5m]) by"',
      'dist/edge/app/configmap-dash.yaml: /data/fleet.json: templating.list[1].query: PromQL syntax error at character 4 of "up{"',
    ]);
  });

  test('checks KEDA prometheus triggers', () => {
    const so = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 's', namespace: 'i' }, spec: { triggers: [{ type: 'prometheus', metadata: { query: 'sum(up' } }] } };
    expect(messages([so])).toEqual(['dist/edge/app/scaledobject-s.yaml: /spec/triggers/0/metadata/query: PromQL syntax error at character 7 of "sum(up"']);
  });
});

describe('long `or` chains (lezer gives up after 300 left-associative reductions; Prometheus does not)', () => {
  const chain = (n: number, bad?: number) =>
    ['up{job="kube-eventer"} == 0', ...Array.from({ length: n }, (_, i) => (i === bad ? `absent(up{cluster="site-${i}"` : `absent(up{job="kube-eventer", cluster="site-${i}"})`))].join(' or ');

  test('an absent() chain over 250 clusters parses (promtool check rules accepts it) and names its metric', () => {
    expect(promqlErrorAt(chain(250))).toBeUndefined();
    expect(metricNames(chain(250))).toEqual(['up']);
  });

  test('a broken operand deep in such a chain is still reported, at its own offset', () => {
    const e = chain(250, 240);
    const at = promqlErrorAt(e);
    expect(at).toBeDefined();
    expect(at).toBeGreaterThan(e.indexOf('cluster="site-240"') - 20);
    expect(at).toBeLessThanOrEqual(e.indexOf('cluster="site-241"'));
  });

  test('the chain is split at top-level `or` only: an `or` inside a string or parentheses stays', () => {
    expect(orOperands('a or sum(b or c) or d{x="p or q"}').map((o) => o.text.trim())).toEqual(['a', 'sum(b or c)', 'd{x="p or q"}']);
  });
});
