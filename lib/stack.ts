import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { COMPONENT_REGISTRY } from '../charts';
import { resolveModel, StackModel } from './model';
import { parseStack } from './spec/parse';
import { StackInput } from './spec/stack';

/**
 * The whole stack as a construct, for use inside your own cdk8s app: one Chart per (cluster, component),
 * with the id `<cluster>-<component>`. Props are the stack contract (the shape of stack.yaml); they are
 * validated at once and a bad stack throws a SpecError naming every problem.
 *
 * For more than a few dozen charts prefer `synthesize()`/`synthToDir()`: cdk8s's App.synth re-validates the
 * whole app once per chart, so its cost grows with the square of the number of charts.
 */
export class EdgewattStack extends Construct {
  /** The resolved model the charts were built from. */
  public readonly model: StackModel;
  /** The charts, keyed by `<cluster>/<component>`. */
  public readonly charts: ReadonlyMap<string, Chart>;

  constructor(scope: Construct, id: string, props: StackInput) {
    super(scope, id);
    this.model = resolveModel(parseStack(props));
    const charts = new Map<string, Chart>();
    for (const cluster of this.model.clusters) {
      for (const def of COMPONENT_REGISTRY) {
        if (!def.clusters(this.model).includes(cluster.name)) continue;
        charts.set(`${cluster.name}/${def.name}`, def.build(this, `${cluster.name}-${def.name}`, { model: this.model, cluster, registry: COMPONENT_REGISTRY }));
      }
    }
    this.charts = charts;
  }
}
