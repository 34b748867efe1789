import { FLOTTA_NODE_EXPORTER_PORT, keplerHostPort } from '../core/device-ports';
import { ProblemList } from '../core/errors';
import { setPowers } from './device-power';
import { FleetModel, PipelineModel } from './types';

/** One host port a device workload publishes, with the field that sets it. */
interface Published {
  readonly port: number;
  readonly path: string;
  readonly what: string;
  /** How to move it. */
  readonly fix: string;
}

/**
 * Every host port published on a fleet device is free there: not one its own services hold (Flotta's node_exporter
 * on 9100; the Kepler host service of a set that measures or estimates power), and not one another workload or IoMT
 * thing on the same device publishes. podman binds a host port once per device, and a workload that cannot bind it
 * never starts (flotta-device-worker 0.2.0 `internal/workload/wrapper.go` Run). Workloads placed by selector are
 * compared with those placed on single devices, by the devices they resolve to. Each clash is reported once, at the
 * field that publishes it, with the first device it happens on and how many.
 */
export function checkDeviceHostPorts(fleet: FleetModel | undefined, pipelines: ReadonlyArray<PipelineModel> | undefined, problems: ProblemList): void {
  if (!fleet) return;
  const byDevice = new Map<string, Published[]>();
  const add = (device: string, p: Published) => {
    const list = byDevice.get(device);
    if (list) list.push(p);
    else byDevice.set(device, [p]);
  };
  for (const w of fleet.workloads) {
    w.ports.forEach((p, j) => {
      const published = { port: p.hostPort ?? p.port, path: `${w.path}.ports[${j}].${p.hostPort !== undefined ? 'hostPort' : 'port'}`, what: `workload "${w.name}"`, fix: 'publish another port (hostPort)' };
      for (const d of w.targets) add(d, published);
    });
  }
  for (const p of pipelines ?? []) {
    for (const t of p.things) {
      if (t.device === undefined) continue;
      const thing = { what: `thing "${t.name}"`, fix: 'serve another port' };
      add(t.device, { port: t.port, path: `${t.path}.port`, ...thing });
      if (t.metricsPort !== undefined) add(t.device, { port: t.metricsPort, path: `${t.path}.metricsPort`, ...thing });
    }
  }
  if (byDevice.size === 0) return;
  const kepler = new Map<string, number>();
  for (const s of setPowers(fleet)) {
    const source = s.power?.source;
    if (source !== 'measured' && source !== 'estimated') continue;
    const port = keplerHostPort(source);
    for (const d of s.devices) if (byDevice.has(d)) kepler.set(d, port);
  }
  /** `<path>\0<clash>` → the first device and how many. */
  const clashes = new Map<string, { path: string; message: (first: string, n: number) => string; first: string; n: number }>();
  const clash = (path: string, key: string, device: string, message: (first: string, n: number) => string) => {
    const k = `${path}\u0000${key}`;
    const c = clashes.get(k);
    if (c) c.n++;
    else clashes.set(k, { path, message, first: device, n: 1 });
  };
  const where = (first: string, n: number) => (n > 1 ? `devices "${first}" and ${n - 1} more` : `device "${first}"`);
  for (const [device, list] of byDevice) {
    const taken = new Map<number, Published>();
    for (const p of list) {
      if (p.port === FLOTTA_NODE_EXPORTER_PORT) {
        clash(p.path, 'node_exporter', device, (f, n) => `${p.what} publishes host port ${p.port} on ${where(f, n)}, where Flotta's agent runs node_exporter (its system metrics, flotta-device-worker 0.2.0): ${p.fix}`);
      } else if (p.port === kepler.get(device)) {
        clash(p.path, 'kepler', device, (f, n) => `${p.what} publishes host port ${p.port} on ${where(f, n)}, where the set's Kepler host service listens (its power source): ${p.fix}`);
      }
      const other = taken.get(p.port);
      if (other && other.path !== p.path) {
        clash(p.path, other.path, device, (f, n) => `${p.what} publishes host port ${p.port} on ${where(f, n)}, as ${other.what} does (${other.path}): podman binds it once, so one of them never starts: ${p.fix}`);
      } else if (!other) taken.set(p.port, p);
    }
  }
  for (const c of [...clashes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) problems.add(c.path, c.message(c.first, c.n));
}
