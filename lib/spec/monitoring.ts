import { z } from 'zod';
import { OPERATOR_LAYOUTS } from '../core/operator-layouts';
import { dnsLabel, duration, labelMap, re2Problem, storageSize } from './common';
import { exposureSchema, receiverAuthSchema } from './transport';
import { eventsSchema } from './events';

/** How Prometheus is provided. */
export const MONITORING_MODES = ['bundled', 'prometheus-operator'] as const;

const secretKeyRef = z.strictObject({
  name: dnsLabel.describe('Secret created outside Git, in the monitoring namespace.'),
  key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a Secret key such as url or token' }),
});

const receiverSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS label such as on-call' }).refine((n) => n !== 'null', { message: '"null" is the built-in receiver that drops alerts: choose another name' }),
  webhook: z
    .strictObject({
      url: z
        .string()
        .regex(/^https?:\/\/[^\s@]+$/, { message: 'must be an http(s) URL without credentials: put the token in tokenSecret' })
        .describe('Webhook endpoint (not a secret).'),
      tokenSecret: secretKeyRef.optional().describe('Secret key holding a bearer token. @default - no token'),
    })
    .optional(),
  slack: z
    .strictObject({ apiURLSecret: secretKeyRef.describe('Secret key holding the Slack webhook URL.'), channel: z.string().min(1) })
    .optional(),
});

const routeSchema = z.strictObject({
  receiver: z.string().min(1).describe('A receiver name, or "null".'),
  matchers: z
    .array(
      z
        .string()
        .regex(/^[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*"$/, { message: 'must be a matcher such as severity="critical"' })
        .superRefine((m, ctx) => {
          const re = /^[a-zA-Z_][a-zA-Z0-9_]*\s*[=!]~\s*"([^"]*)"$/.exec(m);
          const problem = re ? re2Problem(re[1].replace(/\\(.)/g, '$1')) : undefined; // the value is a Go-quoted string
          if (problem) ctx.addIssue({ code: 'custom', message: `has a regular expression Alertmanager cannot compile (${problem}): write RE2 syntax, e.g. severity=~"critical|warning"` });
        }),
    )
    .min(1),
  continue: z.boolean().default(false).describe('@default false'),
});

/** The existing Prometheus Operator install that edgewatt's objects are for (prometheus-operator mode). */
export const operatorSchema = z
  .strictObject({
    layout: z
      .enum(OPERATOR_LAYOUTS)
      .default('kube-prometheus-stack')
      .describe(
        'How the install was made: the kube-prometheus-stack Helm chart (selects monitors and rules labelled release: <release>) or kube-prometheus jsonnet (selects everything, but its Prometheus has RBAC only in default, kube-system and its own namespace). @default kube-prometheus-stack',
      ),
    release: dnsLabel
      .default('kube-prometheus-stack')
      .describe('Helm release name of kube-prometheus-stack: every PodMonitor and PrometheusRule carries the label release=<release>. @default kube-prometheus-stack'),
    namespace: dnsLabel
      .default('monitoring')
      .describe('Namespace of the install\'s Prometheus; external: edgewatt neither creates, labels nor deletes it. @default monitoring'),
    serviceAccount: dnsLabel
      .optional()
      .describe('ServiceAccount of the install\'s Prometheus; it gets a Role to discover pods in every namespace edgewatt asks it to scrape. @default - prometheus-k8s (kube-prometheus), <fullname>-prometheus (kube-prometheus-stack)'),
    service: dnsLabel
      .optional()
      .describe('Service of the install\'s Prometheus (port 9090), queried by Grafana. @default - prometheus-k8s (kube-prometheus), <fullname>-prometheus (kube-prometheus-stack)'),
    receiverURL: z
      .string()
      .regex(/^https?:\/\/[^\s@/]+(\/\S*)?$/, { message: 'must be an http(s) URL without credentials, such as https://prometheus.example.com/api/v1/write' })
      .optional()
      .describe(
        'Remote-write receiver of the hub\'s Prometheus as devices (and, with install, edge clusters) reach it, e.g. https://prometheus.example.com/api/v1/write. Required when fleet devices send metrics. @default - none',
      ),
    install: z
      .boolean()
      .default(false)
      .describe('Install kube-prometheus-stack (chart 88.5.3) with an Argo CD Application on every cluster, with this release name and namespace. @default false (an install exists)'),
  })
  .describe('The existing Prometheus Operator install (prometheus-operator mode). @default - kube-prometheus-stack, release kube-prometheus-stack, namespace monitoring');

/** The monitoring section: Prometheus, rules, Alertmanager. */
export const monitoringSchema = z
  .strictObject({
    cluster: dnsLabel.optional().describe('Cluster of the hub Prometheus. @default - the only cluster'),
    namespace: dnsLabel.default('monitoring').describe('@default monitoring'),
    mode: z
      .enum(MONITORING_MODES)
      .default('bundled')
      .describe('bundled Prometheus, or objects for an existing Prometheus Operator. @default bundled'),
    operator: operatorSchema.optional().describe('The existing Prometheus Operator install, in prometheus-operator mode. @default - the defaults of each field'),
    retention: duration.default('15d').describe('How long Prometheus keeps samples. @default 15d'),
    storage: storageSize.default('50Gi').describe('Size of the Prometheus volume. @default 50Gi'),
    scrapeInterval: duration.default('30s').describe('@default 30s'),
    selection: z
      .strictObject({
        sample: z
          .number()
          .gt(0, { message: 'must be more than 0: leave selection out to monitor everything' })
          .max(1, { message: 'must be at most 1 (a fraction)' })
          .describe('Fraction of nodes and devices monitored, stable per target (hashmod).'),
        always: labelMap.optional().describe('Targets with all these labels are always monitored. @default - none'),
      })
      .optional()
      .describe('Monitor only part of a large fleet. @default - monitor everything'),
    carbonIntensity: z
      .number()
      .nonnegative()
      .default(475)
      .describe('Grid carbon intensity in gCO2e per kWh, for CO2 rules and panels. @default 475 (world average)'),
    alerts: z
      .strictObject({
        nodePowerWatts: z.number().positive().default(200).describe('@default 200'),
        deviceHeartbeatMinutes: z.number().positive().default(5).describe('@default 5'),
      })
      .default({ nodePowerWatts: 200, deviceHeartbeatMinutes: 5 })
      .describe('Alert thresholds.'),
    alertmanager: z
      .strictObject({
        receivers: z.array(receiverSchema).default([]).describe('Receivers; credentials only as Secret references. @default [] (alerts go to the null receiver)'),
        routes: z.array(routeSchema).default([]).describe('Routes under the root, first match wins. @default []'),
      })
      // A factory: zod copies a default one level deep, so two parses would share (and one could change) the arrays.
      .default(() => ({ receivers: [], routes: [] }))
      .describe('Alertmanager routing (bundled mode).'),
    receiver: z
      .strictObject({
        exposure: exposureSchema.describe('mcs (ServiceExport + remote pod CIDRs), ingress (TLS host) or loadBalancer (TLS host + source CIDRs).'),
        auth: receiverAuthSchema.describe('Basic authentication the receiver requires (Prometheus web config from a Secret).'),
      })
      .optional()
      .describe(
        'How the Prometheus agents of the other clusters reach the hub\'s remote-write receiver (an authenticating receiver in front of the hub Prometheus). Required in bundled mode when other clusters run anything. @default - none: no cluster writes to the hub',
      ),
    events: eventsSchema.prefault({}),
    runbookBaseURL: z
      .string()
      .regex(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
      .refine((u) => !/[{}]/.test(u), { message: 'must not contain "{" or "}": it is placed in alert annotations, which Prometheus expands as Go templates; percent-encode them (%7B, %7D)' })
      .optional()
      .describe('Where the runbooks of edgewatt alerts live. @default - RUNBOOKS.md beside the synthesized YAML in the GitOps repository'),
  })
  .describe('Metrics and alerts. @default - no monitoring components');
