import { validateEntries } from '../../lib/validate/validate';

/**
 * A rule file in a ConfigMap is read by the PromQL, metric-name and template gates; it is parsed once and the
 * parse is shared. Each gate must still report its own finding in the same file, and a text that is not YAML
 * is skipped by all of them.
 */
describe('one parse of a rule file, every gate still reports', () => {
  const rules = [
    'groups:',
    '  - name: g',
    '    rules:',
    '      - record: job:up:sum',
    '        expr: sum(up)',
    '      - alert: Broken',
    '        expr: sum(rate(up[5m]) by (job)',
    '        annotations:',
    '          summary: "{{ $labels.job "',
    '      - alert: Unknown',
    '        expr: job:up:sum > 0 and not_a_metric > 1',
  ].join('\n');
  const entry = (data: Record<string, string>) => ({
    file: 'dist/hub/monitoring/configmap-rules.yaml',
    cluster: 'hub',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rules', namespace: 'monitoring' }, data },
  });

  test('PromQL syntax, unknown metric and template findings from one file', () => {
    const got = validateEntries([entry({ 'rules.yaml': rules })], { metrics: new Set(['up']) }).map((f) => `${f.pointer}: ${f.message}`);
    // job:up:sum is recorded in the same file, so only not_a_metric is unknown.
    expect(got).toEqual([
      '/data/rules.yaml: groups[0].rules[1].annotations.summary: unclosed action: a "{{" without its "}}": Prometheus and Alertmanager would refuse this template; escape "{{" as {{ "{{" }} or remove it (go-template)',
      '/data/rules.yaml: groups[0].rules[1].expr: PromQL syntax error at character 18 of "sum(rate(up[5m]) by (job)"',
      '/data/rules.yaml: groups[0].rules[2].expr: uses "not_a_metric", which no exporter of this stack emits and no recording rule records',
    ]);
  });

  test('a data text that is not YAML is no rule file for any gate', () => {
    expect(validateEntries([entry({ 'rules.yaml': 'groups: [unclosed {{ record: x' })], { metrics: new Set(['up']) })).toEqual([]);
  });
});
