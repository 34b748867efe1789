/**
 * A synth that builds every chart of a large stack again first collects what a last synth in the process left
 * (lib/synth/manifests.ts): two full 100,000-device synths in one process peaked at 1,050 MiB, the first at 761.
 * Only the decision is tested here (tests never assert on memory or time).
 */
import { Chart } from 'cdk8s';
import { ComponentDefinition } from '../../charts/component';
import * as collect from '../../lib/synth/collect';
import { forgetCharts } from '../../lib/synth/chart-reuse';
import { synthesizeManifests } from '../../lib/synth/manifests';
import { resolveStack } from '../../lib/synth/resolve-all';
import { demoStack } from '../support/stacks';

/** A registry of one empty chart on the first cluster, which says it gives `expected` objects. */
function registry(expected: number): ReadonlyArray<ComponentDefinition> {
  return [{ name: 'energy', clusters: (m) => [m.clusters[0].name], build: (scope, id) => new Chart(scope, id), expectedObjects: () => expected }];
}

describe('a full build of a large stack collects garbage first; a build that reuses charts does not', () => {
  const model = resolveStack(demoStack());
  afterEach(() => jest.restoreAllMocks());

  test('expected objects at the threshold: collected before the cold build, not before the warm one', () => {
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

  test('below the threshold nothing is collected', () => {
    const spy = jest.spyOn(collect, 'collectGarbage').mockImplementation(() => undefined);
    forgetCharts();
    synthesizeManifests(model, registry(collect.COLLECT_FROM_OBJECTS - 1));
    expect(spy).not.toHaveBeenCalled();
  });
});
