import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { modelServerEndpoint, ServiceEndpoint } from '../core/endpoints';
import { LABEL, selectorLabels } from '../core/labels';
import { declarePolicyException } from '../core/policy';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, resources } from '../core/security';
import { imageRef, VERSIONS } from '../core/versions';

/** Props of KeplerModelServer. */
export interface KeplerModelServerProps {
  /** Namespace (Pod Security restricted). */
  readonly namespace: string;
  /** Cluster it runs on, for its endpoint. */
  readonly cluster: string;
  /** Size of the volume that keeps trained models. @default 5Gi */
  readonly storage?: string;
  /** Pipeline archives loaded at start (INITIAL_PIPELINE_URL). @default - the model server's built-in defaults */
  readonly initialModelURLs?: ReadonlyArray<string>;
  /** Run the online trainer, which learns from Prometheus at this URL. @default - no online trainer */
  readonly onlineTrainer?: { readonly prometheusURL: string };
  /** The only sources the NetworkPolicy admits (the exporters' namespace, the exposure's peers). @default [] (nothing) */
  readonly admit?: ReadonlyArray<k8s.NetworkPolicyPeer>;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Name of the model server's objects (Deployment, Service, ServiceAccount, NetworkPolicy). */
export const MODEL_SERVER_NAME = 'kepler-model-server';
const NAME = MODEL_SERVER_NAME;

/**
 * The Kepler model server (classic): serves trained power models to exporters that lack hardware counters.
 * Deployment, Service, a PVC for models, configuration, NetworkPolicy; optionally the online trainer.
 */
export class KeplerModelServer extends Construct {
  /** The Service exporters call. */
  public readonly endpoint: ServiceEndpoint;
  /** Labels that select the server's pods. */
  public readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: KeplerModelServerProps) {
    super(scope, id);
    const ns = props.namespace;
    this.endpoint = modelServerEndpoint(ns, props.cluster);
    const selector = selectorLabels(NAME, NAME);
    this.selector = selector;
    const labels = { ...props.labels, ...selector, [LABEL.component]: 'model-server' };
    const meta = (n: string) => ({ name: n, namespace: ns, labels });
    const config: Record<string, string> = { MNT_PATH: '/mnt', MODEL_SERVER_ENABLE: 'true' };
    if (props.initialModelURLs?.length) config.INITIAL_PIPELINE_URL = props.initialModelURLs.join(',');
    if (props.onlineTrainer) {
      Object.assign(config, { PROM_SERVER: props.onlineTrainer.prometheusURL, PROM_QUERY_INTERVAL: '20', PROM_QUERY_STEP: '3', PROM_SSL_DISABLE: 'true' });
    }
    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(NAME), automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, 'config', { metadata: meta(NAME), data: config });
    new k8s.KubePersistentVolumeClaim(this, 'models', {
      metadata: meta(`${NAME}-models`),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString(props.storage ?? '5Gi') } } },
    });
    // The root filesystem is read-only: v0.7.12 writes models and downloads under MNT_PATH (/mnt, the volume) and its
    // resources under RESOURCE_DIR (default /tmp/model-server/resources, in the tmp emptyDir); it creates them at
    // import (kepler-model-server v0.7.12 `src/kepler_model/util/config.py`).
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: '/etc/kepler/kepler.config', readOnly: true },
      { name: 'models', mountPath: '/mnt' },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const container = (name: string, args: string[], serving: boolean): k8s.Container => ({
      name,
      image: imageRef(VERSIONS.keplerModelServer),
      imagePullPolicy: 'IfNotPresent',
      args,
      ...(serving ? { ports: [{ name: 'http', containerPort: this.endpoint.port, protocol: 'TCP' }] } : {}),
      volumeMounts: mounts,
      securityContext: restrictedContainerSecurityContext(),
      resources: resources({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: serving ? '1Gi' : '2Gi' } }),
      ...(serving
        ? {
            // It opens its port only after downloading its initial pipelines (kepler-model-server v0.7.12
            // server/model_server.py run → load_init_pipeline, requests.get without a timeout): up to 10 minutes on a
            // slow edge link before the liveness probe may restart it.
            startupProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold: 60 },
            livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 30 },
            readinessProbe: { httpGet: { path: '/best-models', port: k8s.IntOrString.fromString('http') }, initialDelaySeconds: 10, periodSeconds: 30 },
          }
        : {}),
    });
    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: meta(NAME),
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(),
            containers: [container('server-api', ['model-server'], true), ...(props.onlineTrainer ? [container('online-trainer', ['online-trainer'], false)] : [])],
            volumes: [
              { name: 'config', configMap: { name: NAME } },
              { name: 'models', persistentVolumeClaim: { claimName: `${NAME}-models` } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
    if (props.onlineTrainer) {
      declarePolicyException(deployment, {
        rules: ['probes'],
        reason: 'the online trainer serves no endpoint: a probe could only restate that its process runs; the server-api container is probed',
      });
    }
    new k8s.KubeService(this, 'service', {
      metadata: meta(NAME),
      spec: { selector, ports: [{ name: 'http', port: this.endpoint.port, targetPort: k8s.IntOrString.fromString('http') }] },
    });
    new k8s.KubeNetworkPolicy(this, 'netpol', {
      metadata: meta(NAME),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: (props.admit ?? []).length > 0 ? [{ from: [...props.admit!], ports: [{ port: k8s.IntOrString.fromNumber(this.endpoint.port), protocol: 'TCP' }] }] : [],
      },
    });
  }
}
