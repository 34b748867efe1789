import { VERSIONS } from '../core/versions';
import { SKIP_DRY_RUN, SYNC_OPTIONS_ANNOTATION } from './sync';

/**
 * The cert-manager objects of flotta-operator v0.2.0 (`config/certmanager/certificate.yaml`, names before the
 * `flotta-` prefix): their CRDs come from the cert-manager Application, so they skip the dry run while those
 * CRDs are missing (when the Application health check is not installed, the waves do not wait for them).
 */
const CERT_MANAGER_OBJECTS = [
  { kind: 'Issuer', name: 'issuer' },
  { kind: 'Certificate', name: 'webhook-cert' },
] as const;

/**
 * The Flotta operator's kustomize source: project-flotta/flotta-operator at v0.2.0, `config/k8s`, made
 * installable on vanilla Kubernetes/k3s by Argo CD's own kustomize options (argo-cd v3.5.1
 * `pkg/apis/application/v1alpha1/types.go`, ApplicationSourceKustomize `images` and `patches`; Argo CD
 * appends `patches` to the path's kustomization.yaml, `util/kustomize/kustomize.go`):
 * - `patches`: deletes the OpenShift Route `edge-api` (`config/network/route.yaml`, passthrough TLS to the
 *   `flotta-edge-api` Service port `yggds`); vanilla clusters have no route.openshift.io API and the sync
 *   would fail. kustomize v5.8.1 (what Argo CD v3.5.1 ships, `hack/tool-versions.sh`) runs `patches` before
 *   the name prefix and before `patchesJson6902` (`api/internal/target/kusttarget_configplugin.go`), so the
 *   target is the base name `edge-api`, and config/k8s's own JSON 6902 patch of the Route then matches
 *   nothing, which is not an error (`plugin/builtin/patchjson6902transformer`). The device-facing edge API is
 *   exposed by the stack's declared transport instead.
 * - `images`: the operator and edge API images at the release tag instead of `:latest`, and kube-rbac-proxy
 *   from its own registry at the same v0.11.0 the release pins.
 * - `patches`: the edge API's server certificate names the host devices connect to (edgeApiDomainPatch).
 * - `patches`: the cert-manager Issuer and Certificate of `config/certmanager/certificate.yaml` stay (cert-manager
 *   is installed in an earlier wave, see cert-manager.ts, or is already on the cluster) and get
 *   SkipDryRunOnMissingResource through strategic-merge patches.
 */
export function flottaOperatorSource(edgeApiHost?: string): Record<string, unknown> {
  const f = VERSIONS.flottaOperator;
  const proxy = VERSIONS.kubeRbacProxy;
  return {
    repoURL: f.repoURL,
    targetRevision: f.tag,
    path: f.path,
    kustomize: {
      images: [`${f.images.operator}:${f.tag}`, `${f.images.edgeApi}:${f.tag}`, `${proxy.replaces}=${proxy.image}:${proxy.tag}`],
      patches: [
        {
          target: { group: 'route.openshift.io', version: 'v1', kind: 'Route', name: 'edge-api' },
          patch: ['$patch: delete', 'apiVersion: route.openshift.io/v1', 'kind: Route', 'metadata:', '  name: edge-api', ''].join('\n'),
        },
        ...(edgeApiHost !== undefined ? [edgeApiDomainPatch(edgeApiHost)] : []),
        ...CERT_MANAGER_OBJECTS.map(({ kind, name }) => ({
          target: { group: 'cert-manager.io', version: 'v1', kind, name },
          patch: ['apiVersion: cert-manager.io/v1', `kind: ${kind}`, 'metadata:', `  name: ${name}`, '  annotations:', `    ${SYNC_OPTIONS_ANNOTATION}: ${SKIP_DRY_RUN}`, ''].join('\n'),
        })),
      ],
    },
  };
}

/**
 * Services of the Flotta operator as installed from config/k8s at v0.2.0 (namespace `flotta`, name prefix
 * `flotta-`), for the parts of the stack that reach them:
 * - `flotta-edge-api` (`config/edge-api/server.yaml`): port `yggds` 8043 — the device-facing edge API
 *   (yggdrasil over mutual TLS) — plus `metrics` 8080 (plain HTTP, from the edge-api container) and `https`
 *   8443 (its kube-rbac-proxy sidecar, `config/base/edge_api_auth_proxy_patch.yaml`); selector
 *   `app: flotta-edge-api`.
 * - `flotta-controller-manager-metrics-service` (`config/rbac/auth_proxy_service.yaml`): port `https` 8443
 *   (kube-rbac-proxy, `--upstream=http://127.0.0.1:8080/`, `config/base/manager_auth_proxy_patch.yaml`) and
 *   `http` 8080 (target port `metrics`); selector `app: flotta-controller-manager`.
 * - `flotta-webhook-service` (`config/webhook/service.yaml`): 443 → 9443, the admission webhook.
 */
export const FLOTTA_SERVICES = {
  namespace: VERSIONS.flottaOperator.namespace,
  edgeApi: { name: 'flotta-edge-api', ports: { yggds: 8043, metrics: 8080, https: 8443 }, selector: { app: 'flotta-edge-api' } },
  operatorMetrics: { name: 'flotta-controller-manager-metrics-service', ports: { https: 8443, http: 8080 }, selector: { app: 'flotta-controller-manager' } },
  webhook: { name: 'flotta-webhook-service', ports: { https: 443 }, targetPort: 9443 },
} as const;

/**
 * The edge API's TLS server certificate names one DNS name, its `DOMAIN` setting (flotta-operator v0.2.0
 * `internal/edgeapi/config.go` Config.Domain, env `DOMAIN`, default `project-flotta.io`; `cmd/httpapi/main.go` passes
 * `[]string{Config.Domain}` to mtls.NewMTLSConfig; `pkg/mtls/cert_utils.go` getServerCertificate puts it in DNSNames).
 * Devices verify that name against the host they connect to (yggd, redhatinsights/yggdrasil at the commit
 * flotta-device-worker 0.2.0 pins, `cmd/yggd/tls.go` newTLSConfig sets no ServerName, so Go checks the URL's host), so
 * with the default a device given `fleet.edgeAPI.host` fails the handshake. This strategic-merge patch sets `DOMAIN` on
 * container `http` of Deployment `edge-api` (`config/edge-api/server.yaml`, name before the `flotta-` prefix; an `env`
 * entry wins over the same key from its `envFrom` ConfigMap, which sets no DOMAIN).
 */
export function edgeApiDomainPatch(host: string): Record<string, unknown> {
  return {
    target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'edge-api' },
    patch: ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: edge-api', 'spec:', '  template:', '    spec:', '      containers:', '        - name: http', '          env:', '            - name: DOMAIN', `              value: ${JSON.stringify(host)}`, ''].join('\n'),
  };
}
