/**
 * Device power records follow Flotta's 5-minute writes: each term reads its data an interval-dependent time back,
 * and a profile set with a long collection interval gets a rate window that always holds two samples — verified
 * with promtool, as the agent would deliver them (the last write minutes before the evaluation).
 */
import { deviceDataDelayMinutes, deviceRateWindowMinutes } from '../../lib/monitoring/device-power-rules';
import { parse } from 'yaml';
import { clone, demoStack } from '../support/stacks';
import { synthChecked } from '../support/synth';
import { configMapFiles, promtoolTestRules } from '../support/tools';

function slowSensorsStack(): any {
  const s = clone(demoStack()) as any;
  // The sensors set (profile) reports system metrics every 5 minutes; an unpowered set reports hourly.
  s.fleet.deviceSets.find((x: any) => x.name === 'sensors').metrics = { intervalSeconds: 300 };
  s.fleet.deviceSets.push({ name: 'hourly', metrics: { intervalSeconds: 3600 } });
  return s;
}

describe('device power records and the Flotta write delay', () => {
  test('delay and window by collection interval', () => {
    expect([60, 300, 3600].map((i) => [deviceDataDelayMinutes(i), deviceRateWindowMinutes(i)])).toEqual([
      [7, 5],
      [11, 13],
      [66, 150],
    ]);
  });

  test("each term is delayed by its own devices' interval: a slow set delays only its own term", () => {
    const rules: string = parse(synthChecked(slowSensorsStack()).files.get('hub/monitoring/configmap-prometheus-rules.yaml')!).data['edgewatt-energy.rules.yaml'];
    expect(rules).toContain('kepler_node_cpu_watts{zone=~"package|dram", edgedeviceid=~"cam-01"} offset 7m');
    expect(rules).toContain('rate(kepler_node_package_joules_total{edgedeviceid=~"gw-01"}[5m] offset 7m)');
    expect(rules).toContain('rate(node_cpu_seconds_total{mode="idle", edgedeviceid=~"pi-01"}[13m] offset 11m)');
    expect(rules).not.toContain('offset 66m');
  });

  test('promtool: a profile device sampled every 5 minutes has its record between writes', () => {
    const dir = configMapFiles(synthChecked(slowSensorsStack()), 'hub/monitoring/configmap-prometheus-rules.yaml');
    // pi-01: two CPUs idle 225 and 75 s per 5 minutes (mean idle 0.5, utilisation 0.5), samples every 5 minutes up to
    // minute 45; evaluated at minute 50, the moment before the next write.
    const idle = (cpu: string, per5m: number) => ({ series: `node_cpu_seconds_total{edgedeviceid="pi-01",cpu="${cpu}",mode="idle"}`, values: `0+${per5m}x9` });
    const out = promtoolTestRules(dir, ['edgewatt-energy.rules.yaml'], [
      {
        interval: '5m',
        input_series: [idle('0', 225), idle('1', 75)],
        promql_expr_test: [{ expr: 'round(device_source:edgewatt_power_watts:sum * 1000)', eval_time: '50m', exp_samples: [{ labels: '{cluster="hub",device="pi-01",source="profile"}', value: 4550 }] }],
      },
    ]);
    expect(out.out).toContain('SUCCESS');
    expect(out.status).toBe(0);
  });
});
