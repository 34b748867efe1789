import { ApiObject, App, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { COMPONENT_REGISTRY } from '../../charts';
import { renderChart } from '../../lib/synth/render-chart';
import { resolveStack } from '../../lib/synth/resolve-all';
import { benchStack } from '../../bench/stacks';
import { demoStack } from '../support/stacks';

/**
 * lib/synth/render-chart.ts renders a chart without cdk8s's dependency graph when the app has no dependency.
 * Each case builds the chart twice, in two apps, and needs renderChart's objects to equal chart.toJson()'s,
 * in the same order.
 */
function twice(build: (app: App) => Chart): { fast: unknown[]; cdk8s: unknown[] } {
  return { fast: renderChart(build(new App({ outdir: '.unused' }))), cdk8s: build(new App({ outdir: '.unused' })).toJson() };
}

class Sample extends Chart {
  constructor(scope: Construct, id: string, edit: (c: Chart, objs: ApiObject[]) => void = () => undefined) {
    super(scope, id, { namespace: 'ns', labels: { chart: 'sample' } });
    const group = new Construct(this, 'group');
    const objs = ['b', 'a', 'c'].map((n, i) => new ApiObject(i === 1 ? group : this, n, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n }, data: { k: n } }));
    edit(this, objs);
  }
}

describe('renderChart gives what chart.toJson gives', () => {
  test.each([
    ['demo', () => demoStack()],
    ['bench-400', () => benchStack(400)],
  ])('every chart of the %s stack', (_name, stack) => {
    const model = resolveStack(stack());
    let charts = 0;
    for (const cluster of model.clusters) {
      for (const def of COMPONENT_REGISTRY) {
        if (!def.clusters(model).includes(cluster.name)) continue;
        const r = twice((app) => def.build(app, `${cluster.name}-${def.name}`, { model, cluster, registry: COMPONENT_REGISTRY }));
        expect(JSON.stringify(r.fast)).toBe(JSON.stringify(r.cdk8s));
        charts++;
      }
    }
    expect(charts).toBeGreaterThan(5);
  });

  test('objects in tree order, nested constructs included', () => {
    const r = twice((app) => new Sample(app, 's'));
    expect(r.fast).toEqual(r.cdk8s);
    // Pre-order: the group (created first) and its object, then the chart's own objects.
    expect((r.fast as any[]).map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
  });

  test('with a dependency, the dependency order (cdk8s own path)', () => {
    const r = twice((app) => new Sample(app, 's', (_c, [b, a, c]) => b.addDependency(c, a)));
    expect(r.fast).toEqual(r.cdk8s);
    expect((r.fast as any[]).map((o) => o.metadata.name)).toEqual(['c', 'a', 'b']); // b after what it depends on
  });

  test('a nested chart is left to cdk8s', () => {
    const r = twice((app) => new Sample(app, 's', (c) => new Sample(c, 'inner')));
    expect(r.fast).toEqual(r.cdk8s);
    expect((r.fast as any[]).length).toBe(3);
  });

  test("generated k8s classes render through their own field mapping, without cdk8s's resolve walk", () => {
    const build = (app: App) => {
      const c = new Chart(app, 'k');
      new k8s.KubeService(c, 'svc', { metadata: { name: 'svc', labels: { b: '1', a: '2' } }, spec: { selector: { app: 'x' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] } });
      new k8s.KubeDeployment(c, 'dep', {
        metadata: { name: 'dep' },
        spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1', resources: { limits: { memory: k8s.Quantity.fromString('1Gi') } } }] } } },
      });
      return c;
    };
    const cdk8s = JSON.stringify(build(new App({ outdir: '.unused' })).toJson());
    const walk = jest.spyOn(ApiObject.prototype, 'toJson');
    try {
      expect(JSON.stringify(renderChart(build(new App({ outdir: '.unused' }))))).toBe(cdk8s);
      expect(walk).not.toHaveBeenCalled();
    } finally {
      walk.mockRestore();
    }
  });

  test('construct validations fail the same way', () => {
    const build = (app: App) => new Sample(app, 's', (c, [b]) => {
      b.node.addValidation({ validate: () => ['b is wrong'] });
      c.node.addValidation({ validate: () => ['chart is wrong', 'twice'] });
    });
    let cdk8sError = '';
    try {
      build(new App({ outdir: '.unused' })).toJson();
    } catch (e) {
      cdk8sError = (e as Error).message;
    }
    expect(cdk8sError).toMatch(/b is wrong/);
    expect(() => renderChart(build(new App({ outdir: '.unused' })))).toThrow(cdk8sError);
  });
});
