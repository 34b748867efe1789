import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Flow } from '../../lib/core/flows';
import { synthesize } from '../../lib/internal';
import { Entry, evaluateFlows } from '../../lib/validate';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';
import { tool } from '../support/tools';
import { tmpDir } from '../support/tmp';

const BOOT = 'hub/fleet/device-bootstrap';

/**
 * systemd-analyze verify on a generated unit. The exporter binary is installed on the device, not here, and
 * verify refuses a unit whose ExecStart is missing: the copy checked points ExecStart at a stub executable
 * and the EnvironmentFile at the generated env file; nothing else changes (asserted).
 */
function verify(unit: string, env: string, binary: string, envPath: string): { status: number; out: string } {
  const dir = tmpDir('edgewatt-unit-');
  const stub = path.join(dir, 'kepler');
  fs.writeFileSync(stub, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'kepler.env'), env);
  const local = unit.replace(binary, stub).replace(envPath, path.join(dir, 'kepler.env'));
  expect(local.split('\n').filter((l, i) => l !== unit.split('\n')[i]).length).toBe(2);
  const file = path.join(dir, path.basename(envPath).replace('.env', '.service'));
  fs.writeFileSync(file, local);
  return tool('systemd-analyze', ['verify', '--man=no', file]);
}

describe('device bootstrap of the demo stack (one set per power source)', () => {
  const r = synthChecked(demoStack());
  const file = (p: string) => r.files.get(`${BOOT}/${p}`)!;

  test('measured and estimated sets get a unit, its environment file and a README; the profile set gets none', () => {
    const names = [...r.files.keys()].filter((k) => k.startsWith(BOOT)).sort();
    expect(names).toEqual([
      `${BOOT}/cameras/README.md`,
      `${BOOT}/cameras/kepler.env`,
      `${BOOT}/cameras/kepler.service`,
      `${BOOT}/gateways/README.md`,
      `${BOOT}/gateways/kepler-classic.env`,
      `${BOOT}/gateways/kepler-classic.service`,
    ]);
  });

  test('systemd-analyze verify passes without a warning on both units; a broken key is reported', () => {
    for (const [set, unit, bin] of [
      ['cameras', 'kepler', '/usr/local/bin/kepler'],
      ['gateways', 'kepler-classic', '/usr/local/bin/kepler-classic'],
    ]) {
      const v = verify(file(`${set}/${unit}.service`), file(`${set}/${unit}.env`), bin, `/etc/edgewatt/${unit}.env`);
      expect(v.out).toBe('');
      expect(v.status).toBe(0);
    }
    const broken = file('cameras/kepler.service').replace('ProtectSystem=strict', 'ProtectSystem=strict\nProtectSystems=yes');
    const v = verify(broken, file('cameras/kepler.env'), '/usr/local/bin/kepler', '/etc/edgewatt/kepler.env');
    expect(v.out).toContain("Unknown key 'ProtectSystems'");
  });

  test('the units keep only the capabilities each generation needs, and are hardened', () => {
    const measured = file('cameras/kepler.service');
    expect(measured).toMatch(/^CapabilityBoundingSet=CAP_SYS_PTRACE$/m);
    expect(file('gateways/kepler-classic.service')).toMatch(/^CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_SYS_RESOURCE$/m);
    for (const key of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadOnlyPaths=/sys /proc', 'PrivateDevices=yes', 'ProtectKernelModules=yes', 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX']) {
      expect(measured).toContain(`\n${key}\n`);
    }
    expect(measured).not.toMatch(/^User=/m);
  });

  test('the environment files carry the flags and keys of the pinned Kepler generations', () => {
    expect(file('cameras/kepler.env')).toContain('KEPLER_ARGS=--host.sysfs=/sys --host.procfs=/proc --metrics=node --web.listen-address=0.0.0.0:28282');
    const classic = file('gateways/kepler-classic.env');
    expect(classic).toContain('BIND_ADDRESS=0.0.0.0:9102');
    expect(classic).toContain('MODEL_SERVER_ENABLE=false');
    expect(classic).toContain('MODEL_CONFIG="NODE_COMPONENTS_ESTIMATOR=false NODE_TOTAL_ESTIMATOR=false NODE_COMPONENTS_INIT_URL=https://models.factory.example/');
  });

  test('the relay workloads run on exactly the devices of their sources, scraped by the agent on /federate', () => {
    const host = objectAt(r, 'hub/fleet/edgeworkload-kepler-host-relay.yaml');
    expect(host.spec.device).toBe('cam-01');
    expect(host.spec.metrics).toMatchObject({ port: 9090, path: '/federate?match%5B%5D=%7Bjob%3D%22kepler-host%22%7D' });
    expect(objectAt(r, 'hub/fleet/edgeworkload-kepler-classic-relay.yaml').spec.device).toBe('gw-01');
    expect(r.files.has('hub/fleet/edgeworkload-kepler-device-exporter.yaml')).toBe(false);
  });

  test('an estimate that reaches the model server through its ingress gets MODEL_SERVER_URL = the ingress host', () => {
    const s = clone(demoStack()) as any;
    s.energy.modelServer.exposure = { transport: 'ingress', host: 'models.hub.factory.example', tlsSecret: 'models-tls' };
    delete s.fleet.deviceSets[1].power.initialModelURL;
    const out = synthesize(s);
    const env = out.files.get(`${BOOT}/gateways/kepler-classic.env`)!;
    expect(env).toContain('MODEL_SERVER_ENABLE=true\nMODEL_SERVER_URL=https://models.hub.factory.example\nMODEL_SERVER_MODEL_REQ_PATH=/model');
    // The path is a declared flow, proven on the output; without the model server's Ingress it is blocked.
    const flows: Flow[] = JSON.parse(out.files.get('FLOWS.json')!).flows;
    const id = 'model-fetch:devices(gateways)->hub/kepler-model-server';
    expect(flows.find((f) => f.id === id)).toMatchObject({ from: { kind: 'device', set: 'gateways' }, transport: 'ingress' });
    const entries = (drop?: RegExp): Entry[] =>
      [...out.files].filter(([f]) => f.endsWith('.yaml') && !(drop && drop.test(f))).map(([f, text]) => ({ file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }));
    const verdict = (e: Entry[]) => evaluateFlows(flows, e).find((v) => v.flow.id === id)!;
    expect(verdict(entries()).ok).toBe(true);
    const blocked = verdict(entries(/^hub\/energy\/ingress-kepler-model-server/));
    expect(blocked.ok).toBe(false);
  });
});

describe('power declarations that cannot work are refused, each with its path and fix, in one run', () => {
  test('profile without watts, idle above max, profile watts on measured, estimate without weights, CPU time dropped on a profile set, measured without energy', () => {
    const s = clone(demoStack()) as any;
    s.fleet.deviceSets[0].power = { source: 'measured', profile: { idleWatts: 1, maxWatts: 2 } };
    delete s.fleet.deviceSets[1].power.initialModelURL;
    s.fleet.deviceSets[1].power.hwmonZones = ['vdd_in'];
    s.fleet.deviceSets[2].power = { source: 'profile', profile: { idleWatts: 9, maxWatts: 6 } };
    s.fleet.deviceSets[2].metrics = { allowList: ['node_memory_MemAvailable_bytes'] };
    s.fleet.defaultPower = { source: 'profile' };
    let message = '';
    try {
      synthesize(s);
    } catch (e) {
      message = String((e as Error).message);
    }
    expect(message).toContain('fleet.deviceSets[0].power.profile: is only read with source profile (this set is measured)');
    expect(message).toContain('fleet.deviceSets[1].power.initialModelURL: is required with source estimated when devices cannot reach the model server (energy.modelServer.exposure is not an ingress');
    expect(message).toContain('fleet.deviceSets[2].power.profile.idleWatts: is 9 W, above maxWatts (6 W)');
    expect(message).toContain('fleet.defaultPower.profile: is required with source profile');
    expect(message).toContain('fleet.deviceSets[1].power.hwmonZones: is only read with source measured (this set is estimated): remove it');
    expect(message).toContain('fleet.deviceSets[2].metrics.allowList: drops node_cpu_seconds_total, from which the profile power of the set is computed: add it to the list');
    const noEnergy = clone(demoStack()) as any;
    delete noEnergy.energy;
    let m2 = '';
    try {
      synthesize(noEnergy);
    } catch (e) {
      m2 = String((e as Error).message);
    }
    expect(m2).toContain('fleet.deviceSets[0].power.source: measured power needs the energy section');
  });
});
