/** prometheus.yml as typed objects (only the fields edgewatt writes), and the builders of its parts. */
import { ScrapeTarget } from '../core/monitoring-contract';
import { belowRegex, keptBuckets, SAMPLE_MODULUS, SelectionPolicy } from './hashmod';

export interface RelabelConfig {
  readonly source_labels?: ReadonlyArray<string>;
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly modulus?: number;
  readonly action?: 'replace' | 'keep' | 'drop' | 'hashmod' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

export interface KubernetesSdConfig {
  readonly role: 'pod' | 'endpoints' | 'service' | 'node';
  readonly namespaces?: { readonly names: ReadonlyArray<string> };
  readonly attach_metadata?: { readonly node: boolean };
}

export interface StaticConfig {
  readonly targets: ReadonlyArray<string>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Where Kubernetes mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ScrapeConfig {
  readonly job_name: string;
  readonly scrape_interval?: string;
  readonly metrics_path?: string;
  readonly scheme?: 'http' | 'https';
  readonly authorization?: { readonly type: 'Bearer'; readonly credentials_file: string };
  readonly tls_config?: { readonly ca_file?: string; readonly server_name?: string; readonly insecure_skip_verify?: boolean };
  readonly honor_labels?: boolean;
  readonly fallback_scrape_protocol?: 'PrometheusText0.0.4';
  readonly kubernetes_sd_configs?: ReadonlyArray<KubernetesSdConfig>;
  readonly static_configs?: ReadonlyArray<StaticConfig>;
  readonly relabel_configs?: ReadonlyArray<RelabelConfig>;
}

export interface RemoteWriteConfig {
  readonly url: string;
  readonly name?: string;
  /** Basic authentication; the password is read from a file (a mounted Secret), never written here. */
  readonly basic_auth?: { readonly username: string; readonly password_file: string };
  readonly write_relabel_configs?: ReadonlyArray<RelabelConfig>;
}

export interface PrometheusConfig {
  readonly global: { readonly scrape_interval: string; readonly evaluation_interval: string; readonly external_labels: Readonly<Record<string, string>> };
  readonly rule_files?: ReadonlyArray<string>;
  readonly alerting?: { readonly alertmanagers: ReadonlyArray<{ readonly static_configs: ReadonlyArray<StaticConfig> }> };
  readonly scrape_configs: ReadonlyArray<ScrapeConfig>;
  readonly remote_write?: ReadonlyArray<RemoteWriteConfig>;
}

/** A Kubernetes label name as service discovery exposes it (`app.kubernetes.io/name` → `app_kubernetes_io_name`). */
export function sdLabel(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * The relabel rules of the selective monitoring policy for per-node targets: keep a target when its node
 * has every `always` label, or when the node name hashes into the sampled share.
 */
export function selectionRelabels(policy: SelectionPolicy): RelabelConfig[] {
  const always = Object.entries(policy.always ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return [
    { source_labels: ['__meta_kubernetes_pod_node_name'], modulus: SAMPLE_MODULUS, target_label: '__tmp_hash', action: 'hashmod' },
    { source_labels: ['__tmp_hash'], regex: belowRegex(keptBuckets(policy.sample)), target_label: '__tmp_selected', replacement: 'true', action: 'replace' },
    ...(always.length > 0
      ? [
          {
            source_labels: always.map(([k]) => `__meta_kubernetes_node_label_${sdLabel(k)}`),
            separator: ';',
            regex: always.map(([, v]) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(';'),
            target_label: '__tmp_selected',
            replacement: 'true',
            action: 'replace' as const,
          },
        ]
      : []),
    { source_labels: ['__tmp_selected'], regex: 'true', action: 'keep' },
  ];
}

/** One scrape job for a component's pods, with the stack's standard target labels. */
export function podScrapeConfig(t: ScrapeTarget, cluster: string, policy?: SelectionPolicy): ScrapeConfig {
  const selector = Object.entries(t.selector).sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    job_name: t.job,
    metrics_path: t.path,
    ...(t.scheme === 'https' ? { scheme: 'https' as const } : {}),
    ...(t.auth === 'serviceAccountToken' ? { authorization: { type: 'Bearer' as const, credentials_file: `${SERVICE_ACCOUNT_DIR}/token` } } : {}),
    ...(t.tls
      ? {
          tls_config:
            'insecureSkipVerify' in t.tls
              ? { insecure_skip_verify: true }
              : { ca_file: `${SERVICE_ACCOUNT_DIR}/ca.crt`, ...(t.tls.serverName ? { server_name: t.tls.serverName } : {}) },
        }
      : {}),
    honor_labels: t.honorLabels ?? false,
    ...(t.fallbackProtocol ? { fallback_scrape_protocol: t.fallbackProtocol } : {}),
    kubernetes_sd_configs: [
      { role: 'pod', namespaces: { names: [t.namespace] }, ...(t.perNode && policy?.always && Object.keys(policy.always).length ? { attach_metadata: { node: true } } : {}) },
    ],
    relabel_configs: [
      ...selector.map(([k, v]) => ({ source_labels: [`__meta_kubernetes_pod_label_${sdLabel(k)}`], regex: v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), action: 'keep' as const })),
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: t.port, action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Running', action: 'keep' },
      ...(t.perNode && policy ? selectionRelabels(policy) : []),
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node', action: 'replace' },
      { target_label: 'cluster', replacement: cluster, action: 'replace' },
    ],
  };
}
