/**
 * Flow verdicts taken from the last evaluation in a process (lib/validate/flows/reuse.ts): a flow whose clusters hold
 * the same frozen objects under the same files gets its verdict again; a flow that reads a changed cluster is checked
 * again, so a break is found as on a first evaluation. The reference is the same objects thawed (deep copies, not
 * frozen), which nothing is kept for.
 */
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { deepFreeze } from '../../lib/core/freeze';
import { Flow } from '../../lib/core/flows';
import { synthesize } from '../../lib/internal';
import { ClusterObjects, Entry, evaluateFlows, flowReuseStats, forgetFlowVerdicts, FlowVerdict } from '../../lib/validate';
import { withoutFlowReuse } from '../../lib/validate/flows/reuse';
import { FLOWS_CACHE_FILE, forgetKnownFlowFiles, openFlowVerdictFile, StoredVerdict } from '../../lib/validate/flows/store';
import { writeCacheLines } from '../../lib/validate/cache';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { tmpDir } from '../support/tmp';
import { demoStack } from '../support/stacks';

const result = synthesize(demoStack());
const FLOWS: Flow[] = JSON.parse(result.files.get('FLOWS.json')!).flows;

/** The demo output as entries whose objects are frozen, as a synth's reused objects are. */
const TREE: ReadonlyArray<Entry> = [...result.files]
  .filter(([file]) => file.endsWith('.yaml'))
  .map(([file, text]) => ({ file: `dist/${file}`, cluster: file.split('/')[0], object: deepFreeze(parse(text)) }));

/** The entries with thawed deep copies of their objects: never kept, so every flow is checked from nothing. */
const thawed = (es: ReadonlyArray<Entry>): Entry[] => es.map((e) => ({ ...e, object: structuredClone(e.object) as Entry['object'] }));

/** A verdict as data (the flow by id). */
const shown = (vs: FlowVerdict[]) => vs.map((v) => ({ flow: v.flow.id, ok: v.ok, findings: [...v.findings] }));

/** The entries with the object of `file` replaced by a frozen copy changed by `edit`. */
function edited(es: ReadonlyArray<Entry>, file: string, edit: (o: any) => void): Entry[] {
  if (!es.some((e) => e.file === file)) throw new Error(`no ${file}`);
  return es.map((e) => {
    if (e.file !== file) return e;
    const o = structuredClone(e.object) as any;
    edit(o);
    return { ...e, object: deepFreeze(o) };
  });
}

const IOMT = 'iomt-link:line-1/iomt-object-detection/monitoring->line-1/iomt-object-detection/object-detect';
const NETPOL = 'dist/line-1/iomt/networkpolicy-object-detect.yaml';
/** The flows that read cluster line-1 (evaluated with a thawed tree, where the reads are the flow's own). */
const readsLine1 = FLOWS.filter((f) => JSON.stringify(f).includes('"line-1"'));

beforeEach(() => forgetFlowVerdicts());

test('the same frozen objects a second time: every verdict is the first one, and equal to a check from nothing', () => {
  const first = evaluateFlows(FLOWS, TREE);
  expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
  const second = evaluateFlows(FLOWS, TREE);
  expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
  expect(shown(second)).toEqual(shown(first));
  expect(shown(second)).toEqual(shown(evaluateFlows(FLOWS, thawed(TREE))));
  expect(second.every((v) => v.ok)).toBe(true);
});

test('an object changed in one cluster: the flows that read that cluster are checked again and the break is found', () => {
  evaluateFlows(FLOWS, TREE);
  const broken = edited(TREE, NETPOL, (o) => (o.spec.ingress = []));
  const verdicts = evaluateFlows(FLOWS, broken);
  const stats = flowReuseStats();
  expect(stats.evaluated).toBeGreaterThan(0);
  expect(stats.evaluated).toBeLessThanOrEqual(readsLine1.length);
  expect(stats.reused).toBe(FLOWS.length - stats.evaluated);
  const blocked = verdicts.find((v) => v.flow.id === IOMT)!;
  expect(blocked.ok).toBe(false);
  expect(blocked.findings.map((f) => f.file)).toContain(NETPOL);
  expect(shown(verdicts)).toEqual(shown(evaluateFlows(FLOWS, thawed(broken))));
  // Back to the first objects: the flow passes again.
  expect(evaluateFlows(FLOWS, TREE).find((v) => v.flow.id === IOMT)!.ok).toBe(true);
});

/** The verdicts of a check from nothing (thawed objects), which leaves what the last evaluation kept as it was. */
const reference = (es: ReadonlyArray<Entry>): FlowVerdict[] => withoutFlowReuse(() => evaluateFlows(FLOWS, thawed(es)));

const REQUEST = 'dist/hub/fleet/edgedevicesignedrequest-cam-01.yaml';
const PROMETHEUS_SERVICE = 'dist/hub/monitoring/service-prometheus.yaml';
const readsHub = FLOWS.filter((f) => JSON.stringify(f).includes('"hub"'));

/** The hub's workloads of each kind in the same order, but the StatefulSets before the other kinds' (pod templates reordered). */
const hubWorkloadsReordered = (es: ReadonlyArray<Entry>): Entry[] => {
  const hub = es.filter((e) => e.cluster === 'hub');
  const sets = hub.filter((e) => e.object.kind === 'StatefulSet');
  return [...es.filter((e) => e.cluster !== 'hub'), ...sets, ...hub.filter((e) => e.object.kind !== 'StatefulSet')];
};

test('a changed cluster whose changed objects are of a kind no flow reads (a registration request): every verdict is reused and right', () => {
  evaluateFlows(FLOWS, TREE);
  const changed = edited(TREE, REQUEST, (o) => (o.metadata.labels = { ...o.metadata.labels, moved: 'yes' }));
  const verdicts = evaluateFlows(FLOWS, changed);
  expect(readsHub.length).toBeGreaterThan(0);
  expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
  expect(shown(verdicts)).toEqual(shown(reference(changed)));
  // Kept with the new cluster: the same tree again reuses every verdict, and a read part changed after it is caught.
  evaluateFlows(FLOWS, changed);
  expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
  const broken = edited(changed, PROMETHEUS_SERVICE, (o) => (o.spec.ports[0].targetPort = 9));
  const after = evaluateFlows(FLOWS, broken);
  expect(flowReuseStats().evaluated).toBeGreaterThan(0);
  expect(after.some((v) => !v.ok && v.findings.some((f) => f.file === PROMETHEUS_SERVICE))).toBe(true);
  expect(shown(after)).toEqual(shown(reference(broken)));
});

test('a Service several flows look up by name changed after its index was built: each flow that looked it up is checked again', () => {
  evaluateFlows(FLOWS, TREE);
  const broken = edited(TREE, PROMETHEUS_SERVICE, (o) => (o.spec.ports[0].targetPort = 9));
  const verdicts = evaluateFlows(FLOWS, broken);
  const failing = verdicts.filter((v) => v.findings.some((f) => f.file === PROMETHEUS_SERVICE));
  // More than one flow reaches that Service: the second one found the by-name index built by the first.
  expect(failing.length).toBeGreaterThan(1);
  expect(shown(verdicts)).toEqual(shown(reference(broken)));
});

test('the pod templates reordered across kinds (each kind in its order) or a Namespace changed: the flows that read them are checked again', () => {
  evaluateFlows(FLOWS, TREE);
  const reordered = hubWorkloadsReordered(TREE);
  const moved = evaluateFlows(FLOWS, reordered);
  expect(flowReuseStats().evaluated).toBeGreaterThan(0);
  expect(shown(moved)).toEqual(shown(reference(reordered)));
  evaluateFlows(FLOWS, TREE);
  const labelled = edited(TREE, 'dist/hub/platform/namespace-monitoring.yaml', (o) => (o.metadata.labels = { ...o.metadata.labels, zone: 'b' }));
  const verdicts = evaluateFlows(FLOWS, labelled);
  expect(flowReuseStats().evaluated).toBeGreaterThan(0);
  expect(shown(verdicts)).toEqual(shown(reference(labelled)));
});

test('a cluster gone and back: the flows that read it are checked again each time', () => {
  evaluateFlows(FLOWS, TREE);
  const gone = TREE.filter((e) => e.cluster !== 'line-1');
  const without = evaluateFlows(FLOWS, gone);
  expect(flowReuseStats().evaluated).toBe(readsLine1.length);
  expect(without.filter((v) => !v.ok).length).toBeGreaterThan(0);
  const back = evaluateFlows(FLOWS, TREE);
  expect(flowReuseStats().evaluated).toBe(readsLine1.length);
  expect(back.every((v) => v.ok)).toBe(true);
});

test('the same object under another file name is checked again, and a finding names the new file', () => {
  const broken = edited(TREE, NETPOL, (o) => (o.spec.ingress = []));
  evaluateFlows(FLOWS, broken);
  const moved = broken.map((e) => (e.file === NETPOL ? { ...e, file: 'dist/line-1/iomt/networkpolicy-moved.yaml' } : e));
  const verdicts = evaluateFlows(FLOWS, moved);
  expect(flowReuseStats().evaluated).toBeGreaterThan(0);
  expect(verdicts.find((v) => v.flow.id === IOMT)!.findings.map((f) => f.file)).toContain('dist/line-1/iomt/networkpolicy-moved.yaml');
});

test('a reference evaluation (withoutFlowReuse) checks every flow, and the next evaluation still meets what the one before kept', () => {
  evaluateFlows(FLOWS, TREE);
  withoutFlowReuse(() => evaluateFlows(FLOWS, TREE));
  expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
  evaluateFlows(FLOWS, TREE);
  expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
});

test('objects that are not frozen: nothing is kept, every flow is checked each time', () => {
  const es = thawed(TREE);
  evaluateFlows(FLOWS, es);
  evaluateFlows(FLOWS, es);
  expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
});

/** Edits, deletions and moves of a tree, for the property tests. */
type Step = (es: Entry[]) => Entry[];
const steps: Record<string, Step> = {
  original: () => [...TREE],
  'line-1 policy broken': (es) => (es.some((e) => e.file === NETPOL) ? edited(es, NETPOL, (o) => (o.spec.ingress = [])) : es),
  'hub Kepler Service port changed': (es) => edited(es, 'dist/hub/energy/service-kepler-exporter.yaml', (o) => (o.spec.ports[0].targetPort = 9)),
  'same content, new identity': (es) => es.map((e) => (e.cluster === 'line-1' ? { ...e, object: deepFreeze(structuredClone(e.object)) } : e)),
  'line-1 Service deleted': (es) => es.filter((e) => e.file !== 'dist/line-1/iomt/service-object-detect.yaml'),
  'line-1 entries reversed': (es) => [...es.filter((e) => e.cluster !== 'line-1'), ...es.filter((e) => e.cluster === 'line-1').reverse()],
  'a file renamed': (es) => es.map((e) => (e.file === NETPOL ? { ...e, file: `${NETPOL}.moved.yaml` } : e)),
  'hub registration request changed': (es) => edited(es, REQUEST, (o) => (o.spec = { ...o.spec, targetSet: 'other' })),
  'hub workloads reordered across kinds': (es) => hubWorkloadsReordered(es),
  'hub namespace deleted': (es) => es.filter((e) => e.file !== 'dist/hub/platform/namespace-kepler.yaml'),
  'line-1 removed': (es) => es.filter((e) => e.cluster !== 'line-1'),
};

test('any sequence of edits, deletions and moves gives the verdicts of a check from nothing', () => {
  let reused = 0;
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...Object.keys(steps)), { minLength: 1, maxLength: 6 }), (names) => {
      const trees: Entry[][] = [];
      let es = [...TREE];
      for (const name of names) trees.push((es = steps[name](es)));
      // The references first: a thawed check keeps nothing, and so ends what the last evaluation kept.
      const references = trees.map((t) => shown(evaluateFlows(FLOWS, thawed(t))));
      forgetFlowVerdicts();
      evaluateFlows(FLOWS, TREE);
      trees.forEach((t, i) => {
        expect({ step: names[i], verdicts: shown(evaluateFlows(FLOWS, t)) }).toEqual({ step: names[i], verdicts: references[i] });
        reused += flowReuseStats().reused;
      });
    }),
    { numRuns: 60 },
  );
  expect(reused).toBeGreaterThan(0);
});

describe('verdicts kept on disk (flows.json), for a process of its own', () => {
  /** The store of folder `dir` as a new process opens it (nothing kept in memory). */
  const opened = (dir: string, key = 'k') => {
    forgetFlowVerdicts();
    forgetKnownFlowFiles();
    return openFlowVerdictFile(dir, key, writeCacheLines);
  };
  /**
   * The entries with frozen copies of their objects made in this realm (structuredClone's objects have another
   * realm's Object.prototype under jest, which objectDigest makes unique): the same content, new identity, as a new
   * process builds them (a synth's objects are frozen).
   */
  const copied = (es: ReadonlyArray<Entry>): Entry[] => es.map((e) => ({ ...e, object: deepFreeze(JSON.parse(JSON.stringify(e.object))) as Entry['object'] }));
  /** A folder whose store holds the verdicts of `es`. */
  const storedAfter = (es: ReadonlyArray<Entry>): string => {
    const dir = tmpDir();
    const store = opened(dir);
    evaluateFlows(FLOWS, es, 'dist', store);
    store.save();
    return dir;
  };

  test('the same content in a new process (new frozen objects): every verdict from the file, equal to a check from nothing; nothing written again', () => {
    const dir = storedAfter(TREE);
    const file = path.join(dir, FLOWS_CACHE_FILE);
    const before = fs.statSync(file);
    const store = opened(dir);
    const verdicts = evaluateFlows(FLOWS, copied(TREE), 'dist', store);
    expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
    expect(shown(verdicts)).toEqual(shown(reference(TREE)));
    store.save();
    expect(fs.statSync(file).ino).toBe(before.ino);
    // A synth after it in the same process takes the verdicts it kept in memory (new objects of the same reads for
    // the store): the file is not written either.
    const frozen = opened(dir);
    evaluateFlows(FLOWS, TREE, 'dist', frozen);
    frozen.save();
    const again = openFlowVerdictFile(dir, 'k', writeCacheLines);
    evaluateFlows(FLOWS, TREE, 'dist', again);
    expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
    again.save();
    expect(fs.statSync(file).ino).toBe(before.ino);
    // Under another output root or another key, nothing is taken.
    evaluateFlows(FLOWS, copied(TREE), 'out', opened(dir));
    expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
    evaluateFlows(FLOWS, copied(TREE), 'dist', opened(dir, 'other'));
    expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
  });

  test('a part a flow read changed, or moved to another file: those flows are checked again and the break is found where it is', () => {
    const dir = storedAfter(TREE);
    // Copied, so that the changed object too has a digest of its content (see copied).
    const broken = copied(edited(TREE, NETPOL, (o) => (o.spec.ingress = [])));
    const verdicts = evaluateFlows(FLOWS, copied(broken), 'dist', opened(dir));
    const stats = flowReuseStats();
    expect(stats.evaluated).toBeGreaterThan(0);
    expect(stats.evaluated).toBeLessThanOrEqual(readsLine1.length);
    expect(verdicts.find((v) => v.flow.id === IOMT)!.findings.map((f) => f.file)).toContain(NETPOL);
    expect(shown(verdicts)).toEqual(shown(reference(broken)));
    const moved = broken.map((e) => (e.file === NETPOL ? { ...e, file: 'dist/line-1/iomt/networkpolicy-moved.yaml' } : e));
    const brokenDir = storedAfter(broken);
    const after = evaluateFlows(FLOWS, copied(moved), 'dist', opened(brokenDir));
    expect(flowReuseStats().evaluated).toBeGreaterThan(0);
    expect(after.find((v) => v.flow.id === IOMT)!.findings.map((f) => f.file)).toContain('dist/line-1/iomt/networkpolicy-moved.yaml');
  });

  test('verdicts changed in the process that wrote the file (its verdicts and lines known): it is written as a process from nothing writes it', () => {
    const dir = storedAfter(TREE);
    const broken = copied(edited(TREE, NETPOL, (o) => (o.spec.ingress = [])));
    // Opened as this process knows it (it wrote it): its verdicts and lines from memory.
    const store = openFlowVerdictFile(dir, 'k', writeCacheLines);
    evaluateFlows(FLOWS, broken, 'dist', store);
    expect(flowReuseStats().reused).toBeGreaterThan(0);
    store.save();
    const written = fs.readFileSync(path.join(dir, FLOWS_CACHE_FILE), 'utf8');
    expect(written).toBe(fs.readFileSync(path.join(storedAfter(broken), FLOWS_CACHE_FILE), 'utf8'));
    expect(written).not.toBe(fs.readFileSync(path.join(storedAfter(TREE), FLOWS_CACHE_FILE), 'utf8'));
  });

  test('a verdict reused with the same clusters is put in the store as the same object; one whose clusters changed, as a new one equal to a check from nothing', () => {
    const puts: Array<ReadonlyMap<string, StoredVerdict>> = [];
    const spy = { get: () => undefined, put: (_root: string, v: ReadonlyMap<string, StoredVerdict>) => void puts.push(v) };
    evaluateFlows(FLOWS, TREE, 'dist', spy);
    evaluateFlows(FLOWS, TREE, 'dist', spy);
    const broken = edited(TREE, NETPOL, (o) => (o.spec.ingress = []));
    evaluateFlows(FLOWS, broken, 'dist', spy);
    const [first, second, third] = puts;
    expect([...second.keys()]).toEqual([...first.keys()]);
    expect([...second].every(([k, v]) => first.get(k) === v)).toBe(true);
    const renewed = [...third].filter(([k, v]) => second.get(k) !== v).map(([k]) => k);
    expect(renewed.length).toBeGreaterThan(0);
    expect(renewed.length).toBeLessThan(FLOWS.length);
    // What the store gets is what a store given the broken tree from nothing gets.
    const fresh: Array<ReadonlyMap<string, StoredVerdict>> = [];
    forgetFlowVerdicts();
    evaluateFlows(FLOWS, broken, 'dist', { get: () => undefined, put: (_root, v) => void fresh.push(v) });
    expect(JSON.stringify([...third])).toBe(JSON.stringify([...fresh[0]]));
  });

  test('objects that are not frozen get no verdict from the file (a digest is kept per object: one changed in place would keep it)', () => {
    const dir = storedAfter(TREE);
    const thawedCopies = copied(TREE).map((e) => ({ ...e, object: JSON.parse(JSON.stringify(e.object)) as Entry['object'] }));
    evaluateFlows(FLOWS, thawedCopies, 'dist', opened(dir));
    expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
    const policy = thawedCopies.find((e) => e.file === NETPOL)!.object as unknown as { spec: { ingress: unknown[] } };
    policy.spec.ingress = [];
    const verdicts = evaluateFlows(FLOWS, thawedCopies, 'dist', opened(dir));
    expect(verdicts.find((v) => v.flow.id === IOMT)!.ok).toBe(false);
  });

  test('a cluster missing when the file was written and back in a new process: the flows that read it are checked again', () => {
    const dir = storedAfter(TREE.filter((e) => e.cluster !== 'line-1'));
    const verdicts = evaluateFlows(FLOWS, copied(TREE), 'dist', opened(dir));
    expect(flowReuseStats().evaluated).toBe(readsLine1.length);
    expect(shown(verdicts)).toEqual(shown(reference(TREE)));
  });

  test('the pod templates reordered across kinds in a new process: the flows that read them are checked again', () => {
    const dir = storedAfter(TREE);
    const reordered = hubWorkloadsReordered(copied(TREE));
    const verdicts = evaluateFlows(FLOWS, reordered, 'dist', opened(dir));
    expect(flowReuseStats().evaluated).toBeGreaterThan(0);
    expect(shown(verdicts)).toEqual(shown(reference(reordered)));
  });

  test('the namespaces in use: two different sets never give one digest (a name with a line break, a number)', () => {
    const inNamespaces = (...names: unknown[]) =>
      new ClusterObjects(
        'c',
        names.map((n, i) => ({ file: `f${i}`, cluster: 'c', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `m${i}`, namespace: n } } as unknown as Entry['object'] })),
      ).partDigest('namespaces in use');
    expect(inNamespaces('a', 'b')).not.toBe(inNamespaces('a\nb'));
    expect(inNamespaces(5)).not.toBe(inNamespaces('5'));
    expect(inNamespaces('b', 'a')).toBe(inNamespaces('a', 'b'));
  });

  test('a file with its digest right but lines not as written (a read not a list, a finding without its message), or of another format, is no store', () => {
    const dir = storedAfter(TREE);
    const file = path.join(dir, FLOWS_CACHE_FILE);
    const [header, ...lines] = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const rewrite = (h: Record<string, unknown>, ls: string[]) => {
      const body = ls.map((l) => `${l}\n`).join('');
      fs.writeFileSync(file, `${JSON.stringify({ ...h, sha256: createHash('sha256').update(body).digest('hex') })}\n${body}`);
    };
    const first = JSON.parse(lines[0]) as [string, unknown, unknown];
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [JSON.parse(header), [JSON.stringify([first[0], 'hub', []]), ...lines.slice(1)]],
      [JSON.parse(header), [JSON.stringify([first[0], first[1], [{ file: 'x', pointer: '' }]]), ...lines.slice(1)]],
      [JSON.parse(header), ['{}', ...lines.slice(1)]],
      [{ ...JSON.parse(header), format: 2 }, lines],
    ];
    for (const [h, ls] of cases) {
      rewrite(h, ls);
      evaluateFlows(FLOWS, copied(TREE), 'dist', opened(dir));
      expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
    }
    // Rewritten as it was, it is a store again (the cases above failed for what they changed).
    rewrite(JSON.parse(header), lines);
    evaluateFlows(FLOWS, copied(TREE), 'dist', opened(dir));
    expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
  });

  test('a file changed by accident (one character of a verdict, cut short, not JSON) is no store', () => {
    const damages: Array<(text: string) => string> = [(t) => t.replace('"kind Service","', '"kind Service","x'), (t) => t.replace(/\[\]\]\n/, '[{"file":"x","pointer":"","message":"m"}]]\n'), (t) => t.slice(0, t.length / 2), () => 'half'];
    for (const damage of damages) {
      const dir = storedAfter(TREE);
      const file = path.join(dir, FLOWS_CACHE_FILE);
      const text = fs.readFileSync(file, 'utf8');
      expect(damage(text)).not.toBe(text);
      fs.writeFileSync(file, damage(text));
      evaluateFlows(FLOWS, copied(TREE), 'dist', opened(dir));
      expect(flowReuseStats()).toEqual({ reused: 0, evaluated: FLOWS.length });
    }
  });

  test('any sequence of edits, each synthesized by a new process with the file of the one before, gives the verdicts of a check from nothing', () => {
    let reused = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...Object.keys(steps)), fc.boolean()), { minLength: 1, maxLength: 5 }), (run) => {
        const dir = storedAfter(TREE);
        let es = [...TREE];
        for (const [name, newProcess] of run) {
          es = copied(steps[name](es));
          const want = shown(reference(es));
          // A new process has only the file; a synth in the same one has what the last kept in memory too.
          const store = newProcess ? opened(dir) : openFlowVerdictFile(dir, 'k', writeCacheLines);
          expect({ step: name, newProcess, verdicts: shown(evaluateFlows(FLOWS, es, 'dist', store)) }).toEqual({ step: name, newProcess, verdicts: want });
          reused += flowReuseStats().reused;
          store.save();
        }
      }),
      { numRuns: 25 },
    );
    expect(reused).toBeGreaterThan(0);
  });
});
