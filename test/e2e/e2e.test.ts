/**
 * End to end on real binaries: Debian's Prometheus 2.42 (every Prometheus StatefulSet of the output: the hub
 * server, the edge agent, the prometheus-receiver and device-metrics-gateway remote-write gateways) and
 * Alertmanager 0.25 on 127.0.0.1, configured from a synth of the e2e stack through the loopback transformation
 * (test/support/e2e/transform.ts), scraping fake exporters that serve the metric catalogs with known values.
 * Edge writes go through the receiver (basic auth), the device's through the device gateway (its Ingress host).
 * A missing binary fails the suite. Every process is killed after MAX_MS, and stopped in afterAll.
 */
import { pushTimeseries } from 'prometheus-remote-write';
import { parse } from 'yaml';
import { devicePowerOf, KubeObject, synthesize, SynthResult } from '../../lib/internal';
import { deviceSeries, DEVICE_WATTS, ESTIMATED_DEVICE_WATTS, estimatedDeviceSeries, eventerSeries, PROFILE_IDLE_FRACTIONS, profileDeviceSeries, expectedNodeWatts, flottaSeries, keplerSeries, kubeStateSeries, WORKLOAD_SHARES } from '../support/e2e/catalog-series';
import { activeTargets, Fixture, query, queryRange, startFixture } from '../support/e2e/fixture';
import { FakePod, podsOf } from '../support/e2e/pods';
import { binary, get, sleep, stopAll, until } from '../support/e2e/processes';
import { scalePromQL } from '../support/e2e/durations';
import { loopbackURL } from '../support/e2e/transform';
import { tmpDir } from '../support/tmp';
import { e2eStack, fakeNodes, selectedNodes, WEBHOOK_URL } from './stack';

/** Time runs this much faster: the 30 s scrape interval becomes 1 s, a 10 m `for:` 20 s. */
const TIME_SCALE = 30;
const MAX_MS = 170_000;
const NODES = { hub: fakeNodes('hub', 16, 2), 'line-1': fakeNodes('line-1', 16, 2) };
const TOLERANCE = 0.02;

/**
 * Dashboard queries the fixture cannot give data to, with the reason. Each must still be a query of a
 * generated dashboard (checked), so the list cannot go stale silently.
 */
const NEEDS_HISTORY = 'samples the hourly energy recording at hour boundaries over a day ([1d:1h] subquery): the fixture is minutes old and has no sample at a past hour boundary';
const DECLARED_NO_DATA: Readonly<Record<string, string>> = {
  'sum(sum_over_time(cluster:edgewatt_energy_kwh:increase1h{cluster=~"$cluster"}[1d:1h]))': NEEDS_HISTORY,
  'sum(sum_over_time(cluster:edgewatt_co2_grams:increase1h{cluster=~"$cluster"}[1d:1h]))': NEEDS_HISTORY,
};

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let result: SynthResult;
let fx: Fixture;
let started = 0;
let heartbeatStoppedAt: number | undefined;
let pushing = true;
let pusher: Promise<void> | undefined;
const pushErrors: string[] = [];

function objects(cluster: string): KubeObject[] {
  return result.manifests.filter((m) => m.cluster === cluster).flatMap((m) => m.objects);
}

function isFlotta(pod: FakePod): boolean {
  return Object.values(pod.labels).some((v) => /flotta/.test(v)) || /flotta/.test(pod.controller);
}

/** The edge API's heartbeat count of a device; the first device's stops rising at heartbeatStoppedAt. */
function heartbeats(device: string): number {
  const period = (result.model.fleet!.deviceSets[0]?.heartbeatSeconds ?? 60) * 1000 / TIME_SCALE;
  const frozen = device === result.model.fleet!.devices[0].name ? heartbeatStoppedAt : undefined;
  return Math.floor(((frozen ?? Date.now()) - started) / period);
}

/** Fails with both values when `actual` is not within `tol` (relative) of `expected`. */
function expectClose(actual: number, expected: number, what: string, tol = TOLERANCE): void {
  expect({ what, actual, within: Math.abs(actual - expected) <= tol * Math.abs(expected) }).toEqual({ what, actual, within: true, ...(Math.abs(actual - expected) <= tol * Math.abs(expected) ? {} : { expected }) });
}

/**
 * A hub recording rule's own expression, time-compressed as the hub runs it. Exact figures are checked on it,
 * evaluated by the hub a few seconds back (SETTLED_MS): a record is computed the moment its evaluation runs,
 * when the newest samples of a compressed 10 s rate() window may still be on their way through one or two
 * remote-write hops, and on a loaded 2-core machine that lag alone moved records by 5-10 %.
 */
function hubRuleExpr(record: string): string {
  const rules = objects('hub').find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-rules') as Json;
  for (const text of Object.values(rules.data) as string[]) {
    for (const g of parse(text).groups ?? []) for (const r of g.rules ?? []) if (r.record === record) return scalePromQL(r.expr, TIME_SCALE);
  }
  throw new Error(`no recording rule ${record} on the hub`);
}
const SETTLED_MS = 4000;

beforeAll(async () => {
  // Fail, never skip, when a binary is missing.
  binary('prometheus');
  binary('prometheus-alertmanager');
  result = synthesize(e2eStack());
  started = Date.now();
  const model = result.model;
  const podsByCluster = Object.fromEntries(Object.entries(NODES).map(([c, n]) => [c, podsOf(objects(c), n)]));
  fx = await startFixture({
    result,
    nodes: NODES,
    timeScale: TIME_SCALE,
    webhookURLs: [WEBHOOK_URL],
    workDir: tmpDir('edgewatt-e2e-'),
    maxMs: MAX_MS,
    series: (cluster, pod) => {
      const nodes = NODES[cluster as keyof typeof NODES];
      const name = pod.labels['app.kubernetes.io/name'];
      if (name === 'kepler-exporter') {
        const index = nodes.findIndex((n) => n.name === pod.node);
        return () => keplerSeries(model, pod.node, index, started);
      }
      if (name === 'kube-state-metrics') return () => kubeStateSeries(objects(cluster), nodes, podsByCluster[cluster], started);
      if (name === 'kube-eventer') return () => eventerSeries(podsByCluster[cluster].find((p) => p.controller !== pod.controller) ?? pod, started);
      if (isFlotta(pod)) {
        // The upstream operator's two Deployments (pods made from the scrape jobs' keep rules: label `app`).
        const component = pod.labels.app === 'flotta-edge-api' ? 'edge-api' : 'controller-manager';
        return () => flottaSeries(component, model.fleet!.devices.map((d) => ({ namespace: model.fleet!.namespace, name: d.name })), heartbeats);
      }
      return undefined;
    },
  });
  // The device: remote-writes its exporter's series every scaled interval, as the Flotta device worker does.
  const set = objects(model.fleet!.cluster).find((o) => o.kind === 'EdgeDeviceSet') as Json;
  const url = loopbackURL(set.spec.metrics.receiverConfiguration.url, fx.loopback);
  // One device per power source (the e2e stack's sets): each sends what its source makes it send.
  const sent = model.fleet!.devices.flatMap((d) => {
    const source = devicePowerOf(model.fleet!, d)?.source;
    if (source === 'estimated') return estimatedDeviceSeries(d.name, started);
    if (source === 'profile') return profileDeviceSeries(d.name, started);
    return deviceSeries(d.name, !!model.energy?.kepler.processMetrics, started);
  });
  pusher = (async () => {
    while (pushing) {
      const now = Date.now();
      const series = sent.map((s) => ({ labels: { __name__: s.name, ...s.labels }, samples: [{ value: s.value(now), timestamp: now }] }));
      try {
        const r = await pushTimeseries(series, { url, fetch: fetch as never, timeout: 2000 });
        if (r.status !== 204 && r.status !== 200) pushErrors.push(`${r.status} ${r.statusText} ${r.errorMessage ?? ''}`);
      } catch (e) {
        pushErrors.push((e as Error).message);
      }
      await sleep(1000);
    }
  })();
}, 90_000);

afterAll(async () => {
  pushing = false;
  await pusher?.catch(() => undefined);
  await stopAll();
  // eslint-disable-next-line no-console
  console.log(`e2e wall time ${((Date.now() - started) / 1000).toFixed(1)} s; transformation:\n${fx?.changes.map((c) => `  ${c.at}: ${c.what}`).join('\n')}`);
});

describe('end to end on Prometheus 2.42 and Alertmanager 0.25', () => {
  test('each scrape job keeps its own pods, and the selection policy keeps the configured share of the fleet', async () => {
    for (const p of [fx.hub, ...fx.agents]) {
      const nodes = NODES[p.cluster as keyof typeof NODES];
      const expected = selectedNodes(result.model, nodes).sort();
      const kepler = await until(`${p.cluster}: every kept kepler-exporter target up`, 30_000, async () => {
        const t = (await activeTargets(p.url)).filter((x: Json) => x.labels.job === 'kepler-exporter');
        return t.length === expected.length && t.every((x: Json) => x.health === 'up') ? t : undefined;
      });
      expect(kepler.map((t: Json) => t.labels.node).sort()).toEqual(expected);
      expect(kepler.every((t: Json) => t.labels.cluster === p.cluster)).toBe(true);
      // Critical nodes always; of the rest, about the configured share (binomial, 16 nodes: within ±0.25).
      const policy = result.model.monitoring!.selection!;
      for (const n of nodes.filter((x) => x.labels.tier === 'critical')) expect(expected).toContain(n.name);
      const rest = nodes.filter((x) => x.labels.tier !== 'critical');
      const share = rest.filter((n) => expected.includes(n.name)).length / rest.length;
      expect(Math.abs(share - policy.sample)).toBeLessThanOrEqual(0.25);
      // Every generated job reaches at least one up target (once each has been scraped: a target not yet
      // scraped reports health "unknown", so wait for the first scrape of every job rather than race it).
      const jobs = p.config.scrape_configs.map((c: Json) => c.job_name);
      const downJobs = async () => {
        const all = await activeTargets(p.url);
        return jobs.filter((j: string) => !all.some((t: Json) => t.labels.job === j && t.health === 'up'));
      };
      const down = await until(`${p.cluster}: an up target for every job`, 15_000, async () => ((await downJobs()).length === 0 ? [] : undefined)).catch(downJobs);
      expect({ cluster: p.cluster, jobsWithoutAnUpTarget: down }).toEqual({ cluster: p.cluster, jobsWithoutAnUpTarget: [] });
      // kube-state-metrics: exactly its own pod's port; nothing else in its namespace.
      const ksm = (await activeTargets(p.url)).filter((x: Json) => x.labels.job === 'kube-state-metrics');
      expect(ksm.map((x: Json) => x.discoveredLabels.__meta_kubernetes_pod_container_port_name)).toEqual(['http-metrics']);
    }
  }, 40_000);

  test('recording rules give node power (W), pod power, energy (kWh) and CO2 (g) per cluster and node', async () => {
    const model = result.model;
    for (const cluster of Object.keys(NODES)) {
      const nodes = NODES[cluster as keyof typeof NODES];
      const kept = selectedNodes(model, nodes);
      // rate() divides by its whole (compressed) window: the values are exact once the data spans it.
      const expectedOf = (node: string) => expectedNodeWatts(model, nodes.findIndex((n) => n.name === node));
      const recorded = await until(`${cluster}: a node power record for every kept node`, 30_000, async () => {
        const r = await query(fx.hub.url, `node:edgewatt_power_watts:sum{cluster="${cluster}"}`);
        return r.length === kept.length ? r : undefined;
      }).catch(async () => query(fx.hub.url, `node:edgewatt_power_watts:sum{cluster="${cluster}"}`));
      expect(recorded.map((s: Json) => s.metric.node).sort()).toEqual([...kept].sort());
      // The rule's expression, evaluated by the hub on settled data, gives each node its watts.
      const nodeRule = hubRuleExpr('node:edgewatt_power_watts:sum');
      const settled = async () => (await query(fx.hub.url, nodeRule, Date.now() - SETTLED_MS)).filter((s: Json) => s.metric.cluster === cluster);
      const power = await until(`${cluster}: node power of every kept node`, 30_000, async () => {
        const r = await settled();
        return r.length === kept.length && r.every((s: Json) => Math.abs(Number(s.value[1]) - expectedOf(s.metric.node)) <= TOLERANCE * expectedOf(s.metric.node)) ? r : undefined;
      }).catch(settled);
      expect(power.map((s: Json) => s.metric.node).sort()).toEqual([...kept].sort());
      for (const s of power) {
        const index = nodes.findIndex((n) => n.name === s.metric.node);
        expect(index).toBeGreaterThanOrEqual(0);
        expectClose(Number(s.value[1]), expectedNodeWatts(model, index), `${cluster}/${s.metric.node} W`);
      }
      // Cluster and pod records, against the node records of the same evaluation (one instant, one rule group).
      const now = Date.now() - 1000;
      const [clusterPower] = await query(fx.hub.url, `cluster:edgewatt_power_watts:sum{cluster="${cluster}"}`, now);
      const [nodeSum] = await query(fx.hub.url, `sum(node:edgewatt_power_watts:sum{cluster="${cluster}"})`, now);
      expectClose(Number(clusterPower.value[1]), Number(nodeSum.value[1]), `${cluster} W`, 0.001);
      // Pod power: the detector draws its share of its node's power. The pod is recorded; its figure is checked on
      // the pod and node rules' own expressions evaluated on settled data at one instant (as node power above): the
      // two records come from different raw series, whose newest samples may arrive through remote write at
      // different moments of the record's evaluation (one fresh-clone CI run saw 36.5 W against 34.2 W).
      const w = WORKLOAD_SHARES[0];
      const node0 = kept[0];
      const recordedPod = await query(fx.hub.url, `pod:edgewatt_power_watts:sum{cluster="${cluster}", namespace="${w.namespace}", pod="${w.pod}-${node0}"}`, now);
      expect(recordedPod.length).toBe(1);
      const podRule = hubRuleExpr('pod:edgewatt_power_watts:sum');
      const podAt = Date.now() - SETTLED_MS;
      const [pod] = (await query(fx.hub.url, podRule, podAt)).filter((s: Json) => s.metric.cluster === cluster && s.metric.namespace === w.namespace && s.metric.pod === `${w.pod}-${node0}`);
      const [node0Power] = (await query(fx.hub.url, nodeRule, podAt)).filter((s: Json) => s.metric.cluster === cluster && s.metric.node === node0);
      expectClose(Number(pod.value[1]), w.share * Number(node0Power.value[1]), `${cluster} pod W`, 0.01);
      const total = kept.reduce((sum, n) => sum + expectedNodeWatts(model, nodes.findIndex((x) => x.name === n)), 0);
      // Energy: the recording's kWh, times 3.6e6 J/kWh over the cluster's watts, is the time its samples span
      // (window compressed 1h → 2m; increase() extrapolates by at most one interval). Both at one instant.
      const at = Date.now() - 1000;
      const [energy] = await query(fx.hub.url, `cluster:edgewatt_energy_kwh:increase1h{cluster="${cluster}"}`, at);
      const [raw] = await query(fx.hub.url, `kepler_node_package_joules_total{cluster="${cluster}", edgedeviceid=""}[2m]`, at);
      const sampled = raw.values[raw.values.length - 1][0] - raw.values[0][0];
      const seconds = (Number(energy.value[1]) * 3.6e6) / total;
      expect(seconds).toBeGreaterThan(sampled - 2);
      expect(seconds).toBeLessThan(sampled + 3);
      // CO2 = kWh × the stack's carbon intensity.
      const [co2] = await query(fx.hub.url, `cluster:edgewatt_co2_grams:increase1h{cluster="${cluster}"}`, at);
      expectClose(Number(co2.value[1]), Number(energy.value[1]) * model.monitoring!.carbonIntensity, `${cluster} gCO2`, 0.001);
    }
  }, 70_000);

  test('edge series arrive at the hub with their cluster label', async () => {
    const edge = fx.agents.map((a) => a.cluster);
    expect(edge).toEqual(['line-1']);
    // The agent writes to the authenticating receiver gateway (its Ingress host), not to the hub directly; the
    // gateway refuses a request without credentials (a wrong password: test/e2e/gateways.test.ts).
    const receiver = fx.gateways.find((g) => fx.agents[0].config.remote_write.every((rw: Json) => rw.url.startsWith(`${g.url}/`)));
    expect({ receiver: receiver?.name, authenticated: !!receiver?.authorization }).toEqual({ receiver: 'prometheus-receiver', authenticated: true });
    expect((await get(`${receiver!.url}/-/ready`)).status).toBe(401);
    expect((await get(`${receiver!.url}/-/ready`, 2000, { authorization: receiver!.authorization })).status).toBe(200);
    const r = await query(fx.hub.url, 'count by (cluster, job) (up == 1)');
    const seen = r.map((s: Json) => `${s.metric.cluster}/${s.metric.job}`);
    expect(seen).toEqual(expect.arrayContaining(['line-1/kepler-exporter', 'line-1/kube-state-metrics', 'hub/kepler-exporter']));
    // Cluster nodes only: the estimating device's classic series (edgedeviceid, cluster from the device gateway) are not nodes.
    const series = await query(fx.hub.url, 'count by (cluster) (kepler_node_package_joules_total{edgedeviceid=""})');
    expect(Object.fromEntries(series.map((s: Json) => [s.metric.cluster, Number(s.value[1])]))).toEqual({
      hub: selectedNodes(result.model, NODES.hub).length * 2,
      'line-1': selectedNodes(result.model, NODES['line-1']).length * 2,
    });
  });

  test("a device's remote-written series arrive at the hub, and its power is labelled with the device and its cluster", async () => {
    const device = result.model.fleet!.devices[0].name;
    const d = await until('device series at the hub', 20_000, async () => {
      const v = await query(fx.hub.url, `sum(kepler_node_cpu_watts{edgedeviceid="${device}", zone=~"package|dram"})`);
      return v.length ? v : undefined;
    });
    expect(pushErrors).toEqual([]);
    expectClose(Number(d[0].value[1]), DEVICE_WATTS, `${device} W (raw)`);
    // It went through the device gateway (the EdgeDeviceSet's URL is its Ingress host), which adds `cluster`
    // (its external label) and copies `edgedeviceid` into `device`.
    const raw = await query(fx.hub.url, `kepler_node_cpu_watts{edgedeviceid="${device}", zone="package"}`);
    expect(raw.map((s: Json) => ({ cluster: s.metric.cluster, device: s.metric.device }))).toEqual([{ cluster: 'hub', device }]);
    // The Flotta worker adds only `edgedeviceid`; the stack must give device power a `device` and a `cluster`
    // label (recording rules or relabelling), whatever the series is named.
    const labelled = await until(`a power series with device="${device}" and a cluster label`, 15_000, async () => {
      const v = (await query(fx.hub.url, `{device="${device}", __name__=~".*watts.*"}`)).filter((s: Json) => s.metric.cluster);
      return v.some((s: Json) => s.metric.__name__ === 'device:edgewatt_power_watts:sum') ? v : undefined;
    }).catch(() => [] as Json[]);
    expect({ device, series: labelled.map((s: Json) => s.metric.__name__) }).toEqual({ device, series: expect.arrayContaining(['device:edgewatt_power_watts:sum']) });
    const total = labelled.find((s: Json) => s.metric.__name__ === 'device:edgewatt_power_watts:sum');
    expectClose(Number((total ?? labelled[0]).value[1]), DEVICE_WATTS, `${device} W (labelled)`);
  }, 60_000);

  test('each power source gives its device its figure at the hub, with `cluster`, `device` and `source` (measured, Kepler estimate, profile)', async () => {
    const f = result.model.fleet!;
    const byDevice = Object.fromEntries(f.devices.map((d) => [d.name, devicePowerOf(f, d)!]));
    const profile = Object.values(byDevice).find((p) => p.source === 'profile')!.profile!;
    const utilisation = 1 - PROFILE_IDLE_FRACTIONS.reduce((a, b) => a + b, 0) / PROFILE_IDLE_FRACTIONS.length;
    const want: Record<string, { source: string; watts: number }> = {};
    for (const [device, p] of Object.entries(byDevice)) {
      want[device] =
        p.source === 'measured'
          ? { source: 'rapl', watts: DEVICE_WATTS }
          : p.source === 'estimated'
            ? { source: 'estimated', watts: ESTIMATED_DEVICE_WATTS }
            : { source: 'profile', watts: profile.idleWatts + (profile.maxWatts - profile.idleWatts) * utilisation };
    }
    expect(Object.values(want).map((w) => w.source).sort()).toEqual(['estimated', 'profile', 'rapl']);
    // Rates need their (scaled) window filled: wait until every figure has settled within the tolerance.
    const close = (s: Json) => Math.abs(Number(s.value[1]) - want[s.metric.device].watts) <= TOLERANCE * want[s.metric.device].watts;
    const recorded = await until('a per-source record for every device', 40_000, async () => {
      const v = await query(fx.hub.url, 'device_source:edgewatt_power_watts:sum');
      return v.length === f.devices.length ? v : undefined;
    }).catch(async () => query(fx.hub.url, 'device_source:edgewatt_power_watts:sum'));
    expect(recorded.map((s: Json) => `${s.metric.cluster}/${s.metric.device}/${s.metric.source}`).sort()).toEqual(Object.entries(want).map(([d, w]) => `${f.cluster}/${d}/${w.source}`).sort());
    // The figures: the rule's expression evaluated by the hub on settled data (see hubRuleExpr).
    const rule = hubRuleExpr('device_source:edgewatt_power_watts:sum');
    const settled = () => query(fx.hub.url, rule, Date.now() - SETTLED_MS);
    const got = await until('a settled per-source figure for every device', 40_000, async () => {
      const v = await settled();
      return v.length === f.devices.length && v.every((s: Json) => want[s.metric.device] && close(s)) ? v : undefined;
    }).catch(settled);
    expect(got.length).toBe(f.devices.length);
    for (const s of got) {
      const w = want[s.metric.device];
      expect({ device: s.metric.device, cluster: s.metric.cluster, source: s.metric.source }).toEqual({ device: s.metric.device, cluster: f.cluster, source: w.source });
      expectClose(Number(s.value[1]), w.watts, `${s.metric.device} W (${w.source})`);
    }
    // The fleet dashboard's share of devices estimated: 2 of 3 (the Kepler estimate and the profile).
    const share = await query(fx.hub.url, 'sum(cluster_source:edgewatt_devices:count{source=~"estimated|profile"}) / sum(cluster_source:edgewatt_devices:count)');
    expectClose(Number(share[0].value[1]), 2 / 3, 'share of devices estimated');
  }, 60_000);

  test('every query of every generated dashboard returns data, or is declared with the reason it cannot', async () => {
    const dashboards = [...result.files.entries()].filter(([f]) => /\/dashboards\/configmap-dashboard-.*\.yaml$/.test(f));
    expect(dashboards.length).toBeGreaterThanOrEqual(5);
    const empty: string[] = [];
    const seenDeclared = new Set<string>();
    let count = 0;
    const end = Date.now();
    for (const [file, text] of dashboards) {
      const cm = parse(text);
      for (const json of Object.values(cm.data as Record<string, string>)) {
        const d = JSON.parse(json);
        const vars = (d.templating?.list ?? []).filter((v: Json) => v.type === 'query');
        for (const v of vars) {
          const m = /^label_values\((.*),\s*(\w+)\)$/.exec(v.query.query);
          expect(m).not.toBeNull();
          const r = await query(fx.hub.url, `count by (${m![2]}) (${grafana(m![1])})`);
          if (r.length === 0) empty.push(`${file}: variable ${v.name}: ${v.query.query}`);
        }
        for (const panel of d.panels ?? []) {
          for (const t of panel.targets ?? []) {
            count++;
            if (DECLARED_NO_DATA[t.expr]) {
              seenDeclared.add(t.expr);
              continue;
            }
            // As Grafana runs a panel: a range query over the last minutes, every variable at All (.*).
            const r = await queryRange(fx.hub.url, grafana(t.expr), end - 120_000, end, 2);
            if (r.length === 0) empty.push(`${file}: panel "${panel.title}": ${t.expr}`);
          }
        }
      }
    }
    expect(empty).toEqual([]);
    expect([...seenDeclared].sort()).toEqual(Object.keys(DECLARED_NO_DATA).sort());
    expect(count).toBeGreaterThan(20);
  }, 60_000);

  test('a stopped exporter fires KeplerExporterDown and a silent device EdgeDeviceHeartbeatMissing, both delivered to the webhook by the generated routes', async () => {
    const stopped = fx.targets.find((t) => t.cluster === 'line-1' && t.pod.labels['app.kubernetes.io/name'] === 'kepler-exporter' && selectedNodes(result.model, NODES['line-1']).includes(t.pod.node))!;
    const operator = fx.targets.find((t) => isFlotta(t.pod));
    const heartbeatJob = operator && (await activeTargets(fx.hub.url)).find((x: Json) => x.scrapeUrl.includes(operator.address));
    await stopped.stop();
    heartbeatStoppedAt = Date.now();
    const delivered = (alertname: string) =>
      until(`${alertname} at the webhook`, 60_000, async () => {
        for (const d of fx.deliveries) {
          const a = (d.body.alerts ?? []).find((x: Json) => x.labels.alertname === alertname && x.status === 'firing');
          if (a) return { delivery: d, alert: a };
        }
        return undefined;
      });
    const down = await delivered('KeplerExporterDown');
    expect(down.alert.labels.cluster).toBe('line-1');
    expect(down.alert.labels.node).toBe(stopped.pod.node);
    expect(down.delivery.body.receiver).toBe('on-call');
    expect(down.delivery.authorization).toBe(`Bearer ${fx.secretValue('/etc/alertmanager/secrets/alert-webhook/token')}`);
    // The heartbeat alert needs a scrape job that reaches the Flotta operator's metrics.
    expect({ operatorScrapedBy: heartbeatJob?.labels.job ?? 'no scrape job keeps the Flotta operator: its heartbeat never reaches Prometheus' }).toEqual({ operatorScrapedBy: expect.stringMatching(/flotta/) });
    const silent = await delivered('EdgeDeviceHeartbeatMissing');
    expect(silent.alert.labels.deviceID).toBe(result.model.fleet!.devices[0].name);
    expect(silent.delivery.body.receiver).toBe('on-call');
  }, 90_000);
});

/** A Grafana query with every template variable at All (`.*`), as the dashboards' variables allow. */
function grafana(expr: string): string {
  return expr.replace(/\$\{?([a-zA-Z_]\w*)\}?/g, '.*');
}

