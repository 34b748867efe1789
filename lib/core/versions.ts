/**
 * Every image and upstream version edgewatt deploys, in one place. Nothing uses `:latest`. Each entry
 * names the upstream release its manifests and facts were read from.
 */
export const VERSIONS = {
  /** Kepler 0.7 line (eBPF, estimator, model server): upstream tag v0.7.12, image tag release-0.7.12. */
  keplerClassic: { image: 'quay.io/sustainable_computing_io/kepler', tag: 'release-0.7.12', upstream: 'v0.7.12' },
  /** Kepler 0.10+ rewrite (RAPL and /proc): upstream tag v0.11.4. */
  keplerCurrent: { image: 'quay.io/sustainable_computing_io/kepler', tag: 'v0.11.4', upstream: 'v0.11.4' },
  /**
   * Kepler model server v0.7.12, as kepler-operator v0.15.0 pairs it with Kepler release-0.7.12
   * (`pkg/components/modelserver/modelserver.go` StableImage; Makefile KEPLER_VERSION). Not v0.7.11-2, which Kepler
   * v0.7.12's own compose file still names: Kepler v0.7.12 posts `machine_spec` to /model
   * (`pkg/model/estimator/local/regressor/regressor.go`), which kepler-model-server accepts only from v0.7.12 (commit
   * f902773; before, `ModelRequest(**request)` raised a TypeError: HTTP 500, and the exporter fell back to its
   * built-in weights), and v0.7.11-2 mkdirs under site-packages at import (`train/profiler/profiler.py`), which a
   * read-only root filesystem refuses; v0.7.12 writes its resources under RESOURCE_DIR, /tmp/model-server/resources
   * by default (`src/kepler_model/util/config.py`, commit 60ec181).
   */
  keplerModelServer: { image: 'quay.io/sustainable_computing_io/kepler_model_server', tag: 'v0.7.12', upstream: 'v0.7.12' },
  /** From kube-prometheus jsonnet/kube-prometheus/versions.json (2026-08). */
  prometheus: { image: 'quay.io/prometheus/prometheus', tag: 'v3.13.2', upstream: 'v3.13.2' },
  alertmanager: { image: 'quay.io/prometheus/alertmanager', tag: 'v0.33.1', upstream: 'v0.33.1' },
  kubeStateMetrics: { image: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.19.1', upstream: 'v2.19.1' },
  /** Reloads Prometheus and Alertmanager when their mounted configuration changes. */
  configReloader: { image: 'quay.io/prometheus-operator/prometheus-config-reloader', tag: 'v0.93.1', upstream: 'v0.93.1' },
  /** From kube-prometheus versions.json (2026-08). */
  grafana: { image: 'docker.io/grafana/grafana', tag: '13.1.3', upstream: '13.1.3' },
  /**
   * kube-eventer (github AliyunContainerService/kube-eventer). Facts read at tag 1.2.14; the image tag is the one
   * that tag's deploy/deploy.yaml pins. It is built from commit ca03be0, whose metrics/, api/, sources/, manager/
   * and eventer.go equal tag 1.2.14's (git diff ca03be0 1.2.14 leaves them alone; it changes common/kubernetes, sinks,
   * go.mod and vendor/, the Dockerfiles, docs and deploy files).
   */
  kubeEventer: { image: 'registry.aliyuncs.com/acs/kube-eventer', tag: 'v1.2.7-ca03be0-aliyun', upstream: '1.2.14' },
  /**
   * The Flotta operator, installed from its upstream repository by an Argo CD Application (kustomize
   * `config/k8s`, project-flotta/flotta-operator tag v0.2.0). Facts read at that tag:
   * - `config/k8s/kustomization.yaml`: namespace `flotta`, namePrefix `flotta-`, resources `../base` and
   *   `../network` (an OpenShift Route `edge-api`, `config/network/route.yaml`).
   * - `config/manager/kustomization.yaml` and `config/edge-api/kustomization.yaml` rename the images
   *   `controller` and `edge-api` to `quay.io/project-flotta/flotta-operator` and
   *   `quay.io/project-flotta/flotta-edge-api` with no tag, and `config/manager/manager.yaml`,
   *   `config/edge-api/server.yaml` write `:latest`: built as-is the release runs `:latest`.
   * - `config/base/manager_auth_proxy_patch.yaml`, `config/base/edge_api_auth_proxy_patch.yaml`: a
   *   kube-rbac-proxy sidecar `gcr.io/kubebuilder/kube-rbac-proxy:v0.11.0` (registry since shut down).
   * - `config/base/kustomization.yaml` includes `../certmanager` (a self-signed Issuer `issuer` and the
   *   Certificate `webhook-cert`, cert-manager.io/v1) and the webhook CA-injection patches: cert-manager is
   *   required.
   */
  flottaOperator: {
    repoURL: 'https://github.com/project-flotta/flotta-operator',
    tag: 'v0.2.0',
    upstream: 'v0.2.0',
    path: 'config/k8s',
    namespace: 'flotta',
    /** Images of the kustomize build, by the name the base gives them, pinned to the release. */
    images: { operator: 'quay.io/project-flotta/flotta-operator', edgeApi: 'quay.io/project-flotta/flotta-edge-api' },
  },
  /**
   * kube-rbac-proxy, the metrics sidecar of the Flotta operator: the same release (v0.11.0) as Flotta v0.2.0
   * pins, from its own project's registry (brancz/kube-rbac-proxy tag v0.11.0, `Makefile`
   * `DOCKER_REPO?=quay.io/brancz/kube-rbac-proxy`, `VERSION` v0.11.0), since gcr.io/kubebuilder is gone.
   */
  kubeRbacProxy: { image: 'quay.io/brancz/kube-rbac-proxy', tag: 'v0.11.0', upstream: 'v0.11.0', replaces: 'gcr.io/kubebuilder/kube-rbac-proxy' },
  /**
   * cert-manager's Helm chart (cert-manager/cert-manager tag v1.21.1). The HTTP repository gets every
   * release (`design/20240625.push-charts-to-oci.md`; OCI `quay.io/jetstack/charts` too); chart versions
   * carry the leading `v`. `deploy/charts/cert-manager/values.yaml`: `crds.enabled` (default false) and
   * `crds.keep` replace the deprecated `installCRDs`; `global.leaderElection.namespace` defaults to
   * kube-system. Largest CRD (`deploy/crds/cert-manager.io_clusterissuers.yaml`) is 146,463 bytes as
   * compact JSON, under the client-side apply annotation limit.
   */
  certManager: {
    repoURL: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    version: 'v1.21.1',
    upstream: 'v1.21.1',
    namespace: 'cert-manager',
    largestCrdJsonBytes: 146463,
  },
  /**
   * kube-prometheus-stack, the optional managed install of prometheus-operator mode (monitoring.operator.install):
   * Helm repository and chart as its README states (github prometheus-community/helm-charts, tag
   * kube-prometheus-stack-88.5.3, charts/kube-prometheus-stack/README.md); Chart.yaml appVersion v0.93.1.
   */
  kubePrometheusStack: { repoURL: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '88.5.3', upstream: 'kube-prometheus-stack-88.5.3' },
} as const;

/**
 * The registry of an image reference, as container runtimes resolve it: the first path component when it
 * has a `.` or `:` or is `localhost`, else Docker Hub (`docker.io`).
 */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
}

/** A pinned image reference. */
export function imageRef(v: { readonly image: string; readonly tag: string }): string {
  return `${v.image}:${v.tag}`;
}

/**
 * The most a `kubectl.kubernetes.io/last-applied-configuration` annotation can hold: Kubernetes caps all
 * annotations of an object at 256 KiB (apimachinery `TotalAnnotationSizeLimitB`), so a CRD whose JSON is
 * larger can only be applied server-side.
 */
export const CLIENT_SIDE_APPLY_LIMIT_BYTES = 262144;

const EXACT_SEMVER = /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Whether `v` names exactly one chart version (`1.2.3`, `v1.21.1`, `1.0.0-rc.1`): not a range (`^1.2`,
 * `~1.2.0`, `>=1`, `1.2.x`, `1.2.*`), not `*`, not empty. Argo CD reads a Helm source's `targetRevision` as a
 * semver constraint (argo-cd v3.5.1 `pkg/apis/application/v1alpha1/types.go`, ApplicationSource), so
 * anything else would follow new chart releases without a commit.
 */
export function isExactChartVersion(v: unknown): v is string {
  return typeof v === 'string' && EXACT_SEMVER.test(v);
}
