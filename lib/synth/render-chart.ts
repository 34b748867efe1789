import { ApiObject, App, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { ChartWithPlainObjects, plainToJson } from '../core/plain-api-object';

/**
 * The objects of `chart`, exactly as `chart.toJson()` gives them, without cdk8s's dependency graph when the
 * app has no dependency to order by.
 *
 * cdk8s's Chart.toJson (cdk8s-team/cdk8s-core v2.70.106 lib/app.ts `_synthChart`) first turns the construct dependencies of the whole
 * app into object dependencies, runs every construct's validations, then builds a dependency graph of the
 * chart (a vertex and a path string per construct) and renders its objects in the graph's topological order.
 * With no dependency anywhere in the app and no nested chart, the first step adds nothing and that order is
 * the construct tree's pre-order (every object is a root of the graph, adopted in tree order), so this renders
 * the objects in that order after the same validations (for a chart of 100,000 objects the graph was a third of
 * rendering), then a ChartWithPlainObjects's plain objects. Any dependency, nested chart or chart class with its
 * own toJson takes cdk8s's own path.
 * test/synth/render-chart.test.ts compares both on every chart of the demo stack.
 */
export function renderChart(chart: Chart): unknown[] {
  // A chart with plain objects (ChartWithPlainObjects) gives them after its ApiObjects, as its toJson does.
  const plain = chart instanceof ChartWithPlainObjects && chart.toJson === ChartWithPlainObjects.prototype.toJson ? (chart as ChartWithPlainObjects) : undefined;
  // A chart class with its own toJson renders as it says.
  if (chart.toJson !== Chart.prototype.toJson && !plain) return chart.toJson();
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
  for (const c of all) if (ApiObject.isApiObject(c) && Chart.of(c) === chart) out.push(renderObject(c));
  if (plain) out.push(...plain.plainObjects());
  return out;
}

/**
 * `o.toJson()`, with cdk8s's resolve walk replaced by plainToJson (../core/plain-api-object.ts) where that gives
 * the same: for a plain ApiObject, and for the generated classes of cdk8s-plus-27's k8s imports, whose toJson
 * is `{ ...KubeX.GVK, ...toJson_KubeXProps(super.toJson()) }` (checked on the function's text, once per
 * class, so a release that renders otherwise keeps its own toJson). Anything else renders itself.
 */
function renderObject(o: ApiObject): unknown {
  const proto = Object.getPrototypeOf(o) as object;
  const render = proto === ApiObject.prototype || (proto as ApiObject).toJson === ApiObject.prototype.toJson ? (x: Record<string, unknown>) => x : generatedRender(proto);
  const plain = render ? plainToJson(o) : undefined;
  return plain && render ? render(plain) : o.toJson();
}

const generated = new WeakMap<object, ((resolved: Record<string, unknown>) => unknown) | null>();

/** For a class of cdk8s-plus-27's k8s imports with the generated toJson, what it makes of the resolved object. */
function generatedRender(proto: object): ((resolved: Record<string, unknown>) => unknown) | undefined {
  let render = generated.get(proto);
  if (render === undefined) {
    render = null;
    const cls = (proto as { constructor?: { name?: string; GVK?: object } }).constructor;
    const name = cls?.name ?? '';
    const mod = k8s as unknown as Record<string, unknown>;
    const props = mod[`toJson_${name}Props`];
    const text = String((proto as { toJson?: unknown }).toJson).replace(/\s+/g, '');
    if (mod[name] === cls && cls?.GVK && typeof props === 'function' && text === `toJson(){constresolved=super.toJson();return{...${name}.GVK,...toJson_${name}Props(resolved),};}`) {
      const gvk = cls.GVK;
      render = (resolved) => ({ ...gvk, ...(props as (r: unknown) => object)(resolved) });
    }
    generated.set(proto, render);
  }
  return render ?? undefined;
}
