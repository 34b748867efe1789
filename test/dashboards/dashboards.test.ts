import { parse } from 'yaml';
import { checkMetricNames, checkPromql, findExpressions, knownMetrics, recordedNames, stackDashboards } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

const D = 'hub/dashboards';

function entriesOf(r: ReturnType<typeof synthChecked>) {
  return [...r.files].filter(([f]) => f.endsWith('.yaml')).map(([file, text]) => ({ file, cluster: file.split('/')[0], object: parse(text) }));
}

describe('dashboards', () => {
  const r = synthChecked(demoStack());

  test('seven dashboards, each in its own ConfigMap, with unique stable uids and the datasource and cluster variables', () => {
    const docs = stackDashboards(r.model);
    expect(docs.map((d) => d.uid)).toEqual(['edgewatt-fleet-energy', 'edgewatt-node-power', 'edgewatt-workload-power', 'edgewatt-co2', 'edgewatt-fleet-devices', 'edgewatt-iomt-pipelines', 'edgewatt-kubernetes-events']);
    expect(new Set(docs.map((d) => d.uid)).size).toBe(docs.length);
    for (const d of docs) {
      const json = JSON.parse(objectAt(r, `${D}/configmap-dashboard-${d.name}.yaml`).data[`${d.name}.json`]);
      expect(json.uid).toBe(d.uid);
      const vars = json.templating.list.map((v: any) => v.name);
      expect(vars[0]).toBe('datasource');
      if (d.name !== 'fleet-devices') expect(vars).toContain('cluster');
      expect(json.panels.length).toBeGreaterThan(0);
    }
  });

  test('every panel and variable query parses and names only catalog or recording-rule metrics', () => {
    const entries = entriesOf(r);
    const dashboards = entries.filter((e) => e.object.kind === 'ConfigMap' && e.file.startsWith(`${D}/configmap-dashboard-`));
    const exprs = findExpressions(dashboards);
    expect(exprs.length).toBeGreaterThan(30);
    expect(checkPromql(dashboards)).toEqual([]);
    const known = new Set([...knownMetrics(r.model), ...recordedNames(entries)]);
    expect(checkMetricNames(dashboards, known)).toEqual([]);
    // A panel on a metric no exporter emits is caught by the same gate.
    const broken = clone(dashboards.find((d) => d.file.endsWith('configmap-dashboard-fleet-energy.yaml'))!);
    const key = Object.keys(broken.object.data)[0];
    broken.object.data[key] = broken.object.data[key].replace('cluster:edgewatt_power_watts:sum', 'cluster:edgewatt_powr_watts:sum');
    expect(checkMetricNames([broken], known).map((f) => f.message)).toContain('panels[0].targets[0].expr: uses "cluster:edgewatt_powr_watts:sum", which no exporter of this stack emits and no recording rule records');
  });

  test('panels use the recording rules where one exists', () => {
    const energy = stackDashboards(r.model).find((d) => d.name === 'fleet-energy')!;
    expect(energy.panels.flatMap((p) => p.queries).every((q) => /edgewatt/.test(q))).toBe(true);
  });

  test("the Prometheus datasource URL is the Prometheus Service's DNS name and port; uids are stable", () => {
    const svc = objectAt(r, 'hub/monitoring/service-prometheus.yaml');
    const ds = parse(objectAt(r, `${D}/configmap-grafana-provisioning.yaml`).data['datasources.yaml']).datasources;
    expect(ds[0]).toMatchObject({ uid: 'edgewatt-prometheus', type: 'prometheus', url: `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${svc.spec.ports[0].port}` });
    expect(ds[1]).toMatchObject({ uid: 'edgewatt-alertmanager', type: 'alertmanager', url: 'http://alertmanager.monitoring.svc.cluster.local:9093' });
  });

  test('Grafana: non-root, read-only root, admin credentials by Secret reference, anonymous off; checksums roll the pod', () => {
    const dep = objectAt(r, `${D}/deployment-grafana.yaml`);
    const c = dep.spec.template.spec.containers[0];
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(dep.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 472 });
    expect(c.env.find((e: any) => e.name === 'GF_SECURITY_ADMIN_PASSWORD')).toEqual({ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-password' } } });
    expect(c.env.find((e: any) => e.name === 'GF_AUTH_ANONYMOUS_ENABLED').value).toBe('false');
    // No plugin fetched at start and none replaced: an update of a bundled plugin fails on the read-only root and
    // leaves it unregistered (the Prometheus data source: every dashboard blank).
    expect(c.env.filter((e: any) => e.name.startsWith('GF_PLUGINS_'))).toEqual([
      { name: 'GF_PLUGINS_PREINSTALL_DISABLED', value: 'true' },
      { name: 'GF_PLUGINS_PREINSTALL_AUTO_UPDATE', value: 'false' },
    ]);
    const s = clone(demoStack()) as any;
    s.energy.kepler.processMetrics = true;
    s.dashboards.anonymousViewer = true;
    const r2 = synthChecked(s);
    const dep2 = objectAt(r2, `${D}/deployment-grafana.yaml`);
    expect(dep2.spec.template.metadata.annotations['edgewatt.io/dashboards-checksum']).not.toBe(dep.spec.template.metadata.annotations['edgewatt.io/dashboards-checksum']);
    expect(dep2.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'true' }, { name: 'GF_AUTH_ANONYMOUS_ORG_ROLE', value: 'Viewer' }]));
    expect(stackDashboards(r2.model).find((d) => d.name === 'workload-power')!.panels.map((p) => p.title)).toContain('Top 10 processes');
  });

  test('no Secret value anywhere in the output; sidecar mode emits only labelled ConfigMaps', () => {
    const all = [...r.files.values()].join('\n');
    expect(all).not.toMatch(/^kind: Secret$/m);
    expect(all).not.toMatch(/GF_SECURITY_ADMIN_PASSWORD\n\s+value:/);
    const s = clone(demoStack()) as any;
    s.dashboards.mode = 'sidecar';
    const side = synthChecked(s);
    const files = [...side.files.keys()].filter((f) => f.startsWith(`${D}/`) && f.endsWith('.yaml'));
    expect(files.every((f) => f.includes('/configmap-dashboard-'))).toBe(true);
    expect(files).toHaveLength(7);
    expect(objectAt(side, files[0]).metadata.labels.grafana_dashboard).toBe('1');
  });

  test('a fleet whose powered sets have no device yet records no device power, and no panel reads the records', () => {
    const powerPanels = (stack: ReturnType<typeof demoStack>) => {
      const result = synthChecked(stack);
      const json = JSON.parse(objectAt(result, `${D}/configmap-dashboard-fleet-devices.yaml`).data['fleet-devices.json']);
      return { result, titles: json.panels.map((p: { title: string }) => p.title).filter((t: string) => /power|estimated/i.test(t)) };
    };
    // No device at all (the pipelines name devices, so they go too): the synth passes its metric-name gate.
    const empty = demoStack() as any;
    delete empty.iomt;
    empty.fleet.devices = [];
    const none = powerPanels(empty);
    expect(none.titles).toEqual([]);
    expect([...none.result.files.values()].some((t) => t.includes('device_source:edgewatt_power_watts:sum'))).toBe(false);
    // Devices only in a set without power, beside a powered set with none.
    const unpowered = demoStack() as any;
    delete unpowered.iomt;
    unpowered.fleet.powerExporter = false;
    unpowered.fleet.deviceSets = [{ name: 'plain' }, unpowered.fleet.deviceSets.find((s: { name: string }) => s.name === 'sensors')];
    unpowered.fleet.devices = [{ name: 'box-01', set: 'plain' }];
    expect(powerPanels(unpowered).titles).toEqual([]);
    // The first device in the powered set brings the records and the panels.
    unpowered.fleet.devices.push({ name: 'pi-09', set: 'sensors' });
    const one = powerPanels(unpowered);
    expect(one.titles).toEqual(['Device power: measured vs estimated', 'Share of devices estimated', 'Share of device power estimated']);
    expect([...one.result.files.values()].some((t) => t.includes('record: device_source:edgewatt_power_watts:sum'))).toBe(true);
  });

  test('README lists every panel with its unit and query, for reviewers', () => {
    const readme = r.files.get(`${D}/README.md`)!;
    expect(readme).toContain('## Edge fleet energy (`edgewatt-fleet-energy`)');
    expect(readme).toContain('| Power now | watt | `sum(cluster:edgewatt_power_watts:sum{cluster=~"$cluster"})` |');
    for (const d of stackDashboards(r.model)) for (const p of d.panels) expect(readme).toContain(`| ${p.title} | ${p.unit} |`);
  });
});
