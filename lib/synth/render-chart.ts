import { ApiObject, App, Chart } from 'cdk8s';

/**
 * The objects of `chart`, exactly as `chart.toJson()` gives them, without cdk8s's dependency graph when the
 * app has no dependency to order by.
 *
 * cdk8s's Chart.toJson (v2.70 lib/app.ts `_synthChart`) first turns the construct dependencies of the whole
 * app into object dependencies, runs every construct's validations, then builds a dependency graph of the
 * chart (a vertex and a path string per construct) and renders its objects in the graph's topological order.
 * With no dependency anywhere in the app and no nested chart, the first step adds nothing and that order is
 * the construct tree's pre-order (every object is a root of the graph, adopted in tree order), so this renders
 * the objects in that order after the same validations. For a chart of 100,000 fleet objects the graph was
 * a third of rendering. Any dependency, nested chart or chart class with its own toJson takes cdk8s's own path.
 * test/synth/render-chart.test.ts compares both on every chart of the demo stack.
 */
export function renderChart(chart: Chart): unknown[] {
  // A chart class with its own toJson renders as it says.
  if (chart.toJson !== Chart.prototype.toJson) return chart.toJson();
  const app = App.of(chart);
  const all = app.node.findAll();
  for (const c of all) {
    if ((c !== chart && Chart.isChart(c)) || c.node.dependencies.length > 0) return chart.toJson();
  }
  // As cdk8s's validate(app): every construct's validations, all errors in one message.
  const errors: string[] = [];
  for (const c of all) for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  const out: unknown[] = [];
  for (const c of all) if (ApiObject.isApiObject(c) && Chart.of(c) === chart) out.push(c.toJson());
  return out;
}
