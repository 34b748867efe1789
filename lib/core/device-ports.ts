/**
 * Host ports a fleet device's own services hold, which no device workload may publish (podman binds a host port
 * once per device, and a workload that cannot bind it never starts).
 */

/**
 * Flotta's agent runs node_exporter on the device as a rootless systemd service and reads it at
 * `http://localhost:9100/metrics` (project-flotta/flotta-device-worker 0.2.0 `internal/metrics/system.go`
 * NodeExporterMetricsEndpoint): its system metrics, which profile power reads.
 */
export const FLOTTA_NODE_EXPORTER_PORT = 9100;

/**
 * The Kepler host service's port on devices whose set measures (Kepler v0.11.4, its default 28282) or estimates
 * (Kepler v0.7.12, its default 9102) power: each generation's own default port (lib/energy/generations.ts).
 */
export const KEPLER_PORTS = { classic: 9102, current: 28282 } as const;

/** Port of the Kepler host service of a set whose devices measure (current generation) or estimate (classic) power. */
export function keplerHostPort(source: 'measured' | 'estimated'): number {
  return source === 'measured' ? KEPLER_PORTS.current : KEPLER_PORTS.classic;
}
