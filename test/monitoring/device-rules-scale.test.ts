/**
 * Device power rules do not grow with the fleet: devices are matched by the shorter of listing them or listing
 * the others, and not at all when every device qualifies (issue 23: at 100,000 devices the per-device lists
 * made the hub's rules ConfigMap 2.36 MB, over Kubernetes' 1 MiB). The "others" form is checked with promtool.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { benchStack } from '../../bench/stacks';
import { devicePowerMissingAlert, devicePowerRules, deviceMatcher } from '../../lib/monitoring/device-power-rules';
import { resolveStack } from '../../lib/synth/resolve-all';
import { clone, demoStack } from '../support/stacks';
import { synthChecked } from '../support/synth';
import { configMapFiles, promtoolTestRules } from '../support/tools';

describe('device matchers', () => {
  test('all devices: no list; a minority: listed; a majority: the others excluded', () => {
    const all = ['a-1', 'a-2', 'a-3', 'b-1'];
    expect(deviceMatcher(all, all)).toBe('edgedeviceid!=""');
    expect(deviceMatcher(['b-1'], all)).toBe('edgedeviceid=~"b-1"');
    expect(deviceMatcher(['a-3', 'a-1', 'a-2'], all)).toBe('edgedeviceid!="", edgedeviceid!~"b-1"');
    expect(deviceMatcher(['a-1'], all, 'deviceID')).toBe('deviceID=~"a-1"');
  });

  test('the chosen are listed in sorted order whatever order they come in, and whether or not the fleet list is sorted', () => {
    // What the matcher gave before it took the chosen in the order of a sorted fleet list: a sort of its own.
    const reference = (chosen: string[], all: string[]) => {
      const picked = new Set(chosen);
      const rest = all.filter((d) => !picked.has(d));
      if (rest.length === 0) return 'edgedeviceid!=""';
      const listed = [...picked].sort().join('|');
      const others = rest.join('|');
      return listed.length <= others.length ? `edgedeviceid=~"${listed}"` : `edgedeviceid!="", edgedeviceid!~"${others}"`;
    };
    const name = fc.stringMatching(/^[a-c][0-9]{0,2}$/);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 30 }), fc.array(name, { maxLength: 12 }), fc.boolean(), (fleet, chosen, sorted) => {
        const all = sorted ? [...new Set(fleet)].sort() : fleet;
        // Chosen names from the fleet, and at times one it does not hold (a device registered outside the stack).
        const picks = [...chosen.filter((_, i) => i % 2 === 0), ...all.filter((_, i) => i % 3 === 0)];
        expect(deviceMatcher(picks, all)).toBe(reference(picks, all));
      }),
      { numRuns: 500 },
    );
  });

  test('a one-source fleet gives the same rules at 1,000 and 20,000 devices', () => {
    const texts = [1000, 20000].map((n) => {
      const model = resolveStack(benchStack(n, 4));
      return JSON.stringify([devicePowerRules(model), devicePowerMissingAlert(model)]);
    });
    expect(texts[0]).not.toContain('dev-0');
    expect(texts[1]).toBe(texts[0]);
  });

  test('a list of whole sets as long as the fleet is every device: matched as deviceMatcher matches the whole fleet', () => {
    const model = resolveStack(benchStack(1000, 4));
    const names = model.fleet!.devices.map((d) => d.name);
    expect(devicePowerRules(model)[0].expr).toContain(`{zone=~"package|dram", ${deviceMatcher(names, names)}}`);
    expect(devicePowerMissingAlert(model)!.expr).toContain(`, ${deviceMatcher(names, names, 'deviceID')}}`);
    // One device in a set of its own with another source: neither list is the fleet's, so both are matched by name.
    const s = clone(benchStack(1000, 4)) as any;
    s.fleet.deviceSets.push({ ...s.fleet.deviceSets[0], name: 'lone', power: { source: 'profile', profile: { idleWatts: 2, maxWatts: 5 } } });
    s.fleet.devices[7].set = 'lone';
    const mixed = resolveStack(s);
    const lone = mixed.fleet!.devices[7].name;
    const others = mixed.fleet!.devices.map((d) => d.name).filter((d) => d !== lone);
    const expr = devicePowerRules(mixed)[0].expr;
    expect(expr).toContain(deviceMatcher(others, [...others, lone].sort()));
    expect(expr).toContain(`edgedeviceid=~"${lone}"`);
  });
});

describe('promtool: profile devices matched as "every device but the others"', () => {
  const s = clone(demoStack()) as any;
  s.fleet.devices.push({ name: 'pi-02', set: 'sensors', labels: {} }, { name: 'pi-03', set: 'sensors', labels: {} });
  const r = synthChecked(s);
  const dir = configMapFiles(r, 'hub/monitoring/configmap-prometheus-rules.yaml');

  test('the profile term excludes the measured and estimated devices instead of listing its three', () => {
    const rules = fs.readFileSync(path.join(dir, 'edgewatt-energy.rules.yaml'), 'utf8');
    expect(rules).toContain('edgedeviceid!~"cam-01|gw-01"');
  });

  test('the profile figure is computed for pi-02 and never for the camera that also sends CPU time', () => {
    const idle = (device: string, perMinute: number) => ({ series: `node_cpu_seconds_total{edgedeviceid="${device}",cpu="0",mode="idle"}`, values: `0+${perMinute}x20` });
    const tests = [
      {
        interval: '1m',
        input_series: [
          idle('pi-02', 30), // idle half the time: 50 % utilisation
          idle('cam-01', 60),
          { series: 'kepler_node_cpu_watts{edgedeviceid="cam-01",zone="package",path="/sys/class/powercap/intel-rapl:0"}', values: '4x20' },
        ],
        promql_expr_test: [
          {
            // In milliwatts, rounded: 2.7 + 3.7 × 0.5 is 4.550000000000001 in floating point.
            expr: 'round(device_source:edgewatt_power_watts:sum * 1000)',
            eval_time: '15m',
            // The demo's sensors profile: 2.7 W idle, 6.4 W max → 2.7 + 3.7 × 0.5 = 4.55 W.
            exp_samples: [
              { labels: '{cluster="hub",device="cam-01",source="rapl"}', value: 4000 },
              { labels: '{cluster="hub",device="pi-02",source="profile"}', value: 4550 },
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
