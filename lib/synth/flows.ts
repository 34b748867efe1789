import { COMPONENT_REGISTRY, ComponentDefinition } from '../../charts';
import { Flow } from '../core/flows';
import { StackModel } from '../model';

/**
 * Every flow of the stack: each component's `flows(ctx)` on each cluster it runs on, sorted by id. Two
 * declarations with one id must be the same flow (a component that owns the destination and one that owns
 * the source may both declare it); otherwise it is an error naming both.
 */
export function stackFlows(model: StackModel, registry: ReadonlyArray<ComponentDefinition> = COMPONENT_REGISTRY): Flow[] {
  const byId = new Map<string, { flow: Flow; component: string }>();
  for (const def of registry) {
    if (!def.flows) continue;
    const clusters = new Set(def.clusters(model));
    for (const cluster of model.clusters) {
      if (!clusters.has(cluster.name)) continue;
      for (const flow of def.flows({ model, cluster, registry })) {
        const prior = byId.get(flow.id);
        if (prior && JSON.stringify(prior.flow) !== JSON.stringify(flow)) {
          throw new Error(`flow ${flow.id} is declared twice, differently, by components ${prior.component} and ${def.name}: give each flow a unique id`);
        }
        byId.set(flow.id, { flow, component: def.name });
      }
    }
  }
  return [...byId.values()].map((v) => v.flow).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
