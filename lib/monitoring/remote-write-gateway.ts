import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { ServiceEndpoint } from '../core/endpoints';
import { Exposure, exposurePeers, ExposureSpec } from '../core/exposure';
import { Platform } from '../core/network';
import { Prometheus } from './prometheus';
import { RelabelConfig, RemoteWriteConfig } from './prometheus-config';

/** Where a gateway forwards what it receives. */
export interface GatewayUpstream {
  /** The remote-write URL. */
  readonly url: string;
  /** Basic authentication towards it; the password is a key of a Secret in the gateway's namespace. @default - none */
  readonly basicAuth?: { readonly username: string; readonly passwordSecret: { readonly name: string; readonly key: string } };
}

/** Props of RemoteWriteGateway. */
export interface RemoteWriteGatewayProps {
  /** Service and workload name. */
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  /** How writers outside the cluster reach it. */
  readonly exposure: ExposureSpec;
  readonly upstream: GatewayUpstream;
  /**
   * Secret (outside Git) with key web.yml requiring basic authentication of writers. @default - no
   * authentication (Flotta devices cannot send credentials: see charts/monitoring.ts)
   */
  readonly webConfigSecret?: string;
  /** Labels added to every forwarded series that lacks them (Prometheus external_labels). @default {} */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Relabelling of forwarded series. @default [] */
  readonly writeRelabels?: ReadonlyArray<RelabelConfig>;
  /** The cluster's Kubernetes distribution (whose load balancer may relay connections: serviceLBRelay). @default generic */
  readonly platform?: Platform;
  /** Sources admitted beside the exposure's (pods of the same cluster). @default [] */
  readonly admit?: ReadonlyArray<k8s.NetworkPolicyPeer>;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Where a gateway mounts the upstream password Secret (Prometheus construct convention). */
function secretFile(secret: { name: string; key: string }): string {
  return `/etc/prometheus/secrets/${secret.name}/${secret.key}`;
}

/**
 * A remote-write gateway: a small Prometheus server (2h retention) that accepts remote write from writers
 * outside its cluster and forwards every sample to the hub, so the hub Prometheus itself is never exposed.
 * Received samples go to the gateway's TSDB write-ahead log, which its remote-write queue reads and sends on,
 * adding `externalLabels` to series that lack them and applying `writeRelabels` (Prometheus
 * storage/remote/queue_manager.go at v3.13.2 applies external labels, then write_relabel_configs). Where
 * writers must authenticate, the Prometheus web configuration (a Secret) requires it of every request.
 */
export class RemoteWriteGateway extends Construct {
  public readonly endpoint: ServiceEndpoint;
  public readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: RemoteWriteGatewayProps) {
    super(scope, id);
    const x = props.exposure;
    const up = props.upstream;
    const remote: RemoteWriteConfig = {
      name: 'hub',
      url: up.url,
      ...(up.basicAuth ? { basic_auth: { username: up.basicAuth.username, password_file: secretFile(up.basicAuth.passwordSecret) } } : {}),
      ...(props.writeRelabels && props.writeRelabels.length > 0 ? { write_relabel_configs: [...props.writeRelabels] } : {}),
    };
    // A LoadBalancer passes TCP through: the gateway serves TLS itself. Without writer authentication, the web
    // configuration holds only file paths, so it is a ConfigMap; with it, the user's Secret holds both.
    const servesTLS = x.transport === 'loadBalancer';
    const prom = new Prometheus(this, 'prometheus', {
      name: props.name,
      namespace: props.namespace,
      cluster: props.cluster,
      role: 'remote-write-gateway',
      mode: 'server',
      remoteWriteReceiver: true,
      retention: '2h',
      storage: '2Gi',
      discoveryNamespaces: [],
      config: {
        global: { scrape_interval: '1m', evaluation_interval: '1m', external_labels: { ...props.externalLabels } },
        scrape_configs: [],
        remote_write: [remote],
      },
      webConfigSecret: props.webConfigSecret,
      webConfig: servesTLS && !props.webConfigSecret ? { tls_server_config: { cert_file: '/etc/prometheus/tls/tls.crt', key_file: '/etc/prometheus/tls/tls.key' } } : undefined,
      tlsSecret: servesTLS ? x.tlsSecret : undefined,
      secretMounts: up.basicAuth ? [up.basicAuth.passwordSecret.name] : [],
      admit: [...(props.admit ?? []), ...exposurePeers(x, { name: props.name, namespace: props.namespace }, props.platform)],
      labels: props.labels,
    });
    this.endpoint = prom.endpoint;
    this.selector = prom.selector;
    new Exposure(this, 'exposure', { endpoint: prom.endpoint, portName: 'http', selector: prom.selector, exposure: x, labels: props.labels });
  }
}

