import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { SpecError, synthesize, synthToDir } from '../../lib/internal';
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
  })
  .map((r) => {
    const s: Record<string, unknown> = { name: r.name, clusters: r.clusters.map((name) => ({ name })) };
    const hub = r.clusters[0];
    if (r.gitops) s.gitops = { repoURL: 'https://git.example.com/fuzz.git' };
    if (r.energy) s.energy = { kepler: { generation: r.energy.generation, gpu: r.energy.gpu, processMetrics: r.energy.processMetrics } };
    if (r.monitoring) s.monitoring = { cluster: hub, mode: r.monitoring.mode, ...(r.monitoring.sample ? { selection: { sample: r.monitoring.sample } } : {}) };
    if (r.dashboards) s.dashboards = { cluster: hub, mode: r.dashboards };
    if (r.devices.length) s.fleet = { cluster: hub, devices: r.devices.map((name) => ({ name, address: '10.0.0.1' })) };
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
});
