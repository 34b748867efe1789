import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { StackInput } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { synthChecked } from '../support/synth';
import { configMapFiles, promtoolTestRules, tool, withStaticTargets } from '../support/tools';
import { ruleCoverage, unitTests } from './rule-cases';

const RULES = 'hub/monitoring/configmap-prometheus-rules.yaml';

/** The demo (classic, k3s hub) and a current-generation stack with a GPU on kubeadm and OpenShift clusters. */
function stacks(): Array<[string, StackInput]> {
  const current = clone(demoStack()) as any;
  current.energy = { kepler: { generation: 'current', gpu: true } };
  current.clusters = [
    { name: 'hub', platform: 'kubeadm' },
    { name: 'line-1', server: 'https://line-1.factory.example:6443', platform: 'openshift' },
  ];
  return [
    ['classic', demoStack()],
    ['current', current],
  ];
}

describe.each(stacks())('rules of the %s stack, verified with promtool', (generation, stack) => {
  const result = synthChecked(stack);
  const dir = configMapFiles(result, RULES);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.rules.yaml')).sort();

  test('promtool check rules passes on every rule file', () => {
    const r = tool('promtool', ['check', 'rules', ...files.map((f) => path.join(dir, f))]);
    expect(r.out).not.toContain('FAILED');
    expect(r.status).toBe(0);
  });

  test('an alert that reads a recording rule is in the same group, after it (groups run independently)', () => {
    const groups = files.flatMap((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')).groups as Array<{ name: string; rules: any[] }>);
    const recordedIn = new Map<string, string>();
    for (const g of groups) for (const r of g.rules) if (r.record) recordedIn.set(r.record, g.name);
    for (const g of groups) {
      g.rules.forEach((r, i) => {
        for (const [name, group] of recordedIn) {
          if (!new RegExp(`(^|[^a-z_:])${name.replace(/[:]/g, '\\:')}([^a-z_:]|$)`).test(r.expr)) continue;
          expect({ rule: r.alert ?? r.record, group: g.name }).toEqual({ rule: r.alert ?? r.record, group });
          expect(g.rules.findIndex((x) => x.record === name)).toBeLessThan(i);
        }
      });
    }
  });

  test('every alert and recording rule has a unit test', () => {
    expect(ruleCoverage(dir, generation as 'classic' | 'current')).toEqual({ untested: [] });
  });

  test('promtool test rules: synthetic series in, expected samples and alerts out', () => {
    const r = promtoolTestRules(dir, files, unitTests(generation as 'classic' | 'current'));
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('promtool check config --syntax-only passes on prometheus.yml (service discovery swapped for static targets)', () => {
    for (const cluster of ['hub', 'line-1']) {
      const cfg = configMapFiles(result, `${cluster}/monitoring/configmap-prometheus-config.yaml`);
      const copy = path.join(cfg, 'static.yml');
      fs.writeFileSync(copy, withStaticTargets(fs.readFileSync(path.join(cfg, 'prometheus.yml'), 'utf8')));
      const r = tool('promtool', ['check', 'config', '--syntax-only', copy]);
      expect(r.out).toContain('SUCCESS');
      expect(r.status).toBe(0);
    }
  });
});
