import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { StackInput } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';
import { configMapFiles, promtoolTestRules, tool } from '../support/tools';
import { tmpDir } from '../support/tmp';
import { DEMO_REGISTRIES, EVENT_ALERTS_TESTED, eventUnitTests } from './rule-cases';

const RULES = 'hub/monitoring/configmap-prometheus-rules.yaml';
const FILE = 'edgewatt-events.rules.yaml';

/** Runs the event cases against a rule file; returns promtool's status and output. */
function runCases(dir: string, file: string, tests: unknown[]): { status: number; out: string } {
  return promtoolTestRules(dir, [file], tests);
}

describe('event alerts of the demo stack, with promtool', () => {
  const dir = configMapFiles(synthChecked(demoStack()), RULES);
  const groups = parse(fs.readFileSync(path.join(dir, FILE), 'utf8')).groups as Array<{ name: string; rules: Array<Record<string, any>> }>;

  test('the event group holds exactly the alerts the cases test, each with severity, summary, description and runbook', () => {
    const alerts = groups[0].rules;
    expect(alerts.map((r) => r.alert).sort()).toEqual([...EVENT_ALERTS_TESTED].sort());
    for (const r of alerts) {
      expect(['warning', 'critical', 'info']).toContain(r.labels.severity);
      expect(r.annotations.summary).toBeTruthy();
      expect(r.annotations.description).toBeTruthy();
      expect(r.annotations.runbook_url).toMatch(/RUNBOOKS\.md#[a-z]+$/);
    }
  });

  test('promtool check rules, then the cases pass: brand-new and growing series fire, Normal events and old series do not, the storm threshold holds', () => {
    expect(tool('promtool', ['check', 'rules', path.join(dir, FILE)]).status).toBe(0);
    const r = runCases(dir, FILE, eventUnitTests());
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('with plain increase() the brand-new-series cases fail: the first event of an object is invisible to it', () => {
    const mutant = clone(groups);
    for (const rule of mutant[0].rules) {
      rule.expr = String(rule.expr).replace(/\(\(([^()]+(?:\{[^}]*\})?) unless [^()]+ offset 10m\) and on \(cluster\) group by \(cluster\) \(up\{job="kube-eventer"\} offset 10m\)\) or /g, '');
    }
    expect(JSON.stringify(mutant)).not.toContain('unless');
    fs.writeFileSync(path.join(dir, 'mutant.rules.yaml'), stringify({ groups: mutant }, { lineWidth: 0 }));
    const r = runCases(dir, 'mutant.rules.yaml', eventUnitTests());
    expect(r.status).not.toBe(0);
    // Every per-reason alert misses its one-shot event at minute 15.
    for (const alert of EVENT_ALERTS_TESTED.filter((a) => a.startsWith('KubeEvent') && a !== 'KubeEventerDown' && a !== 'KubeEventerStale' && a !== 'KubeEventWarningStorm')) {
      expect(r.out).toMatch(new RegExp(`alertname: ${alert}, time: 15m`));
    }
  });

  test('the registry alert lists the registries of the stack\'s own images', () => {
    const alert = groups[0].rules.find((r) => r.alert === 'KubePodImageFromUndeclaredRegistry')!;
    expect(alert.annotations.description).toContain(`(${DEMO_REGISTRIES})`);
  });
});

describe('event alerts follow the stack: storm threshold and declared registries', () => {
  const stack = clone(demoStack()) as any;
  stack.monitoring.events = { stormThreshold: 20, allowedRegistries: ['registry.example/iomt', 'quay.io', 'registry.k8s.io', 'docker.io', 'registry.aliyuncs.com/acs'] };
  const dir = configMapFiles(synthChecked(stack as StackInput), RULES);
  const groups = parse(fs.readFileSync(path.join(dir, FILE), 'utf8')).groups;
  const rule = (name: string) => groups[0].rules.find((r: any) => r.alert === name);

  test('the storm fires over 20 events in 10 minutes, not at 20', () => {
    const storm = (eventUnitTests(20) as any[]).filter((t) => t.alert_rule_test.some((a: any) => a.alertname === 'KubeEventWarningStorm'));
    const r = runCases(dir, FILE, storm);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('declared registries: every namespace is checked, path prefixes hold', () => {
    const d = tmpDir('edgewatt-reg-');
    fs.writeFileSync(path.join(d, FILE), stringify({ groups }, { lineWidth: 0 }));
    const info = (ns: string, pod: string, image: string) => ({
      series: `kube_pod_container_info{job="kube-state-metrics",cluster="hub",namespace="${ns}",pod="${pod}",container="c",uid="u",image_spec="${image}",image="${image}",image_id="",container_id=""}`,
      values: '1x10',
    });
    const desc = (image: string) =>
      `Container c runs ${image}, which is not from monitoring.events.allowedRegistries (docker.io, quay.io, registry.aliyuncs.com/acs, registry.example/iomt, registry.k8s.io). A security signal: an image nobody declared.`;
    const fired = (ns: string, pod: string, image: string) => ({
      exp_labels: { severity: 'warning', cluster: 'hub', namespace: ns, pod, container: 'c', image_spec: image },
      exp_annotations: { summary: `Pod ${ns}/${pod} runs an image from an undeclared registry`, description: desc(image), runbook_url: rule('KubePodImageFromUndeclaredRegistry').annotations.runbook_url },
    });
    const r = runCases(d, FILE, [
      {
        interval: '1m',
        input_series: [
          info('kube-system', 'coredns', 'docker.io/rancher/mirrored-coredns-coredns:1.12.0'),
          info('kube-system', 'cni', 'ghcr.io/flannel-io/flannel:v0.26.0'),
          info('iomt-object-detection', 'detector', 'registry.example/iomt/detector:2.1.0'),
          info('iomt-object-detection', 'other', 'registry.example/other/tool:1'),
          info('monitoring', 'eventer', 'registry.aliyuncs.com/acs/kube-eventer:v1.2.7-ca03be0-aliyun'),
        ],
        alert_rule_test: [
          {
            eval_time: '5m',
            alertname: 'KubePodImageFromUndeclaredRegistry',
            exp_alerts: [fired('iomt-object-detection', 'other', 'registry.example/other/tool:1'), fired('kube-system', 'cni', 'ghcr.io/flannel-io/flannel:v0.26.0')],
          },
        ],
      },
    ]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('every image the stack deploys passes its own default registry check', () => {
    const result = synthChecked(demoStack());
    const images = new Set<string>();
    for (const [file, text] of result.files) {
      if (!file.endsWith('.yaml')) continue;
      for (const m of text.matchAll(/^\s+image: (\S+)$/gm)) images.add(m[1]);
    }
    expect(images.size).toBeGreaterThan(5);
    const expr = parse(objectAt(result, RULES).data[FILE]).groups[0].rules.find((r: any) => r.alert === 'KubePodImageFromUndeclaredRegistry').expr as string;
    const regex = new RegExp(`^(?:${JSON.parse(`"${/image_spec!~"((?:[^"\\]|\\.)*)"/.exec(expr)![1]}"`)})$`);
    expect([...images].filter((i) => !regex.test(i))).toEqual([]);
    expect(regex.test('evil.example.net/miner:1')).toBe(false);
  });
});
