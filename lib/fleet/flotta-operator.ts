import { ScrapeTarget } from '../core/monitoring-contract';

/**
 * The Flotta operator's own metrics, as its kustomize overlay `config/k8s` installs it
 * (github project-flotta/flotta-operator, tag v0.2.0; the overlay adds the `flotta-` name prefix and no labels):
 *
 * - Two processes serve metrics: the controller manager (`cmd/manager/main.go`, Deployment
 *   `flotta-controller-manager`, pod label `app: flotta-controller-manager`, `config/manager/manager.yaml`) and
 *   the edge API the devices talk to (`cmd/httpapi/main.go`, Deployment `flotta-edge-api`, pod label
 *   `app: flotta-edge-api`, `config/edge-api/server.yaml`). Each serves `/metrics` on :8080 (`METRICS_ADDR`)
 *   behind a kube-rbac-proxy v0.11.0 sidecar listening on `0.0.0.0:8443`, container port named `https`
 *   (`config/base/manager_auth_proxy_patch.yaml`, `config/base/edge_api_auth_proxy_patch.yaml`). Services:
 *   `flotta-controller-manager-metrics-service` and `flotta-edge-api`, port `https` 8443
 *   (`config/rbac/auth_proxy_service.yaml`, `config/edge-api/server.yaml`).
 * - kube-rbac-proxy authenticates the bearer token (TokenReview) and authorizes `get` on the request path as a
 *   nonResourceURL (SubjectAccessReview); upstream ships the ClusterRole `metrics-reader`
 *   (`config/rbac/auth_proxy_client_clusterrole.yaml`) but binds it to nobody.
 * - Without `--tls-cert-file` (upstream passes none) kube-rbac-proxy serves a self-signed certificate it
 *   generates at start for the pod's host name (brancz/kube-rbac-proxy v0.11.0 `main.go`,
 *   `GenerateSelfSignedCertKey`): no CA can verify it, so the scrape skips verification, as upstream's own
 *   ServiceMonitors do (`config/ocp/prometheus/monitor.yaml`: `insecureSkipVerify: true`). The token it
 *   sends is Prometheus's own, whose rights are discovery reads and this nonResourceURL.
 * - Metrics (`internal/common/metrics/metrics.go`): `flotta_api_edge_devices_heartbeat{deviceNamespace,
 *   deviceID}` — the edge API adds 1 per heartbeat received (`internal/edgeapi/yggdrasil/yggdrasil.go`
 *   `RecordEdgeDevicePresence`), creating the series at the first heartbeat after its start; the controller
 *   manager registers the same series at 0 for every EdgeDevice it watches and removes it with the device
 *   (`internal/operator/informers/edgedevice.go`), never incrementing it. Counters without labels:
 *   `flotta_api_edge_devices_successful_registration`, `flotta_api_edge_devices_failed_registration`,
 *   `flotta_api_edge_devices_unregistration`, `flotta_api_edge_devices_failed_authentication`,
 *   `flotta_api_edge_devices_invalid_owner`.
 */
export const FLOTTA_METRIC = {
  heartbeat: 'flotta_api_edge_devices_heartbeat',
  successfulRegistration: 'flotta_api_edge_devices_successful_registration',
  failedRegistration: 'flotta_api_edge_devices_failed_registration',
} as const;

/** One Flotta process whose metrics are scraped. */
export interface FlottaMetricsSource {
  /** Scrape job name. */
  readonly job: string;
  /** Labels of its pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The Service in front of its kube-rbac-proxy. */
  readonly service: string;
}

/** The controller manager: knows every EdgeDevice (heartbeat series at 0 per device). */
export const FLOTTA_MANAGER: FlottaMetricsSource = { job: 'flotta-controller-manager', podLabels: { app: 'flotta-controller-manager' }, service: 'flotta-controller-manager-metrics-service' };

/** The edge API: counts the heartbeats it receives. */
export const FLOTTA_EDGE_API: FlottaMetricsSource = { job: 'flotta-edge-api', podLabels: { app: 'flotta-edge-api' }, service: 'flotta-edge-api' };

/** kube-rbac-proxy's container port name and number in both pods. */
export const FLOTTA_METRICS_PORT = { name: 'https', port: 8443 } as const;

/** The path kube-rbac-proxy forwards, which is also the nonResourceURL it authorizes. */
export const FLOTTA_METRICS_PATH = '/metrics';

/** The scrape targets of the Flotta operator running in `namespace` on `cluster`. */
export function flottaScrapeTargets(cluster: string, namespace: string): ScrapeTarget[] {
  return [FLOTTA_MANAGER, FLOTTA_EDGE_API].map((s) => ({
    job: s.job,
    cluster,
    namespace,
    selector: s.podLabels,
    port: FLOTTA_METRICS_PORT.name,
    path: FLOTTA_METRICS_PATH,
    perNode: false,
    scheme: 'https',
    auth: 'serviceAccountToken',
    tls: { insecureSkipVerify: true, reason: 'kube-rbac-proxy v0.11.0 serves a self-signed certificate generated at start (no --tls-cert-file upstream)' },
    // kube-rbac-proxy authorizes the scraper's token on this nonResourceURL with a SubjectAccessReview.
    nonResourceURL: FLOTTA_METRICS_PATH,
    upstreamPods: { labels: { ...s.podLabels }, ports: [{ name: FLOTTA_METRICS_PORT.name, containerPort: FLOTTA_METRICS_PORT.port }], source: 'project-flotta/flotta-operator v0.2.0 config/base/manager_auth_proxy_patch.yaml, config/base/edge_api_auth_proxy_patch.yaml' },
  }));
}
