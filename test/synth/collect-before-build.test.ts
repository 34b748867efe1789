/**
 * Where a synth of a large stack collects garbage (lib/synth/collect.ts): before building every chart again (two full
 * 100,000-device synths in one process peaked at 1,050 MiB, the first at 761), before a warm build when the heap is
 * over its budget, and before gates that check many objects afresh. Only the decisions are tested here (tests never
 * assert on memory or time).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { ComponentDefinition } from '../../charts/component';
import * as collect from '../../lib/synth/collect';
import { forgetCharts } from '../../lib/synth/chart-reuse';
import { synthesizeManifests } from '../../lib/synth/manifests';
import { resolveStack } from '../../lib/synth/resolve-all';
import { Entry, entryDigest, openValidationCache, synthesize, synthToDir, validateEntries } from '../../lib/internal';
import { parse } from 'yaml';
import { demoStack } from '../support/stacks';
import { tmpDir } from '../support/tmp';

/** A registry of one empty chart on the first cluster, which says it gives `expected` objects. */
function registry(expected: number): ReadonlyArray<ComponentDefinition> {
  return [{ name: 'energy', clusters: (m) => [m.clusters[0].name], build: (scope, id) => new Chart(scope, id), expectedObjects: () => expected }];
}

describe('a large build collects garbage first when it builds every chart, or when the heap is over its budget', () => {
  const model = resolveStack(demoStack());
  afterEach(() => jest.restoreAllMocks());

  test('expected objects at the threshold: collected before the cold build, not before the warm one under the budget', () => {
    jest.spyOn(collect, 'usedHeapBytes').mockReturnValue(collect.HEAP_BUDGET_BYTES - 1);
    const spy = jest.spyOn(collect, 'collectGarbage').mockImplementation(() => undefined);
    const large = registry(collect.COLLECT_FROM_OBJECTS);
    forgetCharts();
    synthesizeManifests(model, large);
    expect(spy).toHaveBeenCalledTimes(1);
    synthesizeManifests(model, large); // the same view and registry: its chart is reused
    expect(spy).toHaveBeenCalledTimes(1);
    forgetCharts(); // nothing kept: built again, so collected again
    synthesizeManifests(model, large);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('a warm build over the heap budget collects first', () => {
    const heap = jest.spyOn(collect, 'usedHeapBytes').mockReturnValue(collect.HEAP_BUDGET_BYTES);
    const spy = jest.spyOn(collect, 'collectGarbage').mockImplementation(() => undefined);
    const large = registry(collect.COLLECT_FROM_OBJECTS);
    forgetCharts();
    synthesizeManifests(model, large);
    synthesizeManifests(model, large); // reused, but the heap is at the budget
    expect(spy).toHaveBeenCalledTimes(2);
    expect(heap).toHaveBeenCalled();
  });

  test('below the threshold nothing is collected, whatever the heap', () => {
    jest.spyOn(collect, 'usedHeapBytes').mockReturnValue(collect.HEAP_BUDGET_BYTES * 4);
    const spy = jest.spyOn(collect, 'collectGarbage').mockImplementation(() => undefined);
    forgetCharts();
    synthesizeManifests(model, registry(collect.COLLECT_FROM_OBJECTS - 1));
    synthesizeManifests(model, registry(collect.COLLECT_FROM_OBJECTS - 1));
    expect(spy).not.toHaveBeenCalled();
  });

  test('the decision itself', () => {
    const { COLLECT_FROM_OBJECTS: n, HEAP_BUDGET_BYTES: budget, collectsBeforeBuild } = collect;
    expect(collectsBeforeBuild(n, false, 0)).toBe(true);
    expect(collectsBeforeBuild(n, true, budget - 1)).toBe(false);
    expect(collectsBeforeBuild(n, true, budget)).toBe(true);
    expect(collectsBeforeBuild(n - 1, false, budget)).toBe(false);
  });
});

describe('gates that check many objects afresh collect garbage first; gates the cache spares do not', () => {
  afterEach(() => jest.restoreAllMocks());

  test('validateEntries tells how many entries the per-object checks will see, before they run', () => {
    const r = synthesize(demoStack());
    const es: Entry[] = [...r.files].filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => ({ file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }));
    const counts: number[] = [];
    validateEntries(es, { beforeChecks: (fresh) => counts.push(fresh) });
    const dir = path.join(tmpDir(), 'cache');
    const first = openValidationCache(dir, 'k');
    first.record(es.slice(3).map(entryDigest));
    first.save();
    const cache = openValidationCache(dir, 'k'); // lists all but the first three
    validateEntries(es, { cache: openValidationCache(path.join(tmpDir(), 'empty'), 'k'), beforeChecks: (fresh) => counts.push(fresh) }); // an empty cache spares nothing
    validateEntries(es, { cache, beforeChecks: (fresh) => counts.push(fresh) });
    const listed = new Set(es.slice(3).map(entryDigest));
    expect(counts).toEqual([es.length, es.length, es.filter((e) => !listed.has(entryDigest(e))).length]);
    expect(counts[2]).toBeGreaterThan(0);
    expect(counts[2]).toBeLessThan(es.length);
  });

  test('synthToDir collects before the gates exactly when collectsBeforeGates says so, and calls the caller hook too', () => {
    const spy = jest.spyOn(collect, 'collectGarbage').mockImplementation(() => undefined);
    const decide = jest.spyOn(collect, 'collectsBeforeGates');
    const root = tmpDir();
    const seen: number[] = [];
    const options = { validationCache: path.join(root, 'cache'), validation: { beforeChecks: (fresh: number) => seen.push(fresh) } };
    synthToDir(demoStack(), path.join(root, 'dist'), options);
    // The demo stack is small: the gates check every object afresh, far below the threshold.
    expect(decide).toHaveBeenCalledTimes(1);
    expect(decide.mock.calls[0][0]).toBe(seen[0]);
    expect(seen[0]).toBeGreaterThan(0);
    expect(spy).not.toHaveBeenCalled();
    decide.mockReturnValue(true);
    synthToDir(demoStack(), path.join(root, 'dist'), options);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([seen[0], 0]); // warm: the cache lists every object
    expect(fs.existsSync(path.join(root, 'dist'))).toBe(true);
  });

  test('the decision itself', () => {
    expect(collect.collectsBeforeGates(collect.COLLECT_FROM_OBJECTS)).toBe(true);
    expect(collect.collectsBeforeGates(collect.COLLECT_FROM_OBJECTS - 1)).toBe(false);
  });
});
