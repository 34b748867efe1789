import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { CLUSTER_SCOPED_KINDS, GENERATED_PREFIX, synthesize, ValidationError } from '../../lib';
import { clone, demoStack, smallStack } from '../support/stacks';

describe('synthesize', () => {
  test('lays out dist/<cluster>/<component>/<kind>-<name>.yaml, each file with the header', () => {
    const { files } = synthesize(demoStack());
    expect([...files.keys()].filter((f) => f.includes('/platform/'))).toEqual([
      'hub/platform/namespace-dashboards.yaml',
      'hub/platform/namespace-energy.yaml',
      'hub/platform/namespace-fleet.yaml',
      'hub/platform/namespace-kepler.yaml',
      'hub/platform/namespace-monitoring.yaml',
      'line-1/platform/namespace-iomt-object-detection.yaml',
      'line-1/platform/namespace-kepler.yaml',
    ]);
    expect([...files.keys()]).toEqual([...files.keys()].sort());
    expect(new Set([...files.keys()].map((f) => f.split('/').slice(0, 2).join('/')))).toEqual(
      new Set(['hub/platform', 'hub/energy', 'line-1/platform', 'line-1/energy']),
    );
    for (const content of files.values()) {
      expect(content.startsWith(`${GENERATED_PREFIX} from stack "smart-factory". Do not edit`)).toBe(true);
    }
  });

  test('namespaces carry Pod Security levels and the stack label; the exporter exception has its reason', () => {
    const { files } = synthesize(demoStack());
    const restricted = parse(files.get('hub/platform/namespace-monitoring.yaml')!);
    expect(restricted.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'app.kubernetes.io/part-of': 'smart-factory',
    });
    expect(restricted.metadata.annotations).toBeUndefined();
    const kepler = parse(files.get('line-1/platform/namespace-kepler.yaml')!);
    expect(kepler.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(kepler.metadata.annotations['edgewatt.io/pod-security-exception']).toMatch(/hostPID/);
  });

  test('cluster-scoped objects carry no namespace; keys are sorted at every level', () => {
    const { manifests, files } = synthesize(demoStack());
    for (const o of manifests.flatMap((m) => m.objects)) {
      if (CLUSTER_SCOPED_KINDS.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
    }
    const checkSorted = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(checkSorted);
      else if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        expect(keys).toEqual([...keys].sort());
        Object.values(v).forEach(checkSorted);
      }
    };
    for (const content of files.values()) checkSorted(parse(content));
  });

  test('two synths give byte-identical output', () => {
    const a = synthesize(demoStack()).files;
    const b = synthesize(demoStack()).files;
    expect([...b]).toEqual([...a]);
  });

  test('shuffling unordered lists (clusters, devices, things, links, pipelines) gives the same output', () => {
    const base = synthesize(demoStack()).files;
    const s = clone(demoStack()) as any;
    s.clusters.reverse();
    s.fleet.devices.push({ name: 'cam-02', set: 'cameras', address: '10.20.0.12' });
    s.fleet.devices.reverse();
    s.iomt.pipelines[0].things.reverse();
    s.iomt.pipelines[0].links.reverse();
    const withDevice = clone(demoStack()) as any;
    withDevice.fleet.devices.push({ name: 'cam-02', set: 'cameras', address: '10.20.0.12' });
    expect([...synthesize(s).files]).toEqual([...synthesize(withDevice).files]);
    expect(synthesize(withDevice).files.size).toBe(base.size);
  });

  test('a small one-cluster stack synthesizes without placement keys', () => {
    const { files } = synthesize(smallStack());
    expect([...files.keys()].filter((f) => f.includes('/platform/'))).toEqual([
      'edge/platform/namespace-dashboards.yaml',
      'edge/platform/namespace-kepler.yaml',
      'edge/platform/namespace-monitoring.yaml',
    ]);
  });

  test('fails when a check reports a problem, naming the file', () => {
    expect(() =>
      synthesize(demoStack(), { checks: [(ms) => [{ path: `${ms[0].cluster}/${ms[0].component}`, message: 'is broken' }]] }),
    ).toThrow(new ValidationError([{ path: 'hub/platform', message: 'is broken' }]));
  });

  test('the demo example file is what the README and npm run synth use', () => {
    expect(fs.existsSync(path.join(__dirname, '../../apps/demo/stack.yaml'))).toBe(true);
  });
});
