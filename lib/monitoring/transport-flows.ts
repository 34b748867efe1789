import { modelServerEndpoint, prometheusEndpoint } from '../core/endpoints';
import { arrivalService, exposedURL, ExposureSpec, exposureRelay, RelayPods, serviceLBRelay } from '../core/exposure';
import { Platform } from '../core/network';
import { Flow, PodsSource } from '../core/flows';
import { selectorLabels } from '../core/labels';
import { StackModel } from '../model/types';
import { EDGE_API, EDGE_API_EXTERNAL } from '../fleet/edge-api';
import { DEVICE_GATEWAY, deviceGatewayEndpoint, deviceGatewayUpstream, deviceReceiverURL, RECEIVER_GATEWAY, receiverEndpoint } from './hub-paths';

/** The Prometheus pods of a cluster (server on the hub, agent elsewhere), or of a gateway. */
function prometheusPods(cluster: string, namespace: string, name = 'prometheus', cidrs?: ReadonlyArray<string>): PodsSource {
  return { kind: 'pods', cluster, namespace, podLabels: selectorLabels(name, name), workload: `StatefulSet/${name}`, serviceAccount: name, ...(cidrs ? { cidrs } : {}) };
}

/**
 * What the gate needs to see a path through an exposure: the addresses traffic arrives from (mcs: the remote
 * pod CIDRs; loadBalancer: the declared sources, kept by externalTrafficPolicy Local) or the ingress
 * controller's namespace.
 */
function arrival(x: ExposureSpec | undefined): { cidrs?: ReadonlyArray<string>; ingressControllerNamespace?: string } {
  if (!x) return {};
  if (x.transport === 'mcs') return { cidrs: x.remotePodCIDRs };
  if (x.transport === 'loadBalancer') return { cidrs: x.sourceCIDRs };
  return { ingressControllerNamespace: x.controllerNamespace };
}

function ingressOf(x: ExposureSpec): { ingressControllerNamespace?: string } {
  const n = arrival(x).ingressControllerNamespace;
  return n ? { ingressControllerNamespace: n } : {};
}

/** The platform of cluster `name`. */
function platformOf(model: StackModel, name: string): Platform {
  return model.clusters.find((c) => c.name === name)?.platform ?? 'generic';
}

/** A flow's `relay`, when there is one (lib/core/exposure.ts exposureRelay, serviceLBRelay). */
function relayOf(relay: RelayPods | undefined): { relay?: RelayPods } {
  return relay ? { relay } : {};
}

/**
 * The flows that cross a cluster boundary or come from devices, with their declared transports, as seen from
 * `cluster` (the source's cluster): edge agents → hub receiver → hub Prometheus; devices → device gateway →
 * hub; devices → Flotta edge API; Kepler exporters → a model server on another cluster.
 */
export function transportFlows(model: StackModel, cluster: string): Flow[] {
  const out: Flow[] = [];
  const mon = model.monitoring;
  if (mon && mon.mode === 'bundled') {
    const hub = mon.cluster;
    const ns = mon.namespace;
    const receiver = mon.receiver;
    const busy = model.clusters.find((c) => c.name === cluster)?.namespaces.length ?? 0;
    if (receiver && cluster !== hub && busy > 0) {
      const url = exposedURL(receiverEndpoint(ns, hub), cluster, receiver.exposure, '/api/v1/write');
      out.push({
        id: `remote-write:${cluster}/prometheus->${hub}/${RECEIVER_GATEWAY}`,
        purpose: 'remote-write',
        from: prometheusPods(cluster, ns, 'prometheus', arrival(receiver.exposure).cidrs),
        to: { kind: 'service', cluster: hub, namespace: ns, service: arrivalService(RECEIVER_GATEWAY, receiver.exposure), port: 'http' },
        transport: receiver.exposure.transport,
        ...ingressOf(receiver.exposure),
        ...relayOf(exposureRelay(receiver.exposure, { name: RECEIVER_GATEWAY, namespace: ns }, platformOf(model, hub))),
        configured: { url, object: 'ConfigMap/prometheus-config', at: 'data:prometheus.yml#/remote_write/0/url' },
        path: 'monitoring.receiver',
      });
    }
    const writers = model.clusters.some((c) => c.name !== hub && c.namespaces.length > 0);
    if (cluster === hub && writers && receiver) {
      out.push({
        id: `remote-write:${hub}/${RECEIVER_GATEWAY}->${hub}/prometheus`,
        purpose: 'remote-write',
        from: prometheusPods(hub, ns, RECEIVER_GATEWAY),
        to: { kind: 'service', cluster: hub, namespace: ns, service: 'prometheus', port: 'http' },
        transport: 'in-cluster',
        configured: { url: exposedURL(prometheusEndpoint(ns, hub), hub, undefined, '/api/v1/write'), object: `ConfigMap/${RECEIVER_GATEWAY}-config`, at: 'data:prometheus.yml#/remote_write/0/url' },
        path: 'monitoring.receiver',
      });
    }
    const fleet = model.fleet;
    const deviceURL = deviceReceiverURL(model);
    if (fleet && fleet.cluster === cluster && fleet.devices.length > 0 && deviceURL) {
      const up = deviceGatewayUpstream(model);
      const crossing = cluster !== hub;
      out.push({
        id: `remote-write:${cluster}/${DEVICE_GATEWAY}->${hub}/${crossing ? RECEIVER_GATEWAY : 'prometheus'}`,
        purpose: 'remote-write',
        from: prometheusPods(cluster, ns, DEVICE_GATEWAY, crossing ? arrival(receiver!.exposure).cidrs : undefined),
        to: { kind: 'service', cluster: hub, namespace: ns, service: crossing ? arrivalService(RECEIVER_GATEWAY, receiver!.exposure) : 'prometheus', port: 'http' },
        transport: crossing ? receiver!.exposure.transport : 'in-cluster',
        ...(crossing ? ingressOf(receiver!.exposure) : {}),
        ...(crossing ? relayOf(exposureRelay(receiver!.exposure, { name: RECEIVER_GATEWAY, namespace: ns }, platformOf(model, hub))) : {}),
        configured: { url: up.url, object: `ConfigMap/${DEVICE_GATEWAY}-config`, at: 'data:prometheus.yml#/remote_write/0/url' },
        path: 'fleet.receiver',
      });
      const gw = deviceGatewayEndpoint(ns, cluster);
      for (const set of fleet.deviceSets) {
        out.push({
          id: `device-remote-write:devices(${set.name})->${cluster}/${DEVICE_GATEWAY}`,
          purpose: 'device-remote-write',
          from: { kind: 'device', cluster, set: set.name, ...(arrival(fleet.receiver!.exposure).cidrs ? { cidrs: arrival(fleet.receiver!.exposure).cidrs } : {}) },
          to: { kind: 'service', cluster, namespace: gw.namespace, service: arrivalService(gw.name, fleet.receiver!.exposure), port: 'http' },
          transport: fleet.receiver!.exposure.transport,
          ...ingressOf(fleet.receiver!.exposure),
          ...relayOf(exposureRelay(fleet.receiver!.exposure, gw, platformOf(model, cluster))),
          configured: { url: deviceURL, object: `EdgeDeviceSet/${set.name}`, at: '/spec/metrics/receiverConfiguration/url' },
          path: 'fleet.receiver',
        });
      }
    }
  }
  const fleet = model.fleet;
  if (fleet && fleet.cluster === cluster && fleet.edgeAPI && fleet.devices.length > 0) {
    out.push({
      id: `device-api:devices->${cluster}/flotta-edge-api`,
      purpose: 'device-api',
      from: { kind: 'device', cluster, set: '*', cidrs: [...fleet.edgeAPI.sourceCIDRs] },
      to: {
        kind: 'service',
        cluster,
        namespace: EDGE_API.namespace,
        service: EDGE_API_EXTERNAL,
        port: EDGE_API.portName,
        upstreamPods: { labels: { ...EDGE_API.selector }, ports: [{ name: EDGE_API.portName, containerPort: EDGE_API.port }], source: 'project-flotta/flotta-operator v0.2.0 config/edge-api/server.yaml' },
      },
      transport: 'loadBalancer',
      ...relayOf(serviceLBRelay(platformOf(model, cluster), { name: EDGE_API_EXTERNAL, namespace: EDGE_API.namespace })),
      path: 'fleet.edgeAPI',
    });
  }
  const energy = model.energy;
  const ms = energy?.modelServer;
  if (energy && ms && ms.cluster !== cluster && energy.kepler.clusters.includes(cluster) && ms.exposure) {
    const ep = modelServerEndpoint(energy.namespace, ms.cluster);
    out.push({
      id: `model-fetch:${cluster}/kepler-exporter->${ms.cluster}/${ep.name}`,
      purpose: 'model-fetch',
      from: { kind: 'pods', cluster, namespace: energy.kepler.namespace, podLabels: selectorLabels('kepler-exporter', 'kepler-exporter'), workload: 'DaemonSet/kepler-exporter', serviceAccount: 'kepler-exporter', ...(arrival(ms.exposure).cidrs ? { cidrs: arrival(ms.exposure).cidrs } : {}) },
      to: { kind: 'service', cluster: ms.cluster, namespace: ep.namespace, service: ep.name, port: 'http' },
      transport: ms.exposure.transport,
      ...ingressOf(ms.exposure),
      configured: { url: exposedURL(ep, cluster, ms.exposure), object: 'ConfigMap/kepler-exporter', at: 'data:MODEL_SERVER_URL' },
      path: 'energy.modelServer.exposure',
    });
  }
  return out;
}
