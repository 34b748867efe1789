/**
 * What kube-eventer exports, read at github AliyunContainerService/kube-eventer tag 1.2.14. Counters are
 * incremented once per watch ADDED or MODIFIED Event (sources/kubernetes/kubernetes_source.go, `watch()`:
 * a repeated Event whose `count` the kubelet bumps arrives as MODIFIED and counts again); a series is never
 * deleted while the process lives, and all of them start again from nothing when it restarts.
 */

/** One metric family: name, type, labels (in exposition order of the source). */
export interface EventerMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'summary';
  readonly labels: ReadonlyArray<string>;
  readonly help: string;
}

/**
 * metrics/prometheus/metrics.go `InitMetrics()`: `eventer_events_{error,warning}_total{reason,kind,name,namespace}`
 * (error: `reason` is kube-eventer's triage category; warning: the raw reason of a Warning it did not triage;
 * `kind`, `name`, `namespace` are the involved object's) and `eventer_events_normal_total{reason,namespace,kind}`
 * (Normal events: raw reason, the Event's own namespace, the involved object's kind; no `name`).
 * sources/kubernetes/kubernetes_source.go: `eventer_scraper_*`; manager/manager.go: `eventer_manager_last_time_seconds`.
 */
export const KUBE_EVENTER_METRICS: ReadonlyArray<EventerMetric> = [
  { name: 'eventer_events_error_total', type: 'counter', labels: ['reason', 'kind', 'name', 'namespace'], help: 'Events kube-eventer triaged as abnormal (reason = its category).' },
  { name: 'eventer_events_warning_total', type: 'counter', labels: ['reason', 'kind', 'name', 'namespace'], help: 'Other Warning events (reason = the Event reason).' },
  { name: 'eventer_events_normal_total', type: 'counter', labels: ['reason', 'namespace', 'kind'], help: 'Normal events.' },
  { name: 'eventer_scraper_events_total_number', type: 'counter', labels: [], help: 'Events handed to the sinks.' },
  { name: 'eventer_scraper_last_time_seconds', type: 'gauge', labels: [], help: 'Unix time of the last read of the event buffer.' },
  { name: 'eventer_scraper_duration_milliseconds', type: 'summary', labels: [], help: 'Time to read the event buffer.' },
  { name: 'eventer_manager_last_time_seconds', type: 'gauge', labels: [], help: 'Unix time of the last housekeeping run (every --frequency, 30s).' },
];

/** Every series name the catalog produces (a summary adds _sum and _count). */
export function eventerMetricNames(): string[] {
  return KUBE_EVENTER_METRICS.flatMap((m) => (m.type === 'summary' ? [m.name, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
}

/**
 * kube-eventer's triage (metrics/prometheus/metrics.go `reasonToEventKind`, `reasonToEventKindFunc`; judge.go):
 * the category each alert reads, from which Event reasons (and message tests) it comes.
 */
export const TRIAGE = {
  PodEvict: 'Evicted',
  PodOOM: 'OOMKilling or PodOOMKilling (node-problem-detector kernel monitor)',
  NodeOOM: 'SystemOOM (kubelet)',
  PodCrash: 'BackOff with "Back-off restarting failed container"',
  PodImagePullBackOff: 'Failed with "ImagePullBackOff" or "ErrImagePull", or BackOff with "Back-off pulling image"',
  PodFailStart: 'Failed on a Pod, not about pulling an image',
  ResourceInsufficient: 'FailedScheduling with "Insufficient"',
  PodFailScheduling: 'any other FailedScheduling',
  VolumeFailMount: 'FailedMount or FailedAttachVolume',
  FailCreatePodExceedQuota: 'FailedCreate with "exceeded quota"',
  NodeNotReady: 'NodeNotReady on a Node, not about PLEG',
  NodePLEGUnhealthy: 'NodeNotReady on a Node with "PLEG is not healthy"',
  NodeRebooted: 'Rebooted (kubelet)',
} as const;

/** A triage category of kube-eventer that edgewatt alerts on. */
export type TriageCategory = keyof typeof TRIAGE;
