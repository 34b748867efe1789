import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { INPUT_LIMITS, parseStack, parseStackYaml, SpecError, stackSchema } from '../../lib/internal';
import { FAST_YAML_MIN_BYTES, locateProblems } from '../../lib/spec/parse';
import { designExampleYaml, ROOT } from '../support/shared';

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.problems.map((p) => (p.location ? `${p.location}: ${p.path}: ${p.message}` : `${p.path}: ${p.message}`));
  }
  throw new Error('expected a SpecError');
}

describe('stack contract', () => {
  test('the DESIGN.md example parses, with its values kept', () => {
    const spec = parseStackYaml(designExampleYaml());
    expect(spec.name).toBe('smart-factory');
    expect(spec.clusters.map((c) => c.name)).toEqual(['hub', 'line-1']);
    expect(spec.clusters[1].platform).toBe('generic'); // default
    expect(spec.energy?.kepler.generation).toBe('classic');
    expect(spec.monitoring?.selection).toEqual({ sample: 0.25, always: { tier: 'critical' } });
    expect(spec.iomt?.pipelines[0].things.map((t) => t.kind)).toEqual(['MSensor', 'MAnalyzer', 'MActuator', 'MStorage']);
  });

  test('the bundled example is the DESIGN.md example plus the transports DESIGN.md §6 requires', () => {
    const demo = parseStackYaml(fs.readFileSync(path.join(ROOT, 'apps/demo/stack.yaml'), 'utf8')) as any;
    // Paths that leave a cluster (edge agents, devices, cross-cluster model fetch) must declare their transport.
    expect(demo.monitoring.receiver.exposure.transport).toBe('ingress');
    expect(demo.fleet.receiver.exposure).toMatchObject({ transport: 'loadBalancer', sourceCIDRs: ['10.20.0.0/24'] });
    expect(demo.fleet.edgeAPI.host).toBe('flotta.factory.example');
    expect(demo.energy.modelServer.exposure.transport).toBe('mcs');
    delete demo.monitoring.receiver;
    delete demo.fleet.receiver;
    delete demo.fleet.edgeAPI;
    delete demo.energy.modelServer.exposure;
    // The one departure from DESIGN.md's example: classic Kepler with gpu: true is refused (release-0.7.12 has no
    // NVIDIA support compiled in; test/energy/energy.test.ts), so the demo says gpu: false.
    expect(demo.energy.kepler).toMatchObject({ generation: 'classic', gpu: false });
    demo.energy.kepler.gpu = true;
    // And one device set per power source (README "Device energy"): cameras measured, gateways estimated, sensors profile.
    expect(demo.fleet.deviceSets.map((s: any) => [s.name, s.power.source])).toEqual([
      ['cameras', 'measured'],
      ['gateways', 'estimated'],
      ['sensors', 'profile'],
    ]);
    delete demo.fleet.deviceSets[0].power;
    demo.fleet.deviceSets = demo.fleet.deviceSets.slice(0, 1);
    demo.fleet.devices = demo.fleet.devices.filter((d: any) => d.set === 'cameras');
    expect(demo).toEqual(parseStackYaml(designExampleYaml()));
  });

  test('a small stack is a few lines and gets defaults', () => {
    const spec = parseStackYaml('name: lab\nclusters: [{ name: edge }]\nenergy: {}\nmonitoring: {}\ndashboards: {}\n');
    expect(spec.monitoring).toMatchObject({ mode: 'bundled', retention: '15d', storage: '50Gi', scrapeInterval: '30s' });
    expect(spec.energy?.kepler).toMatchObject({ generation: 'current', gpu: false, namespace: 'kepler' });
    expect(spec.dashboards).toMatchObject({ mode: 'bundled', adminSecret: 'grafana-admin' });
    expect(spec.clusters[0].server).toBe('https://kubernetes.default.svc');
  });

  test('fails on unknown keys, naming the closest known key and the line', () => {
    expect(problemsOf(() => parseStackYaml('name: x\nclusters:\n  - name: hub\n    serverr: https://a.example\n', { fileName: 's.yaml' }))).toEqual([
      's.yaml:4:5: clusters[0].serverr: unknown key (did you mean "server"?)',
    ]);
    // An unknown key is shown where it is written, also at the top level (not at 1:1, its mapping's start).
    expect(problemsOf(() => parseStackYaml('name: x\nclusters:\n  - name: hub\nenergy: {}\ndashbords: {}\nmonitoring:\n  retension: 5d\n', { fileName: 's.yaml' }))).toEqual([
      's.yaml:5:1: dashbords: unknown key (did you mean "dashboards"?)',
      's.yaml:7:3: monitoring.retension: unknown key (did you mean "retention"?)',
    ]);
    expect(problemsOf(() => parseStack({ name: 'x', clusters: [{ name: 'a' }], monitorng: {} }))).toEqual([
      'monitorng: unknown key (did you mean "monitoring"?)',
    ]);
  });

  test('fails on wrong types, bad enums, bad formats and missing keys, all in one report', () => {
    const text = [
      'clusters:',
      '  - name: Hub',
      '    platform: k3ss',
      'monitoring: { retention: 15x, storage: 5, selection: { sample: 2 } }',
      'iomt:',
      '  pipelines:',
      '    - name: p',
      '      things:',
      '        - { name: c, kind: MSensorr, image: "r/c:latest", port: "80", gpu: "x" }',
    ].join('\n');
    expect(problemsOf(() => parseStackYaml(text))).toEqual([
      "stack.yaml:2:11: clusters[0].name: must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
      'stack.yaml:3:15: clusters[0].platform: must be one of "k3s", "kubeadm", "openshift", "generic" (did you mean "k3s"?)',
      'stack.yaml:9:76: iomt.pipelines[0].things[0].gpu: must be a number of GPUs, or an object {count, product, resource}',
      'stack.yaml:9:45: iomt.pipelines[0].things[0].image: must not use the :latest tag: pin a version',
      'stack.yaml:9:28: iomt.pipelines[0].things[0].kind: must be one of "MSensor", "MAnalyzer", "MAnalyser", "MActuator", "MStorage" (did you mean "MSensor"?)',
      'stack.yaml:9:65: iomt.pipelines[0].things[0].port: must be a number, not a string',
      'stack.yaml:4:26: monitoring.retention: must be a Prometheus duration such as 30s, 5m or 15d',
      'stack.yaml:4:64: monitoring.selection.sample: must be at most 1 (a fraction)',
      'stack.yaml:4:40: monitoring.storage: must be a string, not an integer: put it in quotes if you meant the text',
      'stack.yaml:1:1: name: is required (a string)',
    ]);
  });

  test('refuses volume sizes of zero, in any spelling, and keeps any size above zero', () => {
    const text = [
      'name: s',
      'clusters: [{ name: hub }]',
      'monitoring: { storage: 0Gi }',
      'energy: { kepler: {}, modelServer: { storage: "+.0" } }',
      'iomt:',
      '  pipelines:',
      '    - name: p',
      '      things:',
      '        - { name: s, kind: MStorage, image: "r/s:1", port: 9000, storage: 0.000Mi }',
    ].join('\n');
    const zero = 'must be greater than zero (the API server refuses a volume claim for no storage), such as 10Gi';
    expect(problemsOf(() => parseStackYaml(text))).toEqual([
      `stack.yaml:4:47: energy.modelServer.storage: ${zero}`,
      `stack.yaml:9:75: iomt.pipelines[0].things[0].storage: ${zero}`,
      `stack.yaml:3:24: monitoring.storage: ${zero}`,
    ]);
    const sizes = parseStackYaml(text.replace('0Gi', '500Mi').replace('"+.0"', '"+.5Gi"').replace('0.000Mi', '"1e9"'));
    expect([sizes.monitoring?.storage, sizes.energy?.modelServer?.storage, sizes.iomt?.pipelines[0].things[0].storage]).toEqual(['500Mi', '+.5Gi', '1e9']);
    // A number without a unit is bytes, which no volume means: refused, naming the unit to write.
    expect(problemsOf(() => parseStackYaml(text.replace('0Gi', '"20"').replace('"+.0"', '"1Gi"').replace('0.000Mi', '1Gi')))).toEqual([
      'stack.yaml:3:24: monitoring.storage: is a number of bytes without a unit: write the unit, such as 20Gi or 500Mi',
    ]);
  });

  test('fails on an empty cluster list and on a name too long for DNS', () => {
    expect(problemsOf(() => parseStack({ name: 'a'.repeat(64), clusters: [] }))).toEqual([
      'clusters: must list at least one cluster',
      'name: must be at most 63 characters (a DNS label)',
    ]);
  });

  test('fails on a document that is not a mapping', () => {
    expect(problemsOf(() => parseStackYaml('- just\n- a list\n'))).toEqual(['stack.yaml:1:1: (stack): must be a mapping, not a list']);
  });

  test('an empty file, several documents and merge keys are problems that say what to do', () => {
    const empty = 'stack.yaml: is empty (or only comments): a stack needs at least name and clusters; `edgewatt schema` prints the whole contract';
    expect(problemsOf(() => parseStackYaml(''))).toEqual([empty]);
    expect(problemsOf(() => parseStackYaml('# nothing yet\n'))).toEqual([empty]);
    // Before: "Source contains multiple documents; please use YAML.parseAllDocuments()", the reader's own advice.
    expect(problemsOf(() => parseStackYaml('name: a\nclusters: [{ name: e }]\n---\nname: b\n'))).toEqual([
      'stack.yaml:3:1: holds more than one YAML document (a --- line after the first): a stack is one document; remove the --- or split the file',
    ]);
    expect(problemsOf(() => parseStackYaml('name: a\nclusters:\n  - <<: { name: e }\n'))).toContain(
      'stack.yaml:3:5: clusters[0].<<: unknown key: YAML merge keys (<<) are not read; write the keys out',
    );
  });

  test('locateProblems gives a problem without a location the line of its field, or of the nearest key above it', () => {
    const text = 'name: lab\nclusters: [{ name: edge }]\nmonitoring:\n  cluster: nowhere\n';
    const found = locateProblems(text, 's.yaml', [
      { path: 'monitoring.cluster', message: 'm' },
      { path: 'monitoring.receiver', message: 'missing' }, // not in the file: where the monitoring mapping starts
      { path: 'clusters[0].name', message: 'n', location: 'kept' },
      { path: '/tmp/out/dist', message: 'a folder, not a field' },
    ]);
    expect(found.map((p) => p.location)).toEqual(['s.yaml:4:12', 's.yaml:4:3', 'kept', undefined]);
    // A large fleet's file is left as it is: the reader that knows lines would take seconds there.
    const large = `${text}# ${'x'.repeat(FAST_YAML_MIN_BYTES)}\n`;
    expect(locateProblems(large, 's.yaml', [{ path: 'monitoring.cluster', message: 'm' }])[0].location).toBeUndefined();
  });

  test('fails on duplicate keys with the line and the key', () => {
    expect(problemsOf(() => parseStackYaml('name: x\nname: y\nclusters: [{ name: a }]\n'))).toEqual([
      'stack.yaml:2:1: Map keys must be unique (name is given twice): each key may appear once in a mapping',
    ]);
    // Quoted, in a flow mapping, and nested in a list item.
    expect(problemsOf(() => parseStackYaml('name: x\nclusters:\n  - name: a\n    "server": s\n    server: t\n'))).toEqual([
      'stack.yaml:5:5: Map keys must be unique (server is given twice): each key may appear once in a mapping',
    ]);
    expect(problemsOf(() => parseStackYaml('name: x\nclusters: [{ name: a, "name": b }]\n'))).toEqual([
      'stack.yaml:2:23: Map keys must be unique ("name" is given twice): each key may appear once in a mapping',
    ]);
  });

  test('fails on an alias bomb before expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) {
      bomb.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    expect(problemsOf(() => parseStackYaml(bomb.join('\n')))).toEqual([
      'stack.yaml: Excessive alias count indicates a resource exhaustion attack: expand the aliases or write the values out',
    ]);
  });

  test('fails on a file over the size limit without parsing it', () => {
    const big = `name: x\n#${'x'.repeat(INPUT_LIMITS.maxBytes)}\n`;
    expect(problemsOf(() => parseStackYaml(big))).toEqual([
      `stack.yaml: is ${INPUT_LIMITS.maxBytes + 10} bytes, over the limit of ${INPUT_LIMITS.maxBytes}: split the stack or generate it as TypeScript props`,
    ]);
  });

  test('accepts the MAnalyser spelling and GPU objects', () => {
    const spec = parseStack({
      name: 'x',
      clusters: [{ name: 'a' }],
      iomt: { pipelines: [{ name: 'p', things: [{ name: 't', kind: 'MAnalyser', image: 'r/t:1', port: 1, gpu: { product: 'Tesla-T4' } }] }] },
    });
    expect(spec.iomt?.pipelines[0].things[0].gpu).toEqual({ count: 1, product: 'Tesla-T4', resource: 'nvidia.com/gpu' });
  });

  test('the committed JSON Schema is the one zod exports', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/stack.schema.json'), 'utf8'));
    const { stackJsonSchema } = jest.requireActual('../../lib/spec/json-schema') as typeof import('../../lib/spec/json-schema');
    expect(committed).toEqual(stackJsonSchema());
    expect(committed.additionalProperties).toBe(false);
    expect(Object.keys(committed.properties)).toEqual(expect.arrayContaining(Object.keys(stackSchema.shape)));
  });

  test('the demo parses as plain YAML data too (no edgewatt-only syntax)', () => {
    const data = parse(fs.readFileSync(path.join(ROOT, 'apps/demo/stack.yaml'), 'utf8'));
    expect(() => parseStack(data)).not.toThrow();
  });
});
