import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { parseStack, SpecError, synthesize, synthToDir } from '../../lib/internal';
import { labelValueProblem } from '../../lib/core/k8s-rules';
import { referenceSchemas } from '../support/synth';
import { snapshot, tmpDir } from '../support/tmp';

/** Runs per property: a few hundred in `npm test`, thousands with `npm run fuzz` (EDGEWATT_FUZZ_RUNS). */
const RUNS = Number(process.env.EDGEWATT_FUZZ_RUNS ?? 150);

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const image = fc.constantFrom('registry.example/a:1.0.0', 'registry.example/b:2.1.3');

/** Stacks built from the contract: every section optional, lists of varied length, references that may dangle. */
const stackArb = fc
  .record({
    name: label,
    clusters: fc.uniqueArray(label, { minLength: 1, maxLength: 3 }),
    energy: fc.option(fc.record({ generation: fc.constantFrom('classic', 'current'), gpu: fc.boolean(), processMetrics: fc.boolean() }), { nil: undefined }),
    monitoring: fc.option(fc.record({ mode: fc.constantFrom('bundled', 'prometheus-operator'), sample: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: undefined }) }), { nil: undefined }),
    dashboards: fc.option(fc.constantFrom('bundled', 'sidecar'), { nil: undefined }),
    devices: fc.uniqueArray(label, { maxLength: 4 }),
    things: fc.uniqueArray(fc.record({ name: label, kind: fc.constantFrom('MSensor', 'MAnalyzer', 'MActuator', 'MStorage'), port: fc.integer({ min: 1, max: 65535 }), image }), { maxLength: 4, selector: (t) => t.name }),
    links: fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 4 }),
    gitops: fc.boolean(),
    transport: fc.constantFrom('mcs', 'ingress', 'loadBalancer'),
  })
  .map((r) => {
    const s: Record<string, unknown> = { name: r.name, clusters: r.clusters.map((name) => ({ name })) };
    const hub = r.clusters[0];
    if (r.gitops) s.gitops = { repoURL: 'https://git.example.com/fuzz.git' };
    // GPU power is the current generation's only (energy.kepler.gpu is refused with classic).
    if (r.energy) s.energy = { kepler: { generation: r.energy.generation, gpu: r.energy.gpu && r.energy.generation === 'current', processMetrics: r.energy.processMetrics } };
    // Every path that leaves a cluster declares its transport (DESIGN.md §6); the generator varies it.
    const exposure =
      r.transport === 'mcs'
        ? { transport: 'mcs', remotePodCIDRs: ['10.52.0.0/16'] }
        : r.transport === 'ingress'
          ? { transport: 'ingress', host: 'metrics.fuzz.example', tlsSecret: 'metrics-tls' }
          : { transport: 'loadBalancer', host: 'metrics.fuzz.example', tlsSecret: 'metrics-tls', sourceCIDRs: ['192.168.0.0/16'] };
    const receiver = { exposure, auth: { webConfigSecret: 'prometheus-web', passwordSecret: { name: 'remote-write' } } };
    if (r.monitoring) {
      s.monitoring = {
        cluster: hub,
        mode: r.monitoring.mode,
        ...(r.monitoring.mode === 'bundled' ? { receiver } : {}),
        ...(r.monitoring.sample ? { selection: { sample: r.monitoring.sample } } : {}),
        // Operator mode with devices needs the install's receiver (monitoring.operator.receiverURL).
        ...(r.monitoring.mode === 'prometheus-operator' && r.devices.length ? { operator: { receiverURL: 'https://prometheus.fuzz.example/api/v1/write' } } : {}),
      };
    }
    if (r.dashboards) s.dashboards = { cluster: hub, mode: r.dashboards };
    if (r.devices.length) {
      s.fleet = {
        cluster: hub,
        devices: r.devices.map((name) => ({ name, address: '10.0.0.1' })),
        // An Ingress for the devices' unauthenticated writes only on the stack's say-so (fleet.receiver.unauthenticatedIngress).
        receiver: r.transport === 'mcs' ? { exposure: { transport: 'ingress', host: 'devices.fuzz.example', tlsSecret: 'devices-tls' }, unauthenticatedIngress: true } : { exposure, ...(r.transport === 'ingress' ? { unauthenticatedIngress: true } : {}) },
        edgeAPI: { host: 'flotta.fuzz.example', sourceCIDRs: ['192.168.0.0/16'] },
      };
    }
    if (r.things.length) {
      const names = r.things.map((t) => t.name);
      s.iomt = { pipelines: [{ name: 'p', cluster: hub, things: r.things, links: r.links.map(([a, b]) => ({ from: names[a % names.length], to: names[b % names.length] })) }] };
    }
    return s;
  });

/** Breaks a stack: a wrong type, a missing required key, unicode, a name too long for DNS, a huge list. */
function mutate(s: any, how: number, where: number): any {
  const c = JSON.parse(JSON.stringify(s));
  switch (how % 7) {
    case 0:
      c.clusters[where % c.clusters.length].name = 42;
      break;
    case 1:
      delete c.name;
      break;
    case 2:
      c.name = 'élan-ünïcode-☃';
      break;
    case 3:
      c.clusters.push({ name: 'x'.repeat(64) });
      break;
    case 4:
      c.clusters = [];
      break;
    case 5:
      c.monitoring = { cluster: 'no-such-cluster' };
      break;
    default:
      c.fleet = { devices: Array.from({ length: 3 }, () => ({ name: 'same' })) };
  }
  return c;
}

/** The property: output that passes every gate, or a SpecError naming field paths. Never anything else. */
function outcome(stack: unknown): 'ok' | 'spec' {
  try {
    synthesize(stack as never, { validation: { schemas: referenceSchemas() } });
    return 'ok';
  } catch (e) {
    if (!(e instanceof SpecError)) throw e; // a ValidationError would mean edgewatt wrote output that fails its own gates
    for (const p of e.problems) expect(p.path.length > 0 && p.message.length > 0).toBe(true);
    return 'spec';
  }
}

describe('fuzzed stacks', () => {
  test('valid stacks synthesize output that passes every gate, or fail with field paths', () => {
    const seen = { ok: 0, spec: 0 };
    fc.assert(
      fc.property(stackArb, (s) => {
        seen[outcome(s)]++;
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
    expect(seen.ok).toBeGreaterThan(RUNS / 4); // most generated stacks are valid: the property is not vacuous
  });

  test('mutated stacks fail with a SpecError naming a field path, never an uncaught error', () => {
    fc.assert(
      fc.property(stackArb, fc.nat(), fc.nat(), (s, how, where) => {
        expect(outcome(mutate(s, how, where))).toBe('spec');
      }),
      { numRuns: RUNS, seed: 20261124 },
    );
  });

  test('a failed synth never leaves a partial dist', () => {
    const dir = path.join(tmpDir(), 'dist');
    fc.assert(
      fc.property(stackArb, fc.nat(), fc.nat(), (s, how, where) => {
        if (!fs.existsSync(dir)) synthToDir({ name: 'base', clusters: [{ name: 'a' }], monitoring: {} } as never, dir);
        const before = snapshot(dir);
        expect(() => synthToDir(mutate(s, how, where), dir)).toThrow(SpecError);
        expect(snapshot(dir)).toEqual(before);
      }),
      { numRuns: Math.min(RUNS, 50), seed: 20261125 },
    );
  });

  test('stacks with long generated names (pipelines and things up to 63 characters) never produce an invalid label', () => {
    const longLabel = fc.integer({ min: 40, max: 63 }).chain((n) => fc.stringMatching(new RegExp(`^[a-z][a-z0-9-]{${n - 2}}[a-z0-9]$`)));
    let ok = 0;
    fc.assert(
      fc.property(longLabel, fc.uniqueArray(longLabel, { minLength: 1, maxLength: 3 }), (pipeline, things) => {
        const stack = {
          name: 'lab',
          clusters: [{ name: 'edge' }],
          iomt: { pipelines: [{ name: pipeline, namespace: 'iomt-fuzz', things: things.map((name, i) => ({ name, kind: 'MAnalyzer', port: 8000 + i, image: 'registry.example/a:1.0.0' })), links: things.slice(1).map((to, i) => ({ from: things[i], to })) }] },
        };
        let r;
        try {
          r = synthesize(stack as never); // every gate runs, the naming gate among them
        } catch (e) {
          if (!(e instanceof SpecError)) throw e;
          return;
        }
        ok++;
        for (const m of r.manifests) {
          for (const o of m.objects) {
            const labels = [o.metadata.labels ?? {}, (o as any).spec?.template?.metadata?.labels ?? {}, (o as any).spec?.selector?.matchLabels ?? {}];
            for (const l of labels) for (const v of Object.values(l)) expect([v, labelValueProblem(v)]).toEqual([v, undefined]);
          }
        }
      }),
      { numRuns: Math.min(RUNS, 40), seed: 20261201 },
    );
    expect(ok).toBeGreaterThan(0);
  });

  test('no URL with user information passes the stack check, in any URL field', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=-]{1,20}$/);
    const fields: Array<[string, (s: any, url: string) => void]> = [
      ['gitops.repoURL', (s, u) => (s.gitops = { repoURL: `${u}git.example.com/org/fleet.git` })],
      ['clusters[0].server', (s, u) => (s.clusters[0].server = `${u}10.0.0.1:6443`)],
      ['monitoring.runbookBaseURL', (s, u) => (s.monitoring = { runbookBaseURL: `${u}wiki.example.com/rb` })],
      ['energy.modelServer.initialModelURLs[0]', (s, u) => (s.energy = { modelServer: { initialModelURLs: [`${u}models.example.com/m.zip`] } })],
    ];
    fc.assert(
      fc.property(fc.constantFrom('http', 'https'), part, fc.option(part, { nil: undefined }), fc.nat(fields.length - 1), (scheme, user, password, which) => {
        const s: any = { name: 'lab', clusters: [{ name: 'edge' }] };
        const [field, set] = fields[which];
        set(s, `${scheme}://${user}${password === undefined ? '' : `:${password}`}@`);
        let problems: string[] = [];
        try {
          parseStack(s);
        } catch (e) {
          if (!(e instanceof SpecError)) throw e;
          problems = e.problems.map((p) => p.path);
        }
        expect(problems).toContain(field);
      }),
      { numRuns: RUNS, seed: 20261202 },
    );
  });
});
