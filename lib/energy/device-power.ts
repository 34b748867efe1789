import { modelServerEndpoint } from '../core/endpoints';
import { Flow } from '../core/flows';
import { exposedURL } from '../core/exposure';
import { setPowers } from '../model/device-power';
import { StackModel } from '../model/types';
import { deviceBootstrapFiles } from './device-bootstrap';

/** Folder, under the fleet cluster's `fleet/` output, of the device bootstrap files (one folder per set). */
export const DEVICE_BOOTSTRAP_DIR = 'device-bootstrap';

/** Whether some device set estimates its power and can reach the hub model server (its ingress). */
export function devicesEstimateFromServer(model: StackModel): boolean {
  const ms = model.energy?.modelServer;
  if (!model.fleet || ms?.exposure?.transport !== 'ingress') return false;
  return setPowers(model.fleet).some((s) => s.power?.source === 'estimated' && s.devices.length > 0);
}

/**
 * The model server URL devices use: its declared external endpoint (the ingress host; devices are not
 * cluster members and resolve no cluster DNS), or none when the stack declares no ingress for it.
 */
export function deviceModelServerURL(model: StackModel): string | undefined {
  const ms = model.energy?.modelServer;
  if (!ms || ms.exposure?.transport !== 'ingress') return undefined;
  return exposedURL(modelServerEndpoint(model.energy!.namespace, ms.cluster), undefined, ms.exposure);
}

/**
 * The device bootstrap files of every set whose devices run a Kepler host service, by path relative to the
 * output folder: `<fleet cluster>/fleet/device-bootstrap/<set>/{kepler.service,kepler.env,README.md}` (or the
 * kepler-classic files for estimated sets).
 */
export function deviceBootstrapDocuments(model: StackModel): Map<string, string> {
  const out = new Map<string, string>();
  const f = model.fleet;
  if (!f) return out;
  const modelServerURL = deviceModelServerURL(model);
  for (const s of setPowers(f)) {
    const p = s.power;
    if (!p || p.source === 'profile' || s.devices.length === 0) continue;
    const files = deviceBootstrapFiles({ stackName: model.name, set: s.set, source: p.source, modelServerURL: p.source === 'estimated' ? modelServerURL : undefined, initialModelURL: p.initialModelURL, hwmonZones: p.hwmonZones });
    for (const [name, text] of files) out.set(`${f.cluster}/fleet/${DEVICE_BOOTSTRAP_DIR}/${s.set}/${name}`, text);
  }
  return out;
}

/**
 * The device → model server paths (purpose model-fetch), declared by the model server's cluster: one per
 * device set that estimates its power from the server, through its ingress (devices are never cluster
 * members). The URL is configured on the device (the set's kepler-classic.env, not a Kubernetes object), so
 * the gate proves the Ingress, the Service and the NetworkPolicy; the bootstrap test checks the URL.
 */
export function deviceModelFetchFlows(model: StackModel, cluster: string): Flow[] {
  const ms = model.energy?.modelServer;
  const f = model.fleet;
  if (!f || !ms || ms.cluster !== cluster || ms.exposure?.transport !== 'ingress') return [];
  const ep = modelServerEndpoint(model.energy!.namespace, ms.cluster);
  return setPowers(f)
    .filter((s) => s.power?.source === 'estimated' && s.devices.length > 0)
    .map((s) => ({
      id: `model-fetch:devices(${s.set})->${ms.cluster}/${ep.name}`,
      purpose: 'model-fetch' as const,
      from: { kind: 'device' as const, cluster: f.cluster, set: s.set },
      to: { kind: 'service' as const, cluster: ms.cluster, namespace: ep.namespace, service: ep.name, port: 'http' },
      transport: 'ingress' as const,
      ingressControllerNamespace: (ms.exposure as { controllerNamespace: string }).controllerNamespace,
      path: `${s.power!.path}.source`,
    }));
}
