import { createHash } from 'crypto';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ServiceEndpoint } from '../core/endpoints';
import { LABEL, selectorLabels } from '../core/labels';
import { declareExternalRefs } from '../core/policy';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, resources } from '../core/security';
import { imageRef, VERSIONS } from '../core/versions';
import { AlertmanagerConfig } from './alertmanager-config';

/** Props of Alertmanager. */
export interface AlertmanagerProps {
  readonly namespace: string;
  readonly cluster: string;
  readonly config: AlertmanagerConfig;
  /** Secrets (created outside Git) the configuration reads, mounted under /etc/alertmanager/secrets/<name>. @default - none */
  readonly secrets?: ReadonlyArray<string>;
  /** The pods that may reach Alertmanager (Prometheus, Grafana), as NetworkPolicy peers; none admits nothing. */
  readonly clients: ReadonlyArray<k8s.NetworkPolicyPeer>;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The Service name of Alertmanager. */
export const ALERTMANAGER_NAME = 'alertmanager';

/** Alertmanager: one replica with a volume for silences, configuration from typed objects, Secret references only. */
export class Alertmanager extends Construct {
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const ns = props.namespace;
    const name = ALERTMANAGER_NAME;
    this.endpoint = { name, namespace: ns, port: 9093, cluster: props.cluster };
    const selector = selectorLabels(name, name);
    const labels = { ...props.labels, ...selector, [LABEL.component]: 'alertmanager' };
    const meta = (n: string) => ({ name: n, namespace: ns, labels });
    const text = stringify(props.config, { lineWidth: 0, aliasDuplicateObjects: false });
    const secrets = [...(props.secrets ?? [])].sort();
    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(name), automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, 'config', { metadata: meta(`${name}-config`), data: { 'alertmanager.yml': text } });
    const http = k8s.IntOrString.fromString('http');
    const sts = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: meta(name),
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: { 'edgewatt.io/config-checksum': createHash('sha256').update(text).digest('hex') } },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(65534),
            containers: [
              {
                name: 'alertmanager',
                image: imageRef(VERSIONS.alertmanager),
                imagePullPolicy: 'IfNotPresent',
                args: ['--config.file=/etc/alertmanager/config/alertmanager.yml', '--storage.path=/alertmanager', '--web.listen-address=:9093', '--cluster.listen-address='],
                ports: [{ name: 'http', containerPort: 9093, protocol: 'TCP' }],
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/alertmanager/config', readOnly: true },
                  { name: 'data', mountPath: '/alertmanager' },
                  ...secrets.map((s) => ({ name: `secret-${s}`, mountPath: `/etc/alertmanager/secrets/${s}`, readOnly: true })),
                ],
                securityContext: restrictedContainerSecurityContext(),
                resources: resources({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } }),
                livenessProbe: { httpGet: { path: '/-/healthy', port: http }, periodSeconds: 15 },
                readinessProbe: { httpGet: { path: '/-/ready', port: http }, periodSeconds: 10 },
              },
            ],
            volumes: [{ name: 'config', configMap: { name: `${name}-config` } }, ...secrets.map((s) => ({ name: `secret-${s}`, secret: { secretName: s } }))],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } } }],
      },
    });
    if (secrets.length > 0) declareExternalRefs(sts, secrets.map((s) => `Secret/${s}`));
    new k8s.KubeService(this, 'service', { metadata: meta(name), spec: { selector, ports: [{ name: 'http', port: 9093, targetPort: http }] } });
    new k8s.KubeNetworkPolicy(this, 'netpol', {
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: props.clients.length > 0 ? [{ from: [...props.clients], ports: [{ port: k8s.IntOrString.fromNumber(9093), protocol: 'TCP' }] }] : [],
      },
    });
  }
}
