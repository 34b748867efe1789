import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { restrictedContainerSecurityContext } from '../core/security';
import { imageRef, VERSIONS } from '../core/versions';
import { DEVICE_PATHS, HostExporterSource, hostExporterPort } from './device-bootstrap';

/** The relay's listen port (Prometheus's default). */
export const RELAY_PORT = 9090;

/** The scrape job the relay gives the host exporter's series. */
export function relayJob(source: HostExporterSource): string {
  return source === 'measured' ? 'kepler-host' : 'kepler-classic';
}

/** The workload a fleet device runs so that its agent can collect the host exporter's series. */
export interface DeviceRelayWorkload {
  /** EdgeWorkload name. */
  readonly name: string;
  /** The pod spec the EdgeWorkload carries (Flotta runs it with rootless podman). */
  readonly podSpec: k8s.PodSpec;
  /** Where the device agent scrapes the relay. */
  readonly metrics: { readonly port: number; readonly path: string };
}

/**
 * The relay between the Kepler host service (lib/energy/device-bootstrap.ts) and the Flotta device agent.
 * The agent scrapes only node_exporter on localhost:9100 and workload containers at their container IP
 * (github project-flotta/flotta-device-worker, tag 0.2.0, internal/metrics/system.go
 * `NodeExporterMetricsEndpoint`, internal/metrics/workload.go `getWorkloadUrls`), so a host service is out of
 * its reach. The relay is an unprivileged Prometheus in a container: it scrapes the host service through
 * podman's `host.containers.internal` name every 15 s, keeps 10 minutes, and serves the series on
 * `/federate` (Prometheus's federation endpoint), which the agent scrapes as the workload's metrics. The
 * configuration is written by the container's shell at start: Flotta workloads carry no ConfigMap volumes.
 */
export function deviceRelayWorkload(source: HostExporterSource): DeviceRelayWorkload {
  const job = relayJob(source);
  const config = [
    'global: {scrape_interval: 15s}',
    'scrape_configs:',
    `- job_name: ${job}`,
    '  honor_labels: true',
    `  static_configs: [{targets: ['host.containers.internal:${hostExporterPort(source)}']}]`,
  ].join('\n');
  return {
    name: DEVICE_PATHS.relay[source],
    metrics: { port: RELAY_PORT, path: `/federate?match%5B%5D=%7Bjob%3D%22${job}%22%7D` },
    podSpec: {
      // nobody, the user the Prometheus image runs as; /tmp is the only writable place (config and 10 min of data).
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } }],
      containers: [
        {
          name: 'relay',
          image: imageRef(VERSIONS.prometheus),
          command: ['/bin/sh', '-c'],
          args: [
            `printf '%s\\n' "${config.replace(/"/g, '\\"')}" > /tmp/relay.yml && exec /bin/prometheus --config.file=/tmp/relay.yml --storage.tsdb.path=/tmp/data --storage.tsdb.retention.time=10m --web.listen-address=:${RELAY_PORT}`,
          ],
          // No ports: Flotta's agent refuses a workload port without a hostPort (flotta-device-worker 0.2.0
          // internal/workload/wrapper.go getHostPorts: "illegal host port number 0"), and it scrapes workload
          // metrics at the container's own address (internal/metrics/workload.go getWorkloadUrls), so the relay
          // publishes nothing on the device.
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
    },
  };
}
