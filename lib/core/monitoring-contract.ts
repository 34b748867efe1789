import { UpstreamPods } from './flows';
/**
 * What a component declares about its own monitoring, the way kube-prometheus components ship theirs: the
 * targets to scrape and its alert and recording rules. The monitoring component collects these from every
 * component; adding a component never means editing the monitoring code.
 */

/** Pods to scrape. */
export interface ScrapeTarget {
  /** The `job` label of the scraped series. */
  readonly job: string;
  readonly cluster: string;
  readonly namespace: string;
  /** Labels that select the pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Name of the container port. */
  readonly port: string;
  readonly path: string;
  /** Whether the target is one per node (a DaemonSet), for the selective monitoring policy. */
  readonly perNode: boolean;
  /** Keep the target's own `namespace`, `pod` … labels (kube-state-metrics). @default false */
  readonly honorLabels?: boolean;
  /** `https` for an endpoint that serves TLS (kube-rbac-proxy). @default http */
  readonly scheme?: 'http' | 'https';
  /**
   * The endpoint authenticates the scraper by its service account token and authorizes it with a
   * SubjectAccessReview (kube-rbac-proxy): Prometheus sends its token as a bearer token and gets a ClusterRole
   * allowing `get` on the `path` nonResourceURL. @default - no authentication
   */
  readonly auth?: 'serviceAccountToken';
  /** How the server certificate is checked (with `scheme: https`). @default - verified against the system roots */
  readonly tls?: ScrapeTLS;
  /** The pods when an upstream component installs them (not in the tree), for the flow gate. @default - the pods are in the tree */
  readonly upstreamPods?: UpstreamPods;
  /** A nonResourceURL the scraper must be allowed to `get` (kube-rbac-proxy in front of the target). @default - none */
  readonly nonResourceURL?: string;
  /**
   * The text format to read a scrape whose Content-Type is blank, unparseable or unknown as (the user's own images,
   * such as IoMT things): Prometheus v3 fails such a scrape without it (prometheus v3.13.2
   * `model/textparse/interface.go` extractMediaType; `docs/migration.md`, "Scrape protocols"), where 2.x read it
   * as the text format. @default - none (an exporter that sets its Content-Type)
   */
  readonly fallbackProtocol?: 'PrometheusText0.0.4';
}

/**
 * Certificate checking of an https target: against the cluster CA Kubernetes mounts into every pod (for
 * certificates the cluster signed), or not at all — only with a reason naming why no CA can verify it.
 */
export type ScrapeTLS =
  | { readonly ca: 'serviceAccount'; readonly serverName?: string }
  | { readonly insecureSkipVerify: true; readonly reason: string };

/** An alerting rule. Every alert has a severity, a summary and a description. */
export interface AlertRule {
  readonly alert: string;
  /** Where the runbook is; every alert has one. */
  readonly runbookURL: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning' | 'info';
  readonly summary: string;
  readonly description: string;
  /** What to check and do, written into RUNBOOKS.md. */
  readonly steps: ReadonlyArray<string>;
  /**
   * Another alert of the stack that already pages for the same condition: while it fires for the same `equal`
   * labels, Alertmanager holds this one back (an inhibit rule), so one condition pages once. @default - none
   */
  readonly inhibitedBy?: { readonly alert: string; readonly equal: ReadonlyArray<string> };
}

/** The inhibit rules the alerts of `groups` ask for (`inhibitedBy`), sorted by target alert. */
export function declaredInhibitions(groups: ReadonlyArray<RuleGroup>): Array<{ source: string; target: string; equal: string[] }> {
  const out = new Map<string, { source: string; target: string; equal: string[] }>();
  for (const g of groups) for (const r of g.rules) if ('alert' in r && r.inhibitedBy) out.set(r.alert, { source: r.inhibitedBy.alert, target: r.alert, equal: [...r.inhibitedBy.equal] });
  return [...out.values()].sort((a, b) => (a.target < b.target ? -1 : 1));
}

/** A recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** A named group of rules. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: ReadonlyArray<AlertRule | RecordingRule>;
}

/** A component's monitoring declaration on one cluster. */
export interface ComponentMonitoring {
  readonly targets: ReadonlyArray<ScrapeTarget>;
  readonly ruleGroups: ReadonlyArray<RuleGroup>;
}

/** The rule group as Prometheus (and the PrometheusRule CRD) write it. */
export function renderRuleGroup(g: RuleGroup): { name: string; rules: Array<Record<string, unknown>> } {
  return {
    name: g.name,
    rules: g.rules.map((r) =>
      'alert' in r
        ? { alert: r.alert, expr: r.expr, for: r.for, labels: { severity: r.severity }, annotations: { summary: r.summary, description: r.description, runbook_url: r.runbookURL } }
        : { record: r.record, expr: r.expr },
    ),
  };
}

/**
 * How the image-registry alert's expression starts its regex of allowed images (lib/events/registries.ts); a Helm
 * chart's `imageRegistry` mirror puts its own prefix right after it (lib/helm/values.ts), so mirrored images are
 * allowed as the images themselves are.
 */
export const ALLOWED_IMAGES_MATCHER = 'image_spec!~"';
