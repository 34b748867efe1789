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
/**
 * The series one kube-eventer exposes besides the event counters: its own 5 (eventer_manager_last_time_seconds,
 * eventer_scraper_last_time_seconds, eventer_scraper_events_total_number, and eventer_scraper_duration_milliseconds's
 * `_sum` and `_count`: a summary without objectives has no quantiles), and the 45 of client_golang's default registry
 * that `promhttp.Handler()` serves (34 Go runtime, 7 process, 4 promhttp_metric_handler_*; the vendored client_golang
 * of the image's commit ca03be0, v1.0.0, and of tag 1.2.14, v1.11.1, give the same). Prometheus's own series per
 * target (up, scrape_*) are not counted, for this exporter as for the others (lib/monitoring/plan.ts).
 */
export const EVENTER_SELF_SERIES = 50;

/**
 * Series one kube-eventer exposes after `days` without a restart, in the worst case: every Warning event
 * names an object (or reason) not seen before, so each adds a series (`name` follows pod churn, and the
 * exporter never deletes a series); Normal events add one series per (reason, namespace, kind) only, as the
 * normal counter has no `name` label (metrics/prometheus/metrics.go at kube-eventer 1.2.14).
 */
export function eventerSeries(eventsPerMinute: number, namespaces: number, days = 1): number {
  return Math.round(eventsPerMinute * 1440 * days) + NORMAL_SERIES_PER_NAMESPACE * (namespaces + SYSTEM_NAMESPACES) + EVENTER_SELF_SERIES;
}
