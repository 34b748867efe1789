/**
 * The schemas `edgewatt schemas pull` fetches for the strict schema gate: the Kubernetes OpenAPI document and the
 * CRDs of the upstream projects whose custom resources edgewatt emits, each by a release URL pinned to a tag or
 * commit and its sha256 (as kubeconform takes schema locations). `path` is where the file goes in the cache,
 * laid out like ../shared, so `--schemas-from ../shared` (or a mirror of it) serves them too.
 *
 * Sources (../shared/crds/<project>/SOURCE.txt and ../shared/schemas/kubernetes/SOURCE.txt, copies "unmodified"):
 * kubernetes-client/javascript 072811b3 src/gen/swagger.json.unprocessed (Kubernetes v1.35.0); argoproj/argo-cd
 * v3.5.1 manifests/crds/; cert-manager/cert-manager v1.21.1 deploy/crds/; project-flotta/flotta-operator 3591f8dd
 * config/crd/bases/; kubernetes-sigs/mcs-api v0.5.0 config/crd/; prometheus-operator/kube-prometheus 4d719f1d
 * manifests/setup/0<kind>CustomResourceDefinition.yaml (Prometheus Operator 0.93.1); project-akri/akri 604bdcb6
 * deployment/helm/crds/. The sha256 values are those of the verbatim copies in ../shared.
 */

/** One pinned schema file. */
export interface SchemaPin {
  /** Path in the cache (and under a --schemas-from mirror). */
  readonly path: string;
  /** The upstream release URL. */
  readonly url: string;
  /** sha256 of the file, hex. */
  readonly sha256: string;
}

/** Path of the Kubernetes OpenAPI document in the cache. */
export const K8S_OPENAPI_PIN_PATH = 'schemas/kubernetes/swagger-v1.35.0.json';

/** Folder of the CRDs in the cache. */
export const CRDS_PIN_DIR = 'crds';

export const SCHEMA_PINS: ReadonlyArray<SchemaPin> = [
  { path: 'schemas/kubernetes/swagger-v1.35.0.json', url: 'https://raw.githubusercontent.com/kubernetes-client/javascript/072811b3615b6d97a56448c89f6674574cebd0bb/src/gen/swagger.json.unprocessed', sha256: 'c316f6e232c666148076e82e20371ff656ffbb12e59d8953e6d94ec7685bc75c' },
  { path: 'crds/akri/akri-configuration-crd.yaml', url: 'https://raw.githubusercontent.com/project-akri/akri/604bdcb6a575073f32d72f63147b048242ae8032/deployment/helm/crds/akri-configuration-crd.yaml', sha256: '7c4af51b9f1e28be1a9871829cc5dd99f0bbc587cd532ec388502f7d9fa1f564' },
  { path: 'crds/akri/akri-instance-crd.yaml', url: 'https://raw.githubusercontent.com/project-akri/akri/604bdcb6a575073f32d72f63147b048242ae8032/deployment/helm/crds/akri-instance-crd.yaml', sha256: 'e16fedaa80b221e5151521402499994dc7ac29be33410424f1a3ba1652ba349e' },
  { path: 'crds/argocd/application-crd.yaml', url: 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml', sha256: '5dde0e229249b6b707beb98674c1deae3949d5c319a6c45b9f5a80c99618e40c' },
  { path: 'crds/argocd/applicationset-crd.yaml', url: 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/applicationset-crd.yaml', sha256: '7d282054f41ca2b71a22bab04a8caf0000e07e53a62432e6ea292dae5ab4f07d' },
  { path: 'crds/argocd/appproject-crd.yaml', url: 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/appproject-crd.yaml', sha256: 'ab225266944322750136f1198d93786e4a79a0e43c8d149abfba44da30a3eac8' },
  { path: 'crds/cert-manager/cert-manager.io_certificaterequests.yaml', url: 'https://raw.githubusercontent.com/cert-manager/cert-manager/v1.21.1/deploy/crds/cert-manager.io_certificaterequests.yaml', sha256: '74cf3801ab146a1745498de5f3b619cde6f2dc89ae03755084be08129ce726c3' },
  { path: 'crds/cert-manager/cert-manager.io_certificates.yaml', url: 'https://raw.githubusercontent.com/cert-manager/cert-manager/v1.21.1/deploy/crds/cert-manager.io_certificates.yaml', sha256: '7ad91029c00ec959d54215b19d3b1a9b7e0247eaa60f987151c2b70d8661f8af' },
  { path: 'crds/cert-manager/cert-manager.io_clusterissuers.yaml', url: 'https://raw.githubusercontent.com/cert-manager/cert-manager/v1.21.1/deploy/crds/cert-manager.io_clusterissuers.yaml', sha256: '30008001b78aafb8e110af61359561104b5fafc3a4dc6ac0013245d0ee3fe4ca' },
  { path: 'crds/cert-manager/cert-manager.io_issuers.yaml', url: 'https://raw.githubusercontent.com/cert-manager/cert-manager/v1.21.1/deploy/crds/cert-manager.io_issuers.yaml', sha256: '05e37efb02777e0362d24269fa103c2fc11419f9c85e31854ef873e5d9e5c5cc' },
  { path: 'crds/flotta/management.project-flotta.io_edgeconfigs.yaml', url: 'https://raw.githubusercontent.com/project-flotta/flotta-operator/3591f8dd5ddab23228ef2eb79530d0fc3018390f/config/crd/bases/management.project-flotta.io_edgeconfigs.yaml', sha256: 'fe9289b2b136019f5242c27ad4965f975ea04f347d7fe27bac1fbd4de630844b' },
  { path: 'crds/flotta/management.project-flotta.io_edgedevices.yaml', url: 'https://raw.githubusercontent.com/project-flotta/flotta-operator/3591f8dd5ddab23228ef2eb79530d0fc3018390f/config/crd/bases/management.project-flotta.io_edgedevices.yaml', sha256: '21b40e0de931c1c199bb990b26f26201e360a6e052d38c2063cff62d0b4e5e04' },
  { path: 'crds/flotta/management.project-flotta.io_edgedevicesets.yaml', url: 'https://raw.githubusercontent.com/project-flotta/flotta-operator/3591f8dd5ddab23228ef2eb79530d0fc3018390f/config/crd/bases/management.project-flotta.io_edgedevicesets.yaml', sha256: '403e4bb4a53003f364d1b71e8aef95017a95bbd05b9930555388e139e7c9e901' },
  { path: 'crds/flotta/management.project-flotta.io_edgedevicesignedrequest.yaml', url: 'https://raw.githubusercontent.com/project-flotta/flotta-operator/3591f8dd5ddab23228ef2eb79530d0fc3018390f/config/crd/bases/management.project-flotta.io_edgedevicesignedrequest.yaml', sha256: 'b352ec11ff1f6e7bf9b4c51bc67f82a89558dddb7f61b455d5ccb1c560227bc8' },
  { path: 'crds/flotta/management.project-flotta.io_edgeworkloads.yaml', url: 'https://raw.githubusercontent.com/project-flotta/flotta-operator/3591f8dd5ddab23228ef2eb79530d0fc3018390f/config/crd/bases/management.project-flotta.io_edgeworkloads.yaml', sha256: '43e6bcf6799fcd03547ef92f56195e60d7115370b96bb4a78ee052c5047195a9' },
  { path: 'crds/flotta/management.project-flotta.io_playbookexecutions.yaml', url: 'https://raw.githubusercontent.com/project-flotta/flotta-operator/3591f8dd5ddab23228ef2eb79530d0fc3018390f/config/crd/bases/management.project-flotta.io_playbookexecutions.yaml', sha256: '7842fe0a0516c18cffc52b4dca02f57cc49d184debca68b0b22e4b303b4c1535' },
  { path: 'crds/mcs-api/multicluster.x-k8s.io_serviceexports.yaml', url: 'https://raw.githubusercontent.com/kubernetes-sigs/mcs-api/v0.5.0/config/crd/multicluster.x-k8s.io_serviceexports.yaml', sha256: '1ec6ffc8094c8f67434431737b9c1d5132e686f21577250a615ed1e30da67097' },
  { path: 'crds/mcs-api/multicluster.x-k8s.io_serviceimports.yaml', url: 'https://raw.githubusercontent.com/kubernetes-sigs/mcs-api/v0.5.0/config/crd/multicluster.x-k8s.io_serviceimports.yaml', sha256: 'dfec64055b7a5dd47013706c26706ef20f7ae3319b0ae594f6353585cc052ec4' },
  { path: 'crds/prometheus-operator/podmonitor-crd.yaml', url: 'https://raw.githubusercontent.com/prometheus-operator/kube-prometheus/4d719f1dea8853540b3823ab1fbe6be74a9953b3/manifests/setup/0podmonitorCustomResourceDefinition.yaml', sha256: '8b86d1873743ccf6d7b1d29c3a5c7ab65118f79a86f536a58379cdb896cc8dfb' },
  { path: 'crds/prometheus-operator/prometheusrule-crd.yaml', url: 'https://raw.githubusercontent.com/prometheus-operator/kube-prometheus/4d719f1dea8853540b3823ab1fbe6be74a9953b3/manifests/setup/0prometheusruleCustomResourceDefinition.yaml', sha256: 'c986ef956ff4241c120530cc07bcb93e2272218fa99160e021e9c9f867eceb11' },
  { path: 'crds/prometheus-operator/scrapeconfig-crd.yaml', url: 'https://raw.githubusercontent.com/prometheus-operator/kube-prometheus/4d719f1dea8853540b3823ab1fbe6be74a9953b3/manifests/setup/0scrapeconfigCustomResourceDefinition.yaml', sha256: '8397c4743bb877ecd624bc05d8273959000935274e94d11bf7d6c808b53d1ded' },
  { path: 'crds/prometheus-operator/servicemonitor-crd.yaml', url: 'https://raw.githubusercontent.com/prometheus-operator/kube-prometheus/4d719f1dea8853540b3823ab1fbe6be74a9953b3/manifests/setup/0servicemonitorCustomResourceDefinition.yaml', sha256: '6b42e15b2614eed2e114abb7c15c268a21f03042d5cba1a1e5d4c1bdc681d2b3' },
];
