import { formatPlan, parseStack, planSeries, resolveModel, runCli } from '../../lib/internal';
import * as path from 'path';
import { ROOT } from '../support/shared';
import { clone, demoStack } from '../support/stacks';
import { captureIO } from '../support/tmp';

describe('edgewatt plan', () => {
  test('estimates series per exporter from the catalog, and the share the policy keeps', () => {
    const p = planSeries(resolveModel(parseStack(demoStack())), { nodesPerCluster: 40, podsPerNode: 20 });
    // Classic (no GPU: refused with classic), no process metrics, per node: 6 sources × (2 node + 40 container
    // series) = 252, 4 usage counters × 40 containers = 160 (none at node level in v0.7.12), kepler_node_info 2 → 414.
    expect(p.rows[0]).toEqual({ what: 'Kepler exporter (classic) on 2 clusters × 40 nodes', targets: 80, targetsWithPolicy: 20, seriesEach: 414, intervalSeconds: 30 });
    // One of each is named so (before: "1 clusters × 1 nodes").
    const one = clone(demoStack()) as { energy: { kepler: { clusters?: string[] } } };
    one.energy.kepler.clusters = ['hub'];
    expect(planSeries(resolveModel(parseStack(one)), { nodesPerCluster: 1 }).rows[0].what).toBe('Kepler exporter (classic) on 1 cluster × 1 node');
    expect(p.rows[1]).toEqual({ what: 'device system metrics every 60s', targets: 3, targetsWithPolicy: 3, seriesEach: 500, intervalSeconds: 60 });
    // kube-eventer on both clusters, one day at the default 5 Warning events/min (test/events/events.test.ts): 7385 each.
    expect(p.rows[2].seriesEach).toBe(7385);
    expect([p.series, p.seriesWithPolicy]).toEqual([80 * 414 + 3 * 500 + 2 * 7385, 20 * 414 + 3 * 500 + 2 * 7385]);
  });

  test('devices outside the policy are not counted with it', () => {
    const s = clone(demoStack()) as any;
    s.fleet.devices = Array.from({ length: 1000 }, (_, i) => ({ name: `cam-${String(i).padStart(2, '0')}`, set: 'cameras', address: '10.20.0.11', labels: {} }));
    const p = planSeries(resolveModel(parseStack(s)));
    expect(p.rows[1].targets).toBe(1000);
    expect(Math.abs(p.rows[1].targetsWithPolicy - 250)).toBeLessThanOrEqual(50);
    expect(formatPlan(p)).toContain(`active series: ${p.series} without the policy, ${p.seriesWithPolicy} with it`);
  });

  test('the CLI prints the table', async () => {
    const c = captureIO();
    expect(await runCli(['plan', '-c', path.join(ROOT, 'apps/demo/stack.yaml'), '--nodes-per-cluster', '40'], c.io)).toBe(0);
    expect(c.out()).toContain('Kepler exporter (classic) on 2 clusters × 40 nodes | 80 | 20 | 414 | 30s');
    const bad = captureIO();
    expect(await runCli(['plan', '--nodes-per-cluster', '0'], bad.io)).toBe(2);
    expect(bad.err()).toContain('must be a whole number above 0');
    const j = captureIO();
    expect(await runCli(['plan', '-c', path.join(ROOT, 'apps/demo/stack.yaml'), '--nodes-per-cluster', '40', '-o', 'json'], j.io)).toBe(0);
    const doc = JSON.parse(j.out());
    expect(doc).toMatchObject({ command: 'plan', ok: true, exitCode: 0, problems: [] });
    expect(doc.plan.rows[0]).toEqual({ what: 'Kepler exporter (classic) on 2 clusters × 40 nodes', targets: 80, targetsWithPolicy: 20, seriesEach: 414, intervalSeconds: 30 });
    const missing = captureIO();
    expect(await runCli(['plan', '-c', '/nonexistent/stack.yaml', '-o', 'json'], missing.io)).toBe(2);
    expect(JSON.parse(missing.out()).problems).toEqual([
      { file: '/nonexistent/stack.yaml', line: null, column: null, path: null, message: expect.stringContaining('cannot be read (ENOENT)'), fix: null },
    ]);
  });

  test('reports per device set the power source, the series its devices send and the hub records it adds', () => {
    const p = planSeries(resolveModel(parseStack(demoStack())));
    expect(p.devicePower.map((d) => [d.set, d.source, d.devices])).toEqual([
      ['cameras', 'measured', 1],
      ['gateways', 'estimated', 1],
      ['sensors', 'profile', 1],
    ]);
    expect(p.devicePower[0].sent).toContain('kepler_node_cpu_watts');
    expect(p.devicePower[1].sent).toContain('kepler_node_package_joules_total');
    expect(p.devicePower[2]).toMatchObject({ sent: [], seriesEach: 0 });
    for (const d of p.devicePower) expect(d.records).toEqual(['device_source:edgewatt_power_watts:sum', 'device:edgewatt_power_watts:sum', 'device:edgewatt_energy_kwh:increase1h']);
    expect(formatPlan(p)).toContain('sensors | profile | 1 | 0 (reads node_cpu_seconds_total) |');
  });
});
