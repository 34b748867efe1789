import { AlertRule, RuleGroup } from '../core/monitoring-contract';
import { runbookURL } from '../monitoring/runbooks';
import { TriageCategory } from './catalog';
import { KUBE_EVENTER_NAME } from './kube-eventer';

/** How far back an event counts: an alert fires on the first event and resolves this long after the last. */
export const EVENT_WINDOW = '10m';

/** The upstream health limit: api/handler.go `MaxEventsScrapeDelay` (3 minutes) at tag 1.2.14. */
const MAX_BATCH_DELAY_SECONDS = 180;

const ERROR = 'eventer_events_error_total';
const WARNING = 'eventer_events_warning_total';

/**
 * Events of the selected series within the window, per series. A one-shot Event creates a series at 1 (or
 * more), and `increase()` cannot see that first step: it has no earlier sample. So a series absent
 * `window` ago counts with its whole value (it started from nothing inside the window), and an older one
 * with its increase (which also handles a counter reset when the exporter restarts).
 *
 * "Absent `window` ago" only means "new" if Prometheus was scraping the cluster's exporter then: after an
 * outage of Prometheus, or on the exporter's first scrape, every series would look new and page at once. So
 * the new-series term needs an exporter target (any pod: a restarted exporter's first events still count)
 * of the same cluster `window` ago; in the first `window` after such a gap only growing series are seen.
 */
export function eventsInWindow(selector: string, window = EVENT_WINDOW): string {
  const scraped = `group by (cluster) (up{job="${KUBE_EVENTER_NAME}"} offset ${window})`;
  return `((${selector} unless ${selector} offset ${window}) and on (cluster) ${scraped}) or increase(${selector}[${window}])`;
}

type Alert = Omit<AlertRule, 'runbookURL'>;

/** What the alert names the involved object by. */
type ObjectOf = 'pod' | 'node' | 'object';

interface EventAlertSpec {
  readonly alert: string;
  /** Series selectors, each `metric{matchers}`. */
  readonly selectors: ReadonlyArray<string>;
  readonly object: ObjectOf;
  /** Events in the window that fire the alert. @default 1 */
  readonly min?: number;
  readonly severity: AlertRule['severity'];
  readonly what: string;
  readonly description: string;
  readonly steps: ReadonlyArray<string>;
  readonly inhibitedBy?: AlertRule['inhibitedBy'];
}

const RESET_STEP =
  `The counters live in kube-eventer's memory: they restart from nothing when its pod restarts, and it counts only Events it watched (not those before it started, nor those during a watch reconnect). The alert resolves ${EVENT_WINDOW} after the last event.`;

function eventAlert(s: EventAlertSpec): Alert {
  const by = s.object === 'pod' ? 'cluster, namespace, pod, reason' : s.object === 'node' ? 'cluster, node, reason' : 'cluster, namespace, kind, name, reason';
  const terms = s.selectors.map((sel) => {
    const e = eventsInWindow(sel);
    return s.object === 'object' ? e : `label_replace(${e}, "${s.object}", "$1", "name", "(.*)")`;
  });
  const expr = `sum by (${by}) (${terms.join(' or ')}) >= ${s.min ?? 1}`;
  const subject =
    s.object === 'pod' ? 'Pod {{ $labels.namespace }}/{{ $labels.pod }}' : s.object === 'node' ? 'Node {{ $labels.node }}' : '{{ $labels.kind }} {{ $labels.namespace }}/{{ $labels.name }}';
  return {
    alert: s.alert,
    expr,
    for: '0m',
    severity: s.severity,
    summary: `${subject} ${s.what}`,
    description: `${s.description} {{ $value }} event(s) in the last ${EVENT_WINDOW} on cluster {{ $labels.cluster }} (reason {{ $labels.reason }}).`,
    steps: [...s.steps, 'kubectl get events -A --field-selector type=Warning --sort-by=.lastTimestamp: the Event message says why (the metric carries only the reason).', RESET_STEP],
    inhibitedBy: s.inhibitedBy,
  };
}

const err = (c: TriageCategory | string, kind?: 'Pod' | 'Node') => `${ERROR}{reason=${c.includes('|') ? '~' : ''}"${c}"${kind ? `, kind="${kind}"` : ''}}`;

/** Props of the event alerts. */
export interface EventAlertsProps {
  /**
   * Warning events in one namespace within the window that make a storm. kube-eventer counts an event it triages as
   * an error in `eventer_events_error_total` whatever its type (a Normal NodeNotReady too), and the storm sums both
   * counters (kube-eventer 1.2.14 metrics/prometheus/metrics.go: triageEvent before the Warning check).
   */
  readonly stormThreshold: number;
  /** Clusters whose exporter must be scraped (bundled mode: the hub sees them all). Empty: any cluster (operator mode). */
  readonly clusters: ReadonlyArray<string>;
  readonly runbookBase: string;
}

/** Alerts on Kubernetes Events, as kube-eventer counts them, and on the exporter itself. */
export function eventAlerts(p: EventAlertsProps): Alert[] {
  const pullSteps = ['kubectl -n <namespace> describe pod <pod>: the image, and the pull error.', 'Check the image name and tag, the registry\'s reachability from the edge site, and the pull Secret.'];
  const alerts: Alert[] = [
    eventAlert({
      alert: 'KubeEventPodEvicted',
      selectors: [err('PodEvict', 'Pod')],
      object: 'pod',
      severity: 'warning',
      what: 'was evicted',
      description: 'The kubelet evicted the pod (node under memory, disk or PID pressure).',
      steps: ['kubectl describe node <node>: Conditions show which pressure.', 'Set requests and limits on the workload; free disk on the node.'],
    }),
    eventAlert({
      alert: 'KubeEventPodOOMKilling',
      selectors: [err('PodOOM')],
      object: 'object',
      severity: 'warning',
      what: 'reported an out-of-memory kill',
      description: 'node-problem-detector saw the kernel kill a process for lack of memory (OOMKilling).',
      steps: ['The Event message names the killed process and its cgroup.', 'KubeContainerOOMKilled (kube-state-metrics) names the container when it restarted.'],
    }),
    eventAlert({
      alert: 'KubeEventNodeOOM',
      selectors: [err('NodeOOM', 'Node')],
      object: 'node',
      severity: 'warning',
      what: 'ran out of memory',
      description: 'The kubelet saw a system OOM kill on the node (SystemOOM).',
      steps: ['kubectl describe node <node>: allocatable vs requested memory.', 'journalctl -k on the node: which process the kernel killed.'],
    }),
    eventAlert({
      alert: 'KubeEventPodCrashLooping',
      selectors: [err('PodCrash', 'Pod')],
      object: 'pod',
      severity: 'warning',
      what: 'is backing off restarting a failed container',
      description: 'The kubelet delays restarting a container that keeps failing (BackOff).',
      steps: ['kubectl -n <namespace> logs <pod> --previous'],
      inhibitedBy: { alert: 'KubePodCrashLooping', equal: ['cluster', 'namespace', 'pod'] },
    }),
    eventAlert({
      alert: 'KubeEventImagePullFailing',
      selectors: [err('PodImagePullBackOff', 'Pod')],
      object: 'pod',
      severity: 'warning',
      what: 'cannot pull its image',
      description: 'The kubelet failed to pull an image (ErrImagePull, ImagePullBackOff).',
      steps: pullSteps,
    }),
    eventAlert({
      alert: 'KubeEventContainerFailedToStart',
      selectors: [err('PodFailStart', 'Pod')],
      object: 'pod',
      severity: 'warning',
      what: 'failed to start a container',
      description: 'The kubelet could not create or start a container (missing ConfigMap or Secret, bad command, runtime error).',
      steps: ['kubectl -n <namespace> describe pod <pod>: the failing container and the error.'],
    }),
    eventAlert({
      alert: 'KubeEventInsufficientResources',
      selectors: [err('ResourceInsufficient', 'Pod')],
      object: 'pod',
      severity: 'warning',
      what: 'cannot be scheduled: insufficient resources',
      description: 'The scheduler found no node with enough free CPU, memory or devices (FailedScheduling: Insufficient).',
      steps: ['kubectl describe nodes: Allocated resources.', 'Lower the requests, add a node, or move workloads.'],
    }),
    eventAlert({
      alert: 'KubeEventSchedulingFailed',
      selectors: [err('PodFailScheduling', 'Pod')],
      object: 'pod',
      severity: 'warning',
      what: 'cannot be scheduled',
      description: 'The scheduler found no node for the pod for another reason than resources (affinity, taints, volume binding).',
      steps: ['kubectl -n <namespace> describe pod <pod>: the scheduler says which predicates failed.'],
    }),
    eventAlert({
      alert: 'KubeEventVolumeMountFailed',
      selectors: [err('VolumeFailMount', 'Pod')],
      object: 'pod',
      severity: 'warning',
      what: 'cannot mount or attach a volume',
      description: 'A volume of the pod failed to attach or mount (FailedAttachVolume, FailedMount).',
      steps: ['kubectl -n <namespace> describe pod <pod>: which volume.', 'Check the PVC, the storage driver\'s pods and, for Secrets or ConfigMaps, that they exist.'],
    }),
    eventAlert({
      alert: 'KubeEventProbeFailing',
      selectors: [`${WARNING}{reason="Unhealthy", kind="Pod"}`],
      object: 'pod',
      // A probe acts after failureThreshold (default 3) consecutive failures; fewer is start-up noise.
      min: 3,
      severity: 'warning',
      what: 'is failing its probes',
      description: 'Liveness, readiness or startup probes failed at least 3 times (Unhealthy): the kubelet restarts the container or takes it out of its Services.',
      steps: ['kubectl -n <namespace> describe pod <pod>: which probe, and its output.'],
    }),
    eventAlert({
      alert: 'KubeEventPodCreationDenied',
      selectors: [`${WARNING}{reason="FailedCreate"}`, err('FailCreatePodExceedQuota')],
      object: 'object',
      severity: 'warning',
      what: 'cannot create its pods',
      description:
        'A controller\'s pod creation was refused (FailedCreate): by Pod Security admission, an admission webhook or a ResourceQuota. A security signal: a workload asking for more privilege than its namespace allows.',
      steps: ['kubectl -n <namespace> describe <kind> <name>: the denial (violates PodSecurity, denied the request, exceeded quota).', 'Fix the workload, not the namespace: lowering a Pod Security level is an exception to declare in the stack.'],
    }),
    eventAlert({
      alert: 'KubeEventNodeNotReady',
      selectors: [err('NodeNotReady|NodePLEGUnhealthy', 'Node')],
      object: 'node',
      severity: 'warning',
      what: 'became not ready',
      description: 'The node controller marked the node NotReady (NodeNotReady; PLEG not healthy: the container runtime is stuck).',
      steps: ['kubectl describe node <node>: Conditions.', 'Check power, network and the kubelet of the edge site.'],
      inhibitedBy: { alert: 'KubeNodeNotReady', equal: ['cluster', 'node'] },
    }),
    eventAlert({
      alert: 'KubeEventNodeRebooted',
      selectors: [err('NodeRebooted', 'Node')],
      object: 'node',
      severity: 'warning',
      what: 'rebooted',
      description: 'The kubelet found a new boot id (Rebooted): a power loss, a crash, or someone restarted the node.',
      steps: ['Was a reboot planned? If not, read journalctl --list-boots and the previous boot\'s log on the node.'],
    }),
  ];
  const storm = [ERROR, WARNING].map((m) => `label_replace(${eventsInWindow(m)}, "counter", "${m}", "", "")`).join(' or ');
  alerts.push({
    alert: 'KubeEventWarningStorm',
    expr: `sum by (cluster, namespace) (${storm}) > ${p.stormThreshold}`,
    for: '0m',
    severity: 'warning',
    summary: 'Warning event storm in namespace {{ $labels.namespace }} of cluster {{ $labels.cluster }}',
    description: `{{ $value }} Warning events (with those kube-eventer counts as errors, whatever their type) in the last ${EVENT_WINDOW} in namespace {{ $labels.namespace }} (empty: cluster-scoped objects such as nodes), more than ${p.stormThreshold}.`,
    steps: [
      'Open the Kubernetes Events dashboard: which reasons and objects.',
      'A storm is a symptom: a failing rollout, a node problem, or something probing the cluster.',
      RESET_STEP,
    ],
  });
  const job = `job="${KUBE_EVENTER_NAME}"`;
  const absent = p.clusters.length > 0 ? p.clusters.map((c) => `absent(up{${job}, cluster="${c}"})`) : [`absent(up{${job}})`];
  alerts.push(
    {
      alert: 'KubeEventerDown',
      expr: `up{${job}} == 0 or ${absent.join(' or ')}`,
      for: '10m',
      severity: 'warning',
      summary: 'Kubernetes events are not watched on cluster {{ $labels.cluster }}',
      description: 'Prometheus has not scraped kube-eventer for 10 minutes: event alerts of that cluster are blind.',
      steps: ['kubectl -n <monitoring namespace> get pods -l app.kubernetes.io/name=kube-eventer, and its log.', 'Check that the image can be pulled (monitoring.events.image for a mirror).'],
    },
    {
      alert: 'KubeEventerStale',
      expr: `time() - eventer_manager_last_time_seconds{${job}} > ${MAX_BATCH_DELAY_SECONDS}`,
      for: '5m',
      severity: 'warning',
      summary: 'kube-eventer on cluster {{ $labels.cluster }} stopped processing events',
      description: `No event batch has run for more than ${MAX_BATCH_DELAY_SECONDS} seconds (its own health limit): the process is stuck.`,
      // What this cannot see: the watch runs in a goroutine of its own that retries every second and logs "Failed to
      // load events", while housekeeping goes on (kube-eventer 1.2.14 sources/kubernetes/kubernetes_source.go,
      // manager/manager.go), and no metric counts watch errors: a lost list/watch (its ClusterRole) fires nothing.
      steps: [
        'kubectl -n <monitoring namespace> delete pod -l app.kubernetes.io/name=kube-eventer (the Deployment starts a new one).',
        'Not seen by this or any alert: a lost list/watch of Events (kube-eventer retries every second and exports no error count). Its log then repeats "Failed to load events": check its ClusterRole and the API server.',
      ],
    },
  );
  return alerts;
}

/** The event rule group, with runbook URLs. */
export function eventRuleGroup(p: EventAlertsProps & { readonly extra?: ReadonlyArray<Alert> }): RuleGroup {
  return { name: 'edgewatt-events', rules: [...eventAlerts(p), ...(p.extra ?? [])].map((a) => ({ ...a, runbookURL: runbookURL(p.runbookBase, a.alert) })) };
}
