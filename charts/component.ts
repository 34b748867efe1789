import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Flow } from '../lib/core/flows';
import { ComponentMonitoring } from '../lib/core/monitoring-contract';
import { DeviceWorkload } from '../lib/fleet/device-workload';
import { ClusterModel, ComponentName, StackModel } from '../lib/model';

/** What a component chart is built from: the whole model and the cluster it is built for. */
export interface ChartContext {
  readonly model: StackModel;
  readonly cluster: ClusterModel;
  /** Every component of the stack, for components that collect from the others (monitoring). */
  readonly registry: ReadonlyArray<ComponentDefinition>;
}

/**
 * A deployable component: which clusters it runs on, and how to build its chart for one of them.
 * Adding a component means adding one of these to the registry; nothing else changes.
 */
export interface ComponentDefinition {
  /** Folder name under dist/<cluster>/ and the component's Argo CD Application suffix. */
  readonly name: ComponentName;
  /** Names of the clusters that run this component (none when the stack leaves it out). */
  clusters(model: StackModel): ReadonlyArray<string>;
  /** Builds the component's chart for `ctx.cluster` under `scope`. */
  build(scope: Construct, id: string, ctx: ChartContext): Chart;
  /** What the component asks the monitoring component to scrape and which rules it ships. @default - nothing */
  monitoring?(ctx: ChartContext): ComponentMonitoring;
  /**
   * The paths this component needs on `ctx.cluster` (it is the source, or it owns the destination and knows
   * who calls it), proven by the flow gate on the synthesized objects. @default - none
   */
  flows?(ctx: ChartContext): ReadonlyArray<Flow>;
  /** Workloads the component asks fleet devices to run (EdgeWorkloads). @default - none */
  deviceWorkloads?(model: StackModel): ReadonlyArray<DeviceWorkload>;
  /**
   * A cheap lower estimate of how many objects the chart for `ctx.cluster` gives, known before it is built. The
   * synth builds the charts expected at LARGE_CHART_OBJECTS or more after all the others (lib/synth/manifests.ts),
   * so its render worker has the small charts' objects to write while a large one is built; the output is the same.
   * @default - small (built in cluster and registry order)
   */
  expectedObjects?(ctx: ChartContext): number;
}
