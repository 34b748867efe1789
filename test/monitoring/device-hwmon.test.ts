/**
 * A measured set whose devices have a board power sensor instead of RAPL (hwmon): the host service reads the
 * declared zones, and the device record sums exactly those, labelled `source="hwmon"` — verified with promtool.
 */
import { clone, demoStack } from '../support/stacks';
import { synthChecked } from '../support/synth';
import { configMapFiles, promtoolTestRules } from '../support/tools';

function hwmonStack(): any {
  const s = clone(demoStack()) as any;
  s.fleet.deviceSets.push({ name: 'jetsons', power: { source: 'measured', hwmonZones: ['vdd_in'] } });
  s.fleet.devices.push({ name: 'jet-01', set: 'jetsons', labels: { tier: 'critical' } });
  return s;
}

describe('measured power from an hwmon board sensor', () => {
  const r = synthChecked(hwmonStack());

  test('the host service enables Kepler\'s hwmon meter with the declared zones', () => {
    const env = r.files.get('hub/fleet/device-bootstrap/jetsons/kepler.env')!;
    expect(env).toMatch(/^KEPLER_ARGS=.* --experimental\.hwmon\.enabled=true --experimental\.hwmon\.zones=vdd_in$/m);
    expect(r.files.get('hub/fleet/device-bootstrap/cameras/kepler.env')).not.toContain('hwmon');
  });

  test('promtool: the record sums the declared zone only, as source hwmon, beside the RAPL device', () => {
    const dir = configMapFiles(r, 'hub/monitoring/configmap-prometheus-rules.yaml');
    const hw = (zone: string, n: number) => `kepler_node_cpu_watts{edgedeviceid="jet-01",zone="${zone}",path="/sys/class/hwmon/hwmon1/power${n}_input"}`;
    const tests = [
      {
        interval: '1m',
        input_series: [
          // The input rail (7 W) holds the CPU rail (3 W): only the declared zone counts.
          { series: hw('vdd_in', 1), values: '7x20' },
          { series: hw('vdd_cpu', 2), values: '3x20' },
          { series: 'kepler_node_cpu_watts{edgedeviceid="cam-01",zone="package",path="/sys/class/powercap/intel-rapl:0"}', values: '4x20' },
        ],
        promql_expr_test: [
          {
            expr: 'device_source:edgewatt_power_watts:sum',
            eval_time: '12m',
            exp_samples: [
              { labels: 'device_source:edgewatt_power_watts:sum{cluster="hub",device="cam-01",source="rapl"}', value: 4 },
              { labels: 'device_source:edgewatt_power_watts:sum{cluster="hub",device="jet-01",source="hwmon"}', value: 7 },
            ],
          },
        ],
      },
    ];
    const out = promtoolTestRules(dir, ['edgewatt-energy.rules.yaml'], tests);
    expect(out.out).toContain('SUCCESS');
    expect(out.status).toBe(0);
  });
});
