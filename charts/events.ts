import { Chart } from 'cdk8s';
import { apiServerDestination } from './api-server';
import { Construct } from 'constructs';
import { Flow } from '../lib/core/flows';
import { selectorLabels, stackLabels } from '../lib/core/labels';
import { ComponentMonitoring, RuleGroup } from '../lib/core/monitoring-contract';
import { eventClusters, eventRuleGroup, KUBE_EVENTER_ACCESS, KUBE_EVENTER_NAME, KUBE_EVENTER_SOURCE, KubeEventer, registryAlert } from '../lib/events';
import { runbookBase } from '../lib/monitoring/runbooks';
import { StackModel } from '../lib/model';
import { ChartContext, ComponentDefinition } from './component';
import { memoByModel } from '../lib/core/model-memo';
import { scraperPeer } from './peers';

/** Per cluster: kube-eventer in the monitoring namespace (with the Prometheus Operator, the monitoring component emits its PodMonitor and rules). */
export class EventsChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model } = ctx;
    const mon = model.monitoring!;
    const labels = stackLabels(model.name);
    new KubeEventer(this, 'exporter', { namespace: mon.namespace, image: mon.events.image, resources: mon.events.resources, scraper: scraperPeer(model), platform: ctx.cluster.platform, apiServerCIDRs: ctx.cluster.apiServerCIDRs, dnsCIDRs: ctx.cluster.dnsCIDRs, labels });
  }
}

/** What eventsRuleGroup is memoized under (lib/core/model-memo.ts). */
const EVENTS_GROUP = {};

/**
 * The events rule group, the same for every cluster: built once per model (lib/core/model-memo.ts; a resolved model
 * is not changed). Every cluster's monitoring asks for it, and it lists every cluster and every image of the stack,
 * so rebuilding it per cluster was quadratic in clusters (200 clusters: most of the monitoring chart's time).
 */
function eventsRuleGroup(model: StackModel): RuleGroup {
  return memoByModel(EVENTS_GROUP, model, (m) => {
    const mon = m.monitoring!;
    return eventRuleGroup({
      stormThreshold: mon.events.stormThreshold,
      // Bundled: the hub evaluates every cluster's series, so it must see each exporter. Operator mode: each
      // cluster's Prometheus evaluates its own rules and knows no cluster label.
      clusters: mon.mode === 'bundled' ? eventClusters(m) : [],
      runbookBase: runbookBase(m),
      extra: [registryAlert(m)],
    });
  });
}

/** The events component's monitoring on one cluster: the exporter's pod, the event alerts and the registry alert. */
export function eventsMonitoring(ctx: ChartContext): ComponentMonitoring {
  const { model, cluster } = ctx;
  const mon = model.monitoring!;
  const here = eventClusters(model).includes(cluster.name);
  const group = eventsRuleGroup(model);
  return {
    targets: here
      ? [{ job: KUBE_EVENTER_NAME, cluster: cluster.name, namespace: mon.namespace, selector: selectorLabels(KUBE_EVENTER_NAME, KUBE_EVENTER_NAME), port: 'http', path: '/metrics', perNode: false, honorLabels: true }]
      : [],
    ruleGroups: [group],
  };
}

/**
 * The event exporter's own path on one cluster: it lists and watches Events. Prometheus → exporter is the scrape
 * flow the monitoring component derives from the exporter's ScrapeTarget, like every other scrape.
 */
export function eventsFlows(ctx: ChartContext): Flow[] {
  const { model, cluster } = ctx;
  if (!eventClusters(model).includes(cluster.name)) return [];
  const mon = model.monitoring!;
  const ns = mon.namespace;
  return [
    {
      id: `api-server:${cluster.name}/${ns}/${KUBE_EVENTER_NAME}->${cluster.name}/api-server`,
      purpose: 'api-server',
      from: { kind: 'pods', cluster: cluster.name, namespace: ns, podLabels: selectorLabels(KUBE_EVENTER_NAME, KUBE_EVENTER_NAME), workload: `Deployment/${KUBE_EVENTER_NAME}`, serviceAccount: KUBE_EVENTER_NAME },
      to: apiServerDestination(cluster, KUBE_EVENTER_ACCESS.map((a) => ({ verbs: [...a.verbs], resource: a.resource, group: a.group }))),
      transport: 'in-cluster',
      configured: { url: KUBE_EVENTER_SOURCE, object: `Deployment/${KUBE_EVENTER_NAME}`, at: 'arg:--source' },
      path: 'monitoring.events',
    },
  ];
}

/** The events component: kube-eventer on every cluster that runs monitoring (unless turned off or narrowed). */
export const eventsComponent: ComponentDefinition = {
  name: 'events',
  clusters: eventClusters,
  build: (scope, id, ctx) => new EventsChart(scope, id, ctx),
  monitoring: eventsMonitoring,
  flows: eventsFlows,
};
