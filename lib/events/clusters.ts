import { StackModel } from '../model/types';

/**
 * Clusters that run kube-eventer: those that run monitoring (the hub, and every cluster that runs anything:
 * the same rule as the monitoring component's), narrowed by `monitoring.events.clusters`; none when off.
 */
export function eventClusters(model: StackModel): string[] {
  const m = model.monitoring;
  if (!m?.events.enabled) return [];
  const monitored = model.clusters.filter((c) => c.name === m.cluster || c.namespaces.length > 0).map((c) => c.name);
  return (m.events.clusters ? monitored.filter((c) => m.events.clusters!.includes(c)) : monitored).sort();
}

/** Normal-event series per namespace the estimate assumes: one per (reason, kind) such as Scheduled/Pod, Pulled/Pod, ScalingReplicaSet/Deployment. */
export const NORMAL_SERIES_PER_NAMESPACE = 15;
/** Namespaces every cluster has besides the stack's: default, kube-system, kube-public, kube-node-lease. */
export const SYSTEM_NAMESPACES = 4;
/** The exporter's own series: 4 self metrics, the summary's count, sum and 3 quantiles, and `up`. */
export const EVENTER_SELF_SERIES = 9;

/**
 * Series one kube-eventer exposes after `days` without a restart, in the worst case: every Warning event
 * names an object (or reason) not seen before, so each adds a series (`name` follows pod churn, and the
 * exporter never deletes a series); Normal events add one series per (reason, namespace, kind) only, as the
 * normal counter has no `name` label (metrics/prometheus/metrics.go at kube-eventer 1.2.14).
 */
export function eventerSeries(eventsPerMinute: number, namespaces: number, days = 1): number {
  return Math.round(eventsPerMinute * 1440 * days) + NORMAL_SERIES_PER_NAMESPACE * (namespaces + SYSTEM_NAMESPACES) + EVENTER_SELF_SERIES;
}
