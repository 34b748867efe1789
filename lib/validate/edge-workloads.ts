import { Json } from './pods';
import { Entry, Finding } from './types';

/**
 * What Flotta's device agent needs of an EdgeWorkload's pod to run it (project-flotta/flotta-device-worker tag
 * 0.2.0, `internal/workload/wrapper.go`): Run first opens the pod's host ports (applyNetworkConfiguration), and
 * getHostPorts refuses any container port without a hostPort in 1–65535 ("illegal host port number 0"), so the
 * workload never starts (the manager only records an event). And podman binds each host port once per device, so
 * two workloads of one device (or of one device set) publishing the same host port cannot both run.
 */
export function checkEdgeWorkloads(entries: ReadonlyArray<Entry>): Finding[] {
  const out: Finding[] = [];
  /** `<cluster>/<namespace>/<device or set>:<hostPort>` → the workload that publishes it. */
  const published = new Map<string, string>();
  for (const e of entries) {
    if (e.object.kind !== 'EdgeWorkload' || !String(e.object.apiVersion).startsWith('management.project-flotta.io/')) continue;
    const spec = (e.object as Json).spec ?? {};
    const targets: string[] =
      typeof spec.device === 'string' ? [`device ${spec.device}`] : ((spec.deviceSelector?.matchExpressions ?? []) as Json[]).flatMap((m) => (m.operator === 'In' ? (m.values as string[]).map((v) => `devices labelled ${m.key}=${v}`) : []));
    ((spec.pod?.spec?.containers ?? []) as Json[]).forEach((c, i) => {
      ((c.ports ?? []) as Json[]).forEach((p, j) => {
        const pointer = `/spec/pod/spec/containers/${i}/ports/${j}`;
        const hostPort = p.hostPort;
        if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) {
          out.push({
            file: e.file,
            pointer: `${pointer}/hostPort`,
            message:
              "is required: Flotta's device agent refuses a workload port without a host port (flotta-device-worker 0.2.0 getHostPorts, \"illegal host port number 0\"), so the workload never starts; " +
              'fix: publish it (hostPort), or leave the port out (Flotta scrapes workload metrics at the container\'s own address)',
          });
          return;
        }
        for (const t of targets) {
          const key = `${e.cluster}/${e.object.metadata.namespace ?? ''}/${t}:${hostPort}`;
          const other = published.get(key);
          if (other === undefined) published.set(key, e.object.metadata.name);
          else if (other !== e.object.metadata.name)
            out.push({ file: e.file, pointer: `${pointer}/hostPort`, message: `host port ${hostPort} on ${t} is published by workload ${other} too: podman binds it once, so one of them never starts; fix: give one of them another port` });
        }
      });
    });
  }
  return out;
}
