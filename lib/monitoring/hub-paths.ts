import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { prometheusEndpoint, ServiceEndpoint } from '../core/endpoints';
import { exposedURL } from '../core/exposure';
import { selectorLabels } from '../core/labels';
import { StackModel } from '../model/types';
import { GatewayUpstream } from './remote-write-gateway';

/** The hub's authenticating remote-write receiver (a gateway in front of the hub Prometheus). */
export const RECEIVER_GATEWAY = 'prometheus-receiver';
/** The device metrics gateway on the fleet cluster. */
export const DEVICE_GATEWAY = 'device-metrics-gateway';

/** The Service of the hub's receiver gateway. */
export function receiverEndpoint(namespace: string, hub: string): ServiceEndpoint {
  return { name: RECEIVER_GATEWAY, namespace, port: 9090, cluster: hub };
}

/** The Service of the device metrics gateway. */
export function deviceGatewayEndpoint(namespace: string, fleetCluster: string): ServiceEndpoint {
  return { name: DEVICE_GATEWAY, namespace, port: 9090, cluster: fleetCluster };
}

/** Where the device gateway forwards: the hub Prometheus on the same cluster, else the hub's receiver with its credentials. */
export function deviceGatewayUpstream(model: StackModel): GatewayUpstream {
  const mon = model.monitoring!;
  const fleet = model.fleet!;
  if (fleet.cluster === mon.cluster) return { url: exposedURL(prometheusEndpoint(mon.namespace, mon.cluster), fleet.cluster, undefined, '/api/v1/write') };
  const r = mon.receiver!;
  return {
    url: exposedURL(receiverEndpoint(mon.namespace, mon.cluster), fleet.cluster, r.exposure, '/api/v1/write'),
    basicAuth: { username: r.auth.username, passwordSecret: { name: r.auth.passwordSecret.name, key: r.auth.passwordSecret.key } },
  };
}

/** The device-facing remote-write URL (the device gateway's external endpoint), when devices send metrics. */
export function deviceReceiverURL(model: StackModel): string | undefined {
  const f = model.fleet;
  if (!f?.receiver || !model.monitoring || model.monitoring.mode !== 'bundled') return undefined;
  return exposedURL(deviceGatewayEndpoint(model.monitoring.namespace, f.cluster), undefined, f.receiver.exposure, '/api/v1/write');
}

/**
 * Exactly the sources that talk to the hub Prometheus: its readers (`readers`: Grafana, the model server's online
 * trainer, as the monitoring chart names their pods) and the two gateways that forward remote write. Nothing else.
 */
export function hubAdmits(model: StackModel, readers: ReadonlyArray<k8s.NetworkPolicyPeer>): k8s.NetworkPolicyPeer[] {
  const mon = model.monitoring!;
  const hub = mon.cluster;
  const peers: k8s.NetworkPolicyPeer[] = [...readers];
  const writers = model.clusters.some((c) => c.name !== hub && c.namespaces.length > 0);
  if (writers && mon.receiver) peers.push({ podSelector: { matchLabels: selectorLabels(RECEIVER_GATEWAY, RECEIVER_GATEWAY) } });
  if (model.fleet?.cluster === hub && model.fleet.receiver && model.fleet.devices.length > 0) {
    peers.push({ podSelector: { matchLabels: selectorLabels(DEVICE_GATEWAY, DEVICE_GATEWAY) } });
  }
  return peers;
}
