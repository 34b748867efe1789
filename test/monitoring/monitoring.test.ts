import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { belowRegex, hashmod, isSelected, keptBuckets, SAMPLE_MODULUS } from '../../lib/monitoring/hashmod';
import { selectionRelabels } from '../../lib/monitoring/prometheus-config';
import { SpecError } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';
import { configMapFiles, tool } from '../support/tools';

function promConfig(result: ReturnType<typeof synthChecked>, cluster: string): any {
  return parse(objectAt(result, `${cluster}/monitoring/configmap-prometheus-config.yaml`).data['prometheus.yml']);
}

describe('monitoring', () => {
  const demo = synthChecked(demoStack());

  test('the hub runs a Prometheus server that accepts remote write; the edge cluster an agent that writes to it', () => {
    const hub = objectAt(demo, 'hub/monitoring/statefulset-prometheus.yaml').spec.template.spec.containers[0].args;
    expect(hub).toEqual(expect.arrayContaining(['--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=15d']));
    const edge = objectAt(demo, 'line-1/monitoring/statefulset-prometheus.yaml').spec.template.spec.containers[0].args;
    expect(edge).toEqual(expect.arrayContaining(['--agent']));
    // The agent writes to the hub's authenticating receiver through the declared transport (test/monitoring/transports.test.ts).
    const host = objectAt(demo, 'hub/monitoring/ingress-prometheus-receiver.yaml').spec.rules[0].host;
    const cfg = promConfig(demo, 'line-1');
    expect(cfg.remote_write).toEqual([{ name: 'hub', url: `https://${host}/api/v1/write`, basic_auth: { username: 'edge', password_file: '/etc/prometheus/secrets/prometheus-remote-write/password' } }]);
    expect(cfg.global.external_labels).toEqual({ cluster: 'line-1' });
    expect(cfg.rule_files).toBeUndefined();
    expect(objectAt(demo, 'hub/monitoring/statefulset-prometheus.yaml').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
  });

  test('every component declares its scrape job; the hub scrapes itself, Alertmanager, kube-state-metrics, Kepler, kube-eventer and the Flotta operator', () => {
    expect(promConfig(demo, 'hub').scrape_configs.map((s: any) => s.job_name)).toEqual(['prometheus', 'alertmanager', 'flotta-controller-manager', 'flotta-edge-api', 'grafana', 'kepler-exporter', 'kube-eventer', 'kube-state-metrics']);
    expect(promConfig(demo, 'line-1').scrape_configs.map((s: any) => s.job_name)).toEqual(['kepler-exporter', 'kube-eventer', 'kube-state-metrics']);
  });

  test('discovery RBAC is namespaced: a Role per scraped namespace; nodes only for the always-monitored labels', () => {
    const files = [...demo.files.keys()].filter((f) => f.startsWith('hub/monitoring/') && /role/.test(f));
    expect(files).toEqual([
      'hub/monitoring/clusterrole-kube-state-metrics-monitoring.yaml',
      'hub/monitoring/clusterrole-prometheus-metrics-reader-monitoring.yaml',
      'hub/monitoring/clusterrole-prometheus-nodes-monitoring.yaml',
      'hub/monitoring/clusterrolebinding-kube-state-metrics-monitoring.yaml',
      'hub/monitoring/clusterrolebinding-prometheus-metrics-reader-monitoring.yaml',
      'hub/monitoring/clusterrolebinding-prometheus-nodes-monitoring.yaml',
      'hub/monitoring/dashboards_role-prometheus-discovery-monitoring.yaml',
      'hub/monitoring/dashboards_rolebinding-prometheus-discovery-monitoring.yaml',
      'hub/monitoring/flotta_role-prometheus-discovery-monitoring.yaml',
      'hub/monitoring/flotta_rolebinding-prometheus-discovery-monitoring.yaml',
      'hub/monitoring/kepler_role-prometheus-discovery-monitoring.yaml',
      'hub/monitoring/kepler_rolebinding-prometheus-discovery-monitoring.yaml',
      'hub/monitoring/monitoring_role-prometheus-discovery-monitoring.yaml',
      'hub/monitoring/monitoring_rolebinding-prometheus-discovery-monitoring.yaml',
    ]);
    expect(objectAt(demo, 'hub/monitoring/clusterrole-prometheus-nodes-monitoring.yaml').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    const noAlways = clone(demoStack()) as any;
    delete noAlways.monitoring.selection.always;
    expect([...synthChecked(noAlways).files.keys()].some((f) => f.includes('prometheus-nodes'))).toBe(false);
  });

  test('the selection policy applies to per-node targets only, with node labels for the always rule', () => {
    const kepler = promConfig(demo, 'hub').scrape_configs.find((s: any) => s.job_name === 'kepler-exporter');
    expect(kepler.kubernetes_sd_configs[0].attach_metadata).toEqual({ node: true });
    expect(kepler.relabel_configs).toEqual(expect.arrayContaining(selectionRelabels({ sample: 0.25, always: { tier: 'critical' } }).map((r) => expect.objectContaining(r))));
    const ksm = promConfig(demo, 'hub').scrape_configs.find((s: any) => s.job_name === 'kube-state-metrics');
    expect(ksm.relabel_configs.some((r: any) => r.action === 'hashmod')).toBe(false);
    expect(ksm.honor_labels).toBe(true);
  });

  test('the hashmod policy keeps the configured share of 1,000 synthetic nodes within ±5%', () => {
    for (const sample of [0.1, 0.25, 0.5, 0.9]) {
      const kept = Array.from({ length: 1000 }, (_, i) => `edge-node-${String(i).padStart(4, '0')}`).filter((n) => isSelected(n, {}, { sample })).length;
      expect(Math.abs(kept / 1000 - sample)).toBeLessThanOrEqual(0.05);
    }
    // Labels in `always` are kept whatever their hash; the choice is stable for a node.
    expect(Array.from({ length: 200 }, (_, i) => `n${i}`).every((n) => isSelected(n, { tier: 'critical' }, { sample: 0.01, always: { tier: 'critical' } }))).toBe(true);
    expect(isSelected('node-7', {}, { sample: 0.25 })).toBe(isSelected('node-7', {}, { sample: 0.25 }));
  });

  test('the relabel regex keeps exactly the buckets below the share, and hashmod matches its definition', () => {
    const re = new RegExp(`^(?:${belowRegex(keptBuckets(0.25))})$`);
    for (let b = 0; b < SAMPLE_MODULUS; b++) expect(re.test(String(b))).toBe(b < 250);
    // md5("node-1") = 0b0bbc… ; its last 8 bytes as a big-endian integer, modulo 1000.
    const digest = require('crypto').createHash('md5').update('node-1').digest();
    expect(hashmod('node-1', 1000)).toBe(Number(digest.readBigUInt64BE(8) % 1000n));
  });

  test('Alertmanager: amtool accepts the configuration and routes alerts as the spec says', () => {
    const s = clone(demoStack()) as any;
    s.monitoring.alertmanager = {
      receivers: [
        { name: 'on-call', webhook: { url: 'https://pager.example/hook', tokenSecret: { name: 'pager-token', key: 'token' } } },
        { name: 'chat', slack: { apiURLSecret: { name: 'slack-hook', key: 'url' }, channel: '#edge' } },
      ],
      routes: [
        { receiver: 'on-call', matchers: ['severity="critical"'] },
        { receiver: 'chat', matchers: ['alertname=~"Edge.*"'] },
      ],
    };
    const r = synthChecked(s);
    const dir = configMapFiles(r, 'hub/monitoring/configmap-alertmanager-config.yaml');
    const file = path.join(dir, 'alertmanager.yml');
    const check = tool('amtool', ['check-config', file]);
    expect(check.out).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const route = (...labels: string[]) => tool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]).stdout.trim();
    expect(route('severity=critical', 'alertname=KubeNodeNotReady')).toBe('on-call');
    expect(route('severity=warning', 'alertname=EdgeNodePowerHigh')).toBe('chat');
    expect(route('severity=warning', 'alertname=KubePodCrashLooping')).toBe('null');
    const cfg = parse(fs.readFileSync(file, 'utf8'));
    expect(cfg.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'cluster', 'namespace'] },
      // Event alerts held back while kube-state-metrics pages for the same node or pod (lib/events/alerts.ts).
      { source_matchers: ['alertname="KubeNodeNotReady"'], target_matchers: ['alertname="KubeEventNodeNotReady"'], equal: ['cluster', 'node'] },
      { source_matchers: ['alertname="KubePodCrashLooping"'], target_matchers: ['alertname="KubeEventPodCrashLooping"'], equal: ['cluster', 'namespace', 'pod'] },
    ]);
    const sts = objectAt(r, 'hub/monitoring/statefulset-alertmanager.yaml');
    expect(sts.metadata.annotations['edgewatt.io/external-refs']).toBe('Secret/pager-token,Secret/slack-hook');
    expect(fs.readFileSync(file, 'utf8')).not.toMatch(/hooks\.slack\.com|token: /);
  });

  test('fails on a route to an unknown receiver, with the path', () => {
    const s = clone(demoStack()) as any;
    s.monitoring.alertmanager = { receivers: [{ name: 'on-call', webhook: { url: 'https://pager.example/hook' } }], routes: [{ receiver: 'oncall', matchers: ['severity="critical"'] }] };
    expect(() => synthChecked(s)).toThrow(new SpecError([{ path: 'monitoring.alertmanager.routes[0].receiver', message: 'no receiver named "oncall" (did you mean "on-call"?)' }]));
  });

  test('operator mode emits PrometheusRules and PodMonitors, no Prometheus, valid for the CRDs', () => {
    const s = clone(demoStack()) as any;
    s.monitoring.mode = 'prometheus-operator';
    s.monitoring.operator = { receiverURL: 'https://prometheus.factory.example/api/v1/write' };
    const r = synthChecked(s);
    const monitoring = [...r.files.keys()].filter((f) => f.includes('/monitoring/'));
    expect(monitoring).toEqual([
      'hub/monitoring/clusterrole-edgewatt-prometheus-nodes-monitoring.yaml',
      'hub/monitoring/clusterrolebinding-edgewatt-prometheus-nodes-monitoring.yaml',
      'hub/monitoring/dashboards_role-edgewatt-prometheus-discovery.yaml',
      'hub/monitoring/dashboards_rolebinding-edgewatt-prometheus-discovery.yaml',
      'hub/monitoring/kepler_role-edgewatt-prometheus-discovery.yaml',
      'hub/monitoring/kepler_rolebinding-edgewatt-prometheus-discovery.yaml',
      'hub/monitoring/monitoring_role-edgewatt-prometheus-discovery.yaml',
      'hub/monitoring/monitoring_rolebinding-edgewatt-prometheus-discovery.yaml',
      'hub/monitoring/podmonitor-grafana.yaml',
      'hub/monitoring/podmonitor-kepler-exporter.yaml',
      'hub/monitoring/podmonitor-kube-eventer.yaml',
      'hub/monitoring/prometheusrule-edgewatt-energy-components.yaml',
      'hub/monitoring/prometheusrule-edgewatt-energy.yaml',
      'hub/monitoring/prometheusrule-edgewatt-events.yaml',
      'hub/monitoring/prometheusrule-edgewatt-kubernetes-alerts.yaml',
      'hub/monitoring/prometheusrule-edgewatt-stack-alerts.yaml',
      'line-1/monitoring/clusterrole-edgewatt-prometheus-nodes-monitoring.yaml',
      'line-1/monitoring/clusterrolebinding-edgewatt-prometheus-nodes-monitoring.yaml',
      'line-1/monitoring/kepler_role-edgewatt-prometheus-discovery.yaml',
      'line-1/monitoring/kepler_rolebinding-edgewatt-prometheus-discovery.yaml',
      'line-1/monitoring/monitoring_role-edgewatt-prometheus-discovery.yaml',
      'line-1/monitoring/monitoring_rolebinding-edgewatt-prometheus-discovery.yaml',
      'line-1/monitoring/podmonitor-kepler-exporter.yaml',
      'line-1/monitoring/podmonitor-kube-eventer.yaml',
      'line-1/monitoring/prometheusrule-edgewatt-energy-components.yaml',
      'line-1/monitoring/prometheusrule-edgewatt-energy.yaml',
      'line-1/monitoring/prometheusrule-edgewatt-events.yaml',
      'line-1/monitoring/prometheusrule-edgewatt-kubernetes-alerts.yaml',
      'line-1/monitoring/prometheusrule-edgewatt-stack-alerts.yaml',
    ]);
  });

  test('every alert has severity, summary, description and a runbook URL into RUNBOOKS.md, which lists it', () => {
    const runbooks = demo.files.get('RUNBOOKS.md')!;
    const dir = configMapFiles(demo, 'hub/monitoring/configmap-prometheus-rules.yaml');
    let alerts = 0;
    for (const f of fs.readdirSync(dir)) {
      for (const g of parse(fs.readFileSync(path.join(dir, f), 'utf8')).groups) {
        for (const rule of g.rules.filter((x: any) => x.alert)) {
          alerts++;
          expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
          expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
          expect(rule.annotations.runbook_url).toBe(`https://git.example.com/platform/edge-gitops/blob/main/dist/RUNBOOKS.md#${rule.alert.toLowerCase()}`);
          expect(runbooks).toContain(`## ${rule.alert}\n`);
        }
      }
    }
    // kube-state-metrics's probes wait 5 s, as upstream's example: its /livez asks the API server.
    const ksm = parse(demo.files.get('hub/monitoring/deployment-kube-state-metrics.yaml')!).spec.template.spec.containers[0];
    expect([ksm.livenessProbe.timeoutSeconds, ksm.readinessProbe.timeoutSeconds]).toEqual([5, 5]);
    // 12 from the monitoring, energy and fleet components (DevicePowerMissing and KubeStateMetricsDown included), 17 from the events component.
    expect(alerts).toBe(29);
  });

  test('the metric-name gate rejects a query on a metric no exporter emits', () => {
    const s = clone(demoStack()) as any;
    s.energy.kepler.generation = 'current';
    delete s.energy.kepler.redfish;
    delete s.energy.modelServer;
    // No device set estimates with Kepler classic either (the demo's gateways would run it).
    s.fleet.deviceSets = s.fleet.deviceSets.filter((d: any) => d.power?.source !== 'estimated');
    s.fleet.devices = s.fleet.devices.filter((d: any) => d.set !== 'gateways');
    // The current generation has no kepler_node_package_joules_total; a classic-only name must fail the gate.
    const r = synthChecked(s);
    const rules = objectAt(r, 'hub/monitoring/configmap-prometheus-rules.yaml');
    expect(rules.data['edgewatt-energy.rules.yaml']).toContain('kepler_node_cpu_watts');
    const { checkMetricNames, knownMetrics } = jest.requireActual('../../lib/internal') as typeof import('../../lib/internal');
    const entry = { file: 'x.yaml', cluster: 'hub', object: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'rate(kepler_node_package_joules_total[5m]) > 1' }] }] } } };
    expect(checkMetricNames([entry as any], knownMetrics(r.model))).toEqual([
      { file: 'x.yaml', pointer: '/spec', message: 'groups[0].rules[0].expr: uses "kepler_node_package_joules_total", which no exporter of this stack emits and no recording rule records' },
    ]);
  });
});
