/**
 * promtool unit tests of the event alerts. Input series are written the way the hub stores kube-eventer's
 * counters: its real metric names and labels (reason, kind, name, namespace; metrics/prometheus/metrics.go at
 * kube-eventer 1.2.14) plus the scrape's job, instance, node and cluster. Values are worked out by hand beside
 * each case: with 1-minute samples covering the whole 10m window, increase() needs no extrapolation.
 */

const RUNBOOK = 'https://git.example.com/platform/edge-gitops/blob/main/dist/RUNBOOKS.md';
const rb = (alert: string) => `${RUNBOOK}#${alert.toLowerCase()}`;

/** Target labels the scrape adds to every kube-eventer series (node: where the exporter's pod runs). */
const TARGET = 'job="kube-eventer",instance="10.42.0.7:8084",node="n1"';

const series = (metric: string, labels: Record<string, string>, values: string, cluster = 'hub') =>
  ({ series: `${metric}{${TARGET},cluster="${cluster}",${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`, values });

/** A series that appears at minute 15 with one event and never moves: a one-shot Event. */
const BRAND_NEW = '_x15 1x50';
/** A series that exists from the start with 1 and gains two events at minutes 41 and 42. */
const GROWING = '1x40 2 3x30';
/** The exporter's target, scraped from the start (the new-series term needs it scraped 10 minutes earlier). */
const UP = { series: `up{${TARGET},cluster="hub"}`, values: '1x80' };

interface EventCase {
  readonly alert: string;
  readonly metric: 'eventer_events_error_total' | 'eventer_events_warning_total';
  readonly reason: string;
  readonly kind: 'Pod' | 'Node' | 'ReplicaSet';
  /** How the alert names the object. */
  readonly object: 'pod' | 'node' | 'object';
  readonly summary: (o: { ns: string; name: string; kind: string }) => string;
  readonly description: string;
  /** Events needed (the probe alert needs 3). @default 1 */
  readonly min?: number;
}

const CASES: EventCase[] = [
  { alert: 'KubeEventPodEvicted', metric: 'eventer_events_error_total', reason: 'PodEvict', kind: 'Pod', object: 'pod', summary: (o) => `Pod ${o.ns}/${o.name} was evicted`, description: 'The kubelet evicted the pod (node under memory, disk or PID pressure).' },
  { alert: 'KubeEventPodOOMKilling', metric: 'eventer_events_error_total', reason: 'PodOOM', kind: 'Node', object: 'object', summary: (o) => `${o.kind} ${o.ns}/${o.name} reported an out-of-memory kill`, description: 'node-problem-detector saw the kernel kill a process for lack of memory (OOMKilling).' },
  { alert: 'KubeEventNodeOOM', metric: 'eventer_events_error_total', reason: 'NodeOOM', kind: 'Node', object: 'node', summary: (o) => `Node ${o.name} ran out of memory`, description: 'The kubelet saw a system OOM kill on the node (SystemOOM).' },
  { alert: 'KubeEventPodCrashLooping', metric: 'eventer_events_error_total', reason: 'PodCrash', kind: 'Pod', object: 'pod', summary: (o) => `Pod ${o.ns}/${o.name} is backing off restarting a failed container`, description: 'The kubelet delays restarting a container that keeps failing (BackOff).' },
  { alert: 'KubeEventImagePullFailing', metric: 'eventer_events_error_total', reason: 'PodImagePullBackOff', kind: 'Pod', object: 'pod', summary: (o) => `Pod ${o.ns}/${o.name} cannot pull its image`, description: 'The kubelet failed to pull an image (ErrImagePull, ImagePullBackOff).' },
  { alert: 'KubeEventContainerFailedToStart', metric: 'eventer_events_error_total', reason: 'PodFailStart', kind: 'Pod', object: 'pod', summary: (o) => `Pod ${o.ns}/${o.name} failed to start a container`, description: 'The kubelet could not create or start a container (missing ConfigMap or Secret, bad command, runtime error).' },
  { alert: 'KubeEventInsufficientResources', metric: 'eventer_events_error_total', reason: 'ResourceInsufficient', kind: 'Pod', object: 'pod', summary: (o) => `Pod ${o.ns}/${o.name} cannot be scheduled: insufficient resources`, description: 'The scheduler found no node with enough free CPU, memory or devices (FailedScheduling: Insufficient).' },
  { alert: 'KubeEventSchedulingFailed', metric: 'eventer_events_error_total', reason: 'PodFailScheduling', kind: 'Pod', object: 'pod', summary: (o) => `Pod ${o.ns}/${o.name} cannot be scheduled`, description: 'The scheduler found no node for the pod for another reason than resources (affinity, taints, volume binding).' },
  { alert: 'KubeEventVolumeMountFailed', metric: 'eventer_events_error_total', reason: 'VolumeFailMount', kind: 'Pod', object: 'pod', summary: (o) => `Pod ${o.ns}/${o.name} cannot mount or attach a volume`, description: 'A volume of the pod failed to attach or mount (FailedAttachVolume, FailedMount).' },
  { alert: 'KubeEventProbeFailing', metric: 'eventer_events_warning_total', reason: 'Unhealthy', kind: 'Pod', object: 'pod', min: 3, summary: (o) => `Pod ${o.ns}/${o.name} is failing its probes`, description: 'Liveness, readiness or startup probes failed at least 3 times (Unhealthy): the kubelet restarts the container or takes it out of its Services.' },
  {
    alert: 'KubeEventPodCreationDenied', metric: 'eventer_events_warning_total', reason: 'FailedCreate', kind: 'ReplicaSet', object: 'object', summary: (o) => `${o.kind} ${o.ns}/${o.name} cannot create its pods`,
    description: 'A controller\'s pod creation was refused (FailedCreate): by Pod Security admission, an admission webhook or a ResourceQuota. A security signal: a workload asking for more privilege than its namespace allows.',
  },
  { alert: 'KubeEventNodeNotReady', metric: 'eventer_events_error_total', reason: 'NodeNotReady', kind: 'Node', object: 'node', summary: (o) => `Node ${o.name} became not ready`, description: 'The node controller marked the node NotReady (NodeNotReady; PLEG not healthy: the container runtime is stuck).' },
  { alert: 'KubeEventNodeRebooted', metric: 'eventer_events_error_total', reason: 'NodeRebooted', kind: 'Node', object: 'node', summary: (o) => `Node ${o.name} rebooted`, description: 'The kubelet found a new boot id (Rebooted): a power loss, a crash, or someone restarted the node.' },
];

/** The labels of one event series and of the alert it raises. */
function objectOf(c: EventCase, name: string): { input: Record<string, string>; alert: Record<string, string>; ns: string } {
  const ns = c.kind === 'Node' ? '' : 'shop';
  // Events on cluster-scoped objects (nodes) have an empty namespace, which Prometheus drops.
  const input = { reason: c.reason, kind: c.kind, name, ...(ns ? { namespace: ns } : {}) };
  const alert: Record<string, string> =
    c.object === 'pod' ? { cluster: 'hub', namespace: ns, pod: name, reason: c.reason } : c.object === 'node' ? { cluster: 'hub', node: name, reason: c.reason } : { cluster: 'hub', kind: c.kind, name, reason: c.reason, ...(ns ? { namespace: ns } : {}) };
  return { input, alert, ns };
}

function firing(c: EventCase, name: string, value: number) {
  const o = objectOf(c, name);
  return {
    exp_labels: { severity: 'warning', ...o.alert },
    exp_annotations: {
      summary: c.summary({ ns: o.ns, name, kind: c.kind }),
      description: `${c.description} ${value} event(s) in the last 10m on cluster hub (reason ${c.reason}).`,
      runbook_url: rb(c.alert),
    },
  };
}

/**
 * Per alert: a brand-new series (one-shot event, invisible to increase()) fires from the first evaluation
 * that sees it until the window has passed; a growing series fires with the events of the window; Normal
 * events of the same reason and namespace never fire it. Alerts that need 3 events get series that reach 3.
 */
function eventCase(c: EventCase): unknown {
  const min = c.min ?? 1;
  const normal = { series: `eventer_events_normal_total{${TARGET},cluster="hub",reason="${c.reason}",namespace="shop",kind="${c.kind}"}`, values: '_x15 1+1x60' };
  // With min 3: the brand-new series starts at 3 (three failures in the first scrape); another one starts at
  // 2 and stays below; the growing one goes 1 → 4 (three events at minutes 41, 42, 43).
  const fresh = min === 1 ? BRAND_NEW : '_x15 3x50';
  const grow = min === 1 ? GROWING : '1x40 2 3 4x30';
  const inputs = [
    UP,
    series(c.metric, objectOf(c, 'fresh').input, fresh),
    series(c.metric, objectOf(c, 'grow').input, grow),
    ...(min > 1 ? [series(c.metric, objectOf(c, 'few').input, '_x15 2x50')] : []),
    normal,
  ];
  return {
    interval: '1m',
    input_series: inputs,
    alert_rule_test: [
      // Before anything happened (the growing series sits at 1 since minute 0: old, not new).
      { eval_time: '14m', alertname: c.alert, exp_alerts: [] },
      // Minute 15: the new series is seen at its first sample. Minute 24: still inside its window.
      { eval_time: '15m', alertname: c.alert, exp_alerts: [firing(c, 'fresh', min)] },
      { eval_time: '24m', alertname: c.alert, exp_alerts: [firing(c, 'fresh', min)] },
      // Minute 25: the series existed 10 minutes ago and has not grown: silent.
      { eval_time: '25m', alertname: c.alert, exp_alerts: [] },
      // Minute 45: the growing series gained 2 (or 3) within the window (samples 35..45 span it exactly).
      { eval_time: '45m', alertname: c.alert, exp_alerts: [firing(c, 'grow', min === 1 ? 2 : 3)] },
      // Minute 55: no event for 12 minutes: silent again, while Normal events keep counting.
      { eval_time: '55m', alertname: c.alert, exp_alerts: [] },
    ],
  };
}

/**
 * Prometheus starts (or comes back from an outage) at minute 20 and finds series that already hold counts:
 * they are not new events, and must not page. A one-shot event at minute 35 still does.
 */
function noFloodAfterGapCase(): unknown {
  const c = CASES[0];
  return {
    interval: '1m',
    input_series: [
      { series: `up{${TARGET},cluster="hub"}`, values: '_x20 1x40' },
      series(c.metric, objectOf(c, 'old').input, '_x20 5x40'),
      series(c.metric, objectOf(c, 'fresh').input, '_x35 1x20'),
    ],
    alert_rule_test: [
      { eval_time: '21m', alertname: c.alert, exp_alerts: [] },
      { eval_time: '29m', alertname: c.alert, exp_alerts: [] },
      { eval_time: '36m', alertname: c.alert, exp_alerts: [firing(c, 'fresh', 1)] },
    ],
  };
}

/** The storm: namespace `noisy` gets 11 Warning events a minute (110 in 10m, over 100); `busy` 10 (100: not over). */
function stormCase(threshold: number): unknown {
  const warn = (ns: string, name: string, values: string) => series('eventer_events_warning_total', { reason: 'BackOff', kind: 'Pod', name, namespace: ns }, values);
  return {
    interval: '1m',
    input_series: [
      UP,
      warn('noisy', 'a', `0+${(threshold + 10) / 10}x30`),
      warn('busy', 'b', `0+${threshold / 10}x30`),
      // A burst of new objects: 50 + 51 events on two brand-new series at minute 25 (101, over 100 if the
      // threshold is 100), seen although increase() sees neither.
      warn('burst', 'c', `_x25 ${Math.floor(threshold / 2)}x10`),
      warn('burst', 'd', `_x25 ${threshold - Math.floor(threshold / 2) + 1}x10`),
      // Normal events never count, however many.
      { series: `eventer_events_normal_total{${TARGET},cluster="hub",reason="Pulled",namespace="quiet",kind="Pod"}`, values: `0+${threshold}x30` },
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'KubeEventWarningStorm', exp_alerts: [] },
      {
        eval_time: '20m',
        alertname: 'KubeEventWarningStorm',
        exp_alerts: [stormAlert('noisy', threshold + 10, threshold)],
      },
      {
        eval_time: '26m',
        alertname: 'KubeEventWarningStorm',
        exp_alerts: [stormAlert('burst', threshold + 1, threshold), stormAlert('noisy', threshold + 10, threshold)],
      },
    ],
  };
}

function stormAlert(ns: string, value: number, threshold: number) {
  return {
    exp_labels: { severity: 'warning', cluster: 'hub', namespace: ns },
    exp_annotations: {
      summary: `Warning event storm in namespace ${ns} of cluster hub`,
      description: `${value} Warning events (with those kube-eventer counts as errors, whatever their type) in the last 10m in namespace ${ns} (empty: cluster-scoped objects such as nodes), more than ${threshold}.`,
      runbook_url: rb('KubeEventWarningStorm'),
    },
  };
}

/** The exporter: hub's target down for 15 minutes; line-1's never scraped at all (absent). */
function exporterCases(): unknown[] {
  return [
    {
      interval: '1m',
      input_series: [{ series: `up{${TARGET},cluster="hub"}`, values: '1x5 0x20' }],
      alert_rule_test: [
        { eval_time: '9m', alertname: 'KubeEventerDown', exp_alerts: [] },
        {
          eval_time: '20m',
          alertname: 'KubeEventerDown',
          exp_alerts: [
            { exp_labels: { severity: 'warning', job: 'kube-eventer', instance: '10.42.0.7:8084', node: 'n1', cluster: 'hub' }, exp_annotations: downAnnotations('hub') },
            { exp_labels: { severity: 'warning', job: 'kube-eventer', cluster: 'line-1' }, exp_annotations: downAnnotations('line-1') },
          ],
        },
      ],
    },
    {
      // Housekeeping every minute until minute 10 (the gauge holds Unix seconds), then stuck at 600 s:
      // time() - 600 > 180 from minute 13, for 5 minutes → firing from minute 18.
      interval: '1m',
      input_series: [{ series: `eventer_manager_last_time_seconds{${TARGET},cluster="hub"}`, values: '0+60x10 600x20' }],
      alert_rule_test: [
        { eval_time: '16m', alertname: 'KubeEventerStale', exp_alerts: [] },
        {
          eval_time: '20m',
          alertname: 'KubeEventerStale',
          exp_alerts: [
            {
              exp_labels: { severity: 'warning', job: 'kube-eventer', instance: '10.42.0.7:8084', node: 'n1', cluster: 'hub' },
              exp_annotations: {
                summary: 'kube-eventer on cluster hub stopped processing events',
                description: 'No event batch has run for more than 180 seconds (its own health limit): the process is stuck.',
                runbook_url: rb('KubeEventerStale'),
              },
            },
          ],
        },
      ],
    },
  ];
}

function downAnnotations(cluster: string) {
  return {
    summary: `Kubernetes events are not watched on cluster ${cluster}`,
    description: 'Prometheus has not scraped kube-eventer for 10 minutes: event alerts of that cluster are blind.',
    runbook_url: rb('KubeEventerDown'),
  };
}

/** What the registry alert's description lists, for the demo's default (the stack's own images). */
export const DEMO_REGISTRIES = 'docker.io, quay.io, registry.aliyuncs.com, registry.example, registry.k8s.io';

/**
 * Images in the stack's namespaces: the stack's own (allowed), a Docker Hub short name (docker.io: allowed),
 * one from an undeclared registry (fires), and the same undeclared image outside the stack's namespaces
 * (not checked without monitoring.events.allowedRegistries).
 */
function registryCase(): unknown {
  const info = (ns: string, pod: string, image: string, metric = 'kube_pod_container_info') => ({
    series: `${metric}{job="kube-state-metrics",instance="10.42.0.9:8080",cluster="line-1",namespace="${ns}",pod="${pod}",container="c",uid="u-${pod}",image_spec="${image}",image="${image}",image_id="",container_id=""}`,
    values: '1x20',
  });
  return {
    interval: '1m',
    input_series: [
      info('iomt-object-detection', 'detector', 'registry.example/iomt/detector:2.1.0'),
      info('iomt-object-detection', 'sidecar', 'busybox:1.36'),
      info('iomt-object-detection', 'miner', 'evil.example.net/tools/miner:1.0'),
      info('iomt-object-detection', 'init', 'registry.example.evil.net/x:1', 'kube_pod_init_container_info'),
      info('kube-system', 'cni', 'evil.example.net/tools/miner:1.0'),
    ],
    alert_rule_test: [
      {
        eval_time: '5m',
        alertname: 'KubePodImageFromUndeclaredRegistry',
        exp_alerts: [
          registryAlert('init', 'registry.example.evil.net/x:1'),
          registryAlert('miner', 'evil.example.net/tools/miner:1.0'),
        ],
      },
    ],
  };
}

function registryAlert(pod: string, image: string) {
  return {
    exp_labels: { severity: 'warning', cluster: 'line-1', namespace: 'iomt-object-detection', pod, container: 'c', image_spec: image },
    exp_annotations: {
      summary: `Pod iomt-object-detection/${pod} runs an image from an undeclared registry`,
      description: `Container c runs ${image}, which is not from the registries of the stack's own images (${DEMO_REGISTRIES}). A security signal: an image nobody declared.`,
      runbook_url: rb('KubePodImageFromUndeclaredRegistry'),
    },
  };
}

/** Every event-alert unit test, for a stack with clusters hub and line-1 and the storm threshold given. */
export function eventUnitTests(stormThreshold = 100): unknown[] {
  return [...CASES.map(eventCase), noFloodAfterGapCase(), stormCase(stormThreshold), ...exporterCases(), registryCase()];
}

/** Names of the alerts the cases cover. */
export const EVENT_ALERTS_TESTED = [...CASES.map((c) => c.alert), 'KubeEventWarningStorm', 'KubeEventerDown', 'KubeEventerStale', 'KubePodImageFromUndeclaredRegistry'];
