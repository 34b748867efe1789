import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { CURRENT } from './generations';

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
  /** The metric levels the exporter emits (its --metrics flags). */
  readonly levels: ReadonlyArray<string>;
}

/**
 * Kepler for devices that are not cluster nodes: the current generation (RAPL and /proc, no eBPF), without
 * the Kubernetes API (off by default), configured by flags (v0.11.4: --metrics, --host.sysfs,
 * --host.procfs). The device agent scrapes it on `metrics.port`; podman containers are the container level.
 */
export function deviceExporterWorkload(options: DeviceExporterOptions = {}): DeviceExporterWorkload {
  const levels = ['node', 'container', ...(options.processMetrics ? ['process'] : [])];
  return {
    levels,
    metrics: { port: CURRENT.port, path: CURRENT.metricsPath },
    podSpec: {
      hostPid: true,
      containers: [
        {
          name: 'kepler',
          image: CURRENT.image,
          command: ['/usr/bin/kepler'],
          args: ['--host.sysfs=/host/sys', '--host.procfs=/host/proc', ...levels.map((l) => `--metrics=${l}`)],
          ports: [{ name: 'http', containerPort: CURRENT.port, protocol: 'TCP' }],
          securityContext: { privileged: true },
          volumeMounts: CURRENT.hostMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
        },
      ],
      volumes: CURRENT.hostMounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath } })),
    },
  };
}
