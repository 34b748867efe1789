import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { currentConfig, CURRENT } from './generations';

/** Options of the device exporter. */
export interface DeviceExporterOptions {
  /** Emit per-process metrics. @default false */
  readonly processMetrics?: boolean;
}

/** The workload a fleet device runs to measure its own power, for a Flotta EdgeWorkload. */
export interface DeviceExporterWorkload {
  /** The pod spec the EdgeWorkload carries (Flotta runs it with podman). */
  readonly podSpec: k8s.PodSpec;
  /** Where the device agent scrapes the exporter. */
  readonly metrics: { readonly port: number; readonly path: string };
  /** The exporter's configuration file (config.yaml), for a ConfigMap the workload mounts. */
  readonly config: string;
}

/**
 * Kepler for devices that are not cluster nodes: the current generation (RAPL and /proc, no eBPF, no
 * Kubernetes API), run by the device's agent. Its metrics are scraped by the agent on `metrics.port`.
 */
export function deviceExporterWorkload(options: DeviceExporterOptions = {}): DeviceExporterWorkload {
  const config = currentConfig({ generation: 'current', gpu: false, processMetrics: options.processMetrics ?? false, redfish: false, kubernetes: false });
  return {
    config,
    metrics: { port: CURRENT.port, path: CURRENT.metricsPath },
    podSpec: {
      hostPid: true,
      containers: [
        {
          name: 'kepler',
          image: CURRENT.image,
          command: ['/usr/bin/kepler'],
          args: ['--config.file=/etc/kepler/config.yaml'],
          ports: [{ name: 'http', containerPort: CURRENT.port, protocol: 'TCP' }],
          securityContext: { privileged: true },
          volumeMounts: CURRENT.hostMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
        },
      ],
      volumes: CURRENT.hostMounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath } })),
    },
  };
}
