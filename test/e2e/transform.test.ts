/**
 * The loopback transformation on its own (no processes started), and what Debian's promtool 2.42 and amtool
 * 0.25 say about its output: the configs the end-to-end suite runs are valid for those versions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { synthesize } from '../../lib/internal';
import { formatDuration, parseDuration, scaleDuration, scalePromQL } from '../support/e2e/durations';
import { podFromKeepRules, podPorts, podsOf, podTargetGroups } from '../support/e2e/pods';
import { addressBook } from '../support/e2e/fixture';
import { loopbackAlertmanagerConfig, loopbackArgs, LoopbackOptions, loopbackPrometheusConfig, loopbackURL, loopbackRules, PROMETHEUS_FLAGS, V3_ONLY_FIELDS } from '../support/e2e/transform';
import { tool } from '../support/tools';
import { tmpDir } from '../support/tmp';
import { e2eStack, fakeNodes, WEBHOOK_URL } from './stack';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function options(): LoopbackOptions {
  return { timeScale: 30, services: { 'prometheus.monitoring:9090': '127.0.0.1:19090', 'alertmanager.monitoring:9093': '127.0.0.1:19093', 'metrics.factory.example:443': '127.0.0.1:19091' }, urls: { [WEBHOOK_URL]: 'http://127.0.0.1:19999' }, root: tmpDir('edgewatt-root-') };
}

const result = synthesize(e2eStack());
const objects = (cluster: string) => result.manifests.filter((m) => m.cluster === cluster).flatMap((m) => m.objects) as Json[];
const configMap = (cluster: string, name: string) => objects(cluster).find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);

describe('durations and time compression', () => {
  test('parses and writes Prometheus durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(scaleDuration('10m', 30)).toBe('20s');
    expect(scaleDuration('30s', 30, 1000)).toBe('1s');
    expect(scaleDuration('10s', 30, 1000)).toBe('1s');
    expect(() => parseDuration('5 minutes')).toThrow('not a Prometheus duration: "5 minutes"');
  });

  test('scales range selectors, subqueries and offsets, and nothing inside label values', () => {
    expect(scalePromQL('sum(increase(x{a="[5m]"}[5m]))', 30)).toBe('sum(increase(x{a="[5m]"}[10s]))');
    expect(scalePromQL('sum_over_time(r[1d:1h]) offset 1h', 30)).toBe('sum_over_time(r[48m:2m]) offset 2m');
    expect(scalePromQL('up == 0', 30)).toBe('up == 0');
    expect(() => scalePromQL('sum(', 30)).toThrow('PromQL does not parse');
  });
});

describe('prometheus.yml on loopback', () => {
  const text = configMap('hub', 'prometheus-config').data['prometheus.yml'];
  const sd: Array<{ job: string; sd: Json }> = [];
  const o = options();
  const { config, changes } = loopbackPrometheusConfig(text, { ...o, selfAddress: '127.0.0.1:19090', sdFile: (job, i, s) => (sd.push({ job, sd: s }), `/sd/${job}-${i}.json`) });
  const original = parse(text);

  test('Kubernetes discovery becomes file_sd; relabel rules are untouched', () => {
    for (const [i, s] of original.scrape_configs.entries()) {
      const t = config.scrape_configs[i];
      expect(t.relabel_configs).toEqual(s.relabel_configs);
      if (s.kubernetes_sd_configs) {
        expect(t.kubernetes_sd_configs).toBeUndefined();
        expect(t.file_sd_configs).toEqual([{ files: [`/sd/${s.job_name}-0.json`], refresh_interval: '10s' }]);
      }
    }
    expect(sd.map((x) => x.job)).toEqual(original.scrape_configs.filter((s: Json) => s.kubernetes_sd_configs).map((s: Json) => s.job_name));
  });

  test('addresses, rule files and intervals are rewritten, and each change is reported', () => {
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:19093']);
    expect(config.scrape_configs[0].static_configs[0].targets).toEqual(['127.0.0.1:19090']);
    expect(config.rule_files).toEqual([path.join(o.root, '/etc/prometheus/rules/*.yaml')]);
    expect(config.global).toEqual({ scrape_interval: '1s', evaluation_interval: '1s', external_labels: { cluster: 'hub' } });
    expect(changes).toContainEqual({ at: 'global.scrape_interval', what: '30s → 1s' });
  });

  test("the agent remote-writes to the receiver gateway's Ingress host on loopback; the https downgrade is reported", () => {
    const agent = loopbackPrometheusConfig(configMap('line-1', 'prometheus-config').data['prometheus.yml'], { ...o, selfAddress: '127.0.0.1:1', sdFile: () => '/sd/x.json' });
    expect(agent.config.remote_write).toEqual([{ name: 'hub', url: 'http://127.0.0.1:19091/api/v1/write', basic_auth: { username: 'edge', password_file: path.join(o.root, '/etc/prometheus/secrets/prometheus-remote-write/password') }, queue_config: { batch_send_deadline: expect.any(String) } }]);
    // Prometheus's 5 s batch deadline is compressed with the other intervals (a late batch would halve a compressed rate()).
    expect(agent.changes).toContainEqual({ at: 'remote_write(hub).queue_config.batch_send_deadline', what: `5s (default) → ${agent.config.remote_write[0].queue_config.batch_send_deadline}` });
    expect(agent.changes).toContainEqual({ at: 'remote_write(hub)', what: 'https://metrics.factory.example/api/v1/write → http://127.0.0.1:19091/api/v1/write (TLS not exercised on loopback)' });
  });

  test('the address book: Services select their StatefulSet in their own cluster, Ingress hosts reach their backend, LoadBalancer hosts their pods, ServiceExports make clusterset names', () => {
    let port = 20000;
    const workloads = result.manifests.flatMap((m) => m.objects.filter((x: Json) => x.kind === 'StatefulSet' && /\/prometheus\/(prometheus|alertmanager):/.test(x.spec.template.spec.containers[0].image)).map((sts: Json) => ({ cluster: m.cluster, sts, kind: /alertmanager/.test(sts.spec.template.spec.containers[0].image) ? ('alertmanager' as const) : ('prometheus' as const), port: port++ })));
    const at = (cluster: string, name: string) => `127.0.0.1:${workloads.find((w) => w.cluster === cluster && w.sts.metadata.name === name)!.port}`;
    const book = addressBook(result, workloads);
    expect(book.services.hub['prometheus.monitoring:9090']).toBe(at('hub', 'prometheus'));
    expect(book.services['line-1']['prometheus.monitoring:9090']).toBe(at('line-1', 'prometheus'));
    expect(book.services.hub['alertmanager.monitoring:9093']).toBe(at('hub', 'alertmanager'));
    expect(book.hosts).toEqual({
      'metrics.factory.example:443': at('hub', 'prometheus-receiver'),
      'metrics.factory.example:80': at('hub', 'prometheus-receiver'),
      'device-metrics.factory.example:443': at('hub', 'device-metrics-gateway'),
    });
    expect(book.services['line-1']['metrics.factory.example:443']).toBe(at('hub', 'prometheus-receiver'));
    // A clusterset name resolves through the ServiceExport table only, whichever cluster asks.
    const oo = { ...o, services: {}, clusterSet: { 'prometheus.monitoring:9090': '127.0.0.1:19090' } };
    expect(loopbackURL('http://prometheus.monitoring.svc.clusterset.local:9090/api/v1/write', oo)).toBe('http://127.0.0.1:19090/api/v1/write');
    expect(() => loopbackURL('http://prometheus.monitoring.svc.cluster.local:9090/api/v1/write', oo)).toThrow('no loopback address');
  });

  test('secret files are written under the root with test values; v3-only fields are dropped and reported; unknown hosts fail', () => {
    const c = {
      global: { scrape_interval: '30s', metric_name_validation_scheme: 'utf8' },
      scrape_configs: [{ job_name: 'op', scheme: 'https', scrape_protocols: ['PrometheusText0.0.4'], tls_config: { ca_file: '/var/run/secrets/ca.crt' }, authorization: { credentials_file: '/var/run/secrets/token' }, static_configs: [{ targets: ['prometheus.monitoring.svc:9090'] }] }],
      remote_write: [{ url: 'https://prometheus.monitoring.svc.clusterset.local:9090/api/v1/write', basic_auth: { username: 'edge', password_file: '/etc/prometheus/secrets/rw/password' }, protobuf_message: 'prometheus.WriteRequest' }],
    };
    const r = loopbackPrometheusConfig(stringify(c), { ...o, selfAddress: '127.0.0.1:1', sdFile: () => '' });
    expect(r.config.remote_write[0].url).toBe('http://127.0.0.1:19090/api/v1/write');
    const pw = r.config.remote_write[0].basic_auth.password_file;
    expect(pw).toBe(path.join(o.root, '/etc/prometheus/secrets/rw/password'));
    expect(fs.readFileSync(pw, 'utf8')).toBe('e2e-test-value-for-password');
    expect(r.config.scrape_configs[0].authorization.credentials_file).toBe(path.join(o.root, '/var/run/secrets/token'));
    expect(r.config.scrape_configs[0].scrape_protocols).toBeUndefined();
    expect(r.changes.filter((x) => /dropped/.test(x.what)).map((x) => x.at).sort()).toEqual(['global.metric_name_validation_scheme', 'remote_write[0].protobuf_message', 'scrape_configs[0].scrape_protocols']);
    expect(() => loopbackPrometheusConfig(stringify({ scrape_configs: [{ job_name: 'x', static_configs: [{ targets: ['grafana.dashboards:3000'] }] }] }), { ...o, selfAddress: '', sdFile: () => '' })).toThrow('no loopback address for grafana.dashboards:3000');
  });

  test("promtool 2.42 accepts the loopback config (its Kubernetes discovery is compiled out: the original fails)", () => {
    const dir = tmpDir('edgewatt-promtool-');
    fs.writeFileSync(path.join(dir, 'original.yml'), text);
    expect(tool('promtool', ['check', 'config', '--syntax-only', path.join(dir, 'original.yml')]).out).toMatch(/kubernetes_sd_configs not found/);
    const copy = JSON.parse(JSON.stringify(config));
    delete copy.rule_files;
    fs.writeFileSync(path.join(dir, 'loopback.yml'), stringify(copy));
    const r = tool('promtool', ['check', 'config', '--syntax-only', path.join(dir, 'loopback.yml')]);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  test('every field listed as v3-only is rejected by promtool 2.42 (the list is true for the installed version)', () => {
    const dir = tmpDir('edgewatt-v3-');
    const where: Record<string, (v: Json) => Json> = {
      top: (v) => ({ ...v, scrape_configs: [] }),
      scrape: (v) => ({ scrape_configs: [{ job_name: 'x', static_configs: [{ targets: ['127.0.0.1:9'] }], ...v }] }),
      remote: (v) => ({ remote_write: [{ url: 'http://127.0.0.1:9/api/v1/write', ...v }] }),
    };
    const placement: Record<string, keyof typeof where> = { protobuf_message: 'remote', round_robin_dns: 'remote', runtime: 'top', otlp: 'top' };
    const sample: Record<string, unknown> = { protobuf_message: 'prometheus.WriteRequest', round_robin_dns: true, runtime: {}, otlp: {}, scrape_protocols: ['PrometheusText0.0.4'], fallback_scrape_protocol: 'PrometheusText0.0.4', metric_name_validation_scheme: 'legacy', metric_name_escaping_scheme: 'underscores', scrape_failure_log_file: '/tmp/x' };
    const accepted: string[] = [];
    for (const field of Object.keys(V3_ONLY_FIELDS)) {
      const file = path.join(dir, `${field}.yml`);
      fs.writeFileSync(file, stringify(where[placement[field] ?? 'scrape']({ [field]: sample[field] ?? 1 })));
      const r = tool('promtool', ['check', 'config', '--syntax-only', file]);
      if (r.status === 0 || !r.out.includes(`field ${field} not found`)) accepted.push(`${field}: ${r.out.trim()}`);
    }
    expect(accepted).toEqual([]);
  });
});

describe('rules and Alertmanager on loopback', () => {
  test('rule files: for and every range compressed; promtool 2.42 checks them', () => {
    const dir = tmpDir('edgewatt-rules-');
    const cm = configMap('hub', 'prometheus-rules');
    for (const [name, text] of Object.entries(cm.data as Record<string, string>)) {
      const out = loopbackRules(text, 30);
      fs.writeFileSync(path.join(dir, name), out);
      const before = parse(text).groups.flatMap((g: Json) => g.rules);
      const after = parse(out).groups.flatMap((g: Json) => g.rules);
      after.forEach((r: Json, i: number) => {
        expect(r.expr).toBe(scalePromQL(before[i].expr, 30));
        if (before[i].for) expect(r.for).toBe(parseDuration(before[i].for) === 0 ? '0s' : scaleDuration(before[i].for, 30, 1000));
      });
    }
    const all = fs.readdirSync(dir).map((f) => path.join(dir, f));
    const r = tool('promtool', ['check', 'rules', ...all]);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
    const down = parse(fs.readFileSync(path.join(dir, 'edgewatt-energy-components.rules.yaml'), 'utf8')).groups[0].rules.find((x: Json) => x.alert === 'KeplerExporterDown');
    expect(down.for).toBe('20s');
  });

  test('alertmanager.yml: the webhook on loopback, its token file under the root, timers compressed; amtool 0.25 checks it', () => {
    const o = options();
    const { config } = loopbackAlertmanagerConfig(configMap('hub', 'alertmanager-config').data['alertmanager.yml'], o);
    const hook = config.receivers.find((r: Json) => r.name === 'on-call').webhook_configs[0];
    expect(hook.url).toBe('http://127.0.0.1:19999');
    expect(hook.http_config.authorization.credentials_file).toBe(path.join(o.root, '/etc/alertmanager/secrets/alert-webhook/token'));
    expect([config.route.group_wait, config.route.group_interval, config.route.repeat_interval]).toEqual(['1s', '10s', '8m']);
    const file = path.join(tmpDir('edgewatt-am-'), 'alertmanager.yml');
    fs.writeFileSync(file, stringify(config));
    const r = tool('amtool', ['check-config', file]);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  test('flags: --agent becomes the 2.42 feature flag; an unmapped flag fails', () => {
    const sts = objects('line-1').find((x) => x.kind === 'StatefulSet' && x.metadata.name === 'prometheus');
    const args = loopbackArgs(sts.spec.template.spec.containers[0].args, PROMETHEUS_FLAGS, { configFile: '/c.yml', listen: '127.0.0.1:1', dataDir: '/d' }, options());
    expect(args).toEqual(['--config.file=/c.yml', '--web.listen-address=127.0.0.1:1', '--enable-feature=agent', '--storage.agent.path=/d']);
    expect(() => loopbackArgs(['--web.page-title=x'], PROMETHEUS_FLAGS, { configFile: '', listen: '', dataDir: '' }, options())).toThrow('flag --web.page-title=x has no loopback mapping');
  });
});

describe('fake pods and their discovery labels', () => {
  const nodes = fakeNodes('hub', 3, 1);
  const pods = podsOf(objects('hub'), nodes);

  test('a DaemonSet runs one pod per node; a target per container port, with pod, port and node labels', () => {
    expect(pods.filter((p) => p.controller === 'DaemonSet/kepler-exporter').map((p) => p.node)).toEqual(nodes.map((n) => n.name));
    const groups = podTargetGroups({ role: 'pod', namespaces: { names: ['kepler'] }, attach_metadata: { node: true } }, podPorts(pods), nodes, () => '127.0.0.1:1');
    expect(groups).toHaveLength(3);
    expect(groups[0].labels).toMatchObject({
      __meta_kubernetes_namespace: 'kepler',
      __meta_kubernetes_pod_label_app_kubernetes_io_name: 'kepler-exporter',
      __meta_kubernetes_pod_container_port_name: 'http',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_node_name: 'hub-node-00',
      __meta_kubernetes_node_label_tier: 'critical',
    });
    const noNode = podTargetGroups({ role: 'pod', namespaces: { names: ['kepler'] } }, podPorts(pods), nodes, () => '127.0.0.1:1');
    expect(Object.keys(noNode[0].labels).some((k) => k.startsWith('__meta_kubernetes_node_label_'))).toBe(false);
  });

  test('a job whose pods come from a Helm chart gets a pod with the labels and port its keep rules require', () => {
    const pod = podFromKeepRules(
      { job_name: 'op', relabel_configs: [{ source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], regex: 'flotta\\-operator', action: 'keep' }, { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'https', action: 'keep' }] },
      'flotta',
      'hub-node-00',
    );
    expect(pod.labels).toEqual({ app_kubernetes_io_name: 'flotta-operator' });
    expect(pod.containers[0].ports[0].name).toBe('https');
  });
});
