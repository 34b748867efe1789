import { ALLOWED_IMAGES_MATCHER, AlertRule } from '../core/monitoring-contract';
import { imageRef, registryOf, VERSIONS } from '../core/versions';
import { StackModel } from '../model/types';

export { registryOf } from '../core/versions';

/**
 * The registries of every image the stack itself runs in clusters: edgewatt's pinned images, the event exporter's,
 * the IoMT things' (the model's, derived when it was resolved), unique.
 */
export function stackRegistries(model: StackModel): string[] {
  const pinned = Object.values(VERSIONS).flatMap((v) => ('image' in v ? [imageRef(v)] : []));
  const eventer = model.monitoring?.events.image ? [model.monitoring.events.image] : [];
  return [...new Set([...[...pinned, ...eventer].map(registryOf), ...(model.iomt?.registries ?? [])])];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An image reference without a registry host (Docker Hub's short form: `nginx:1.27`, `grafana/grafana:13`). */
const DOCKER_HUB_SHORT = '[a-z0-9_-]+(/[a-z0-9._-]+)*([:@][^/]*)?';

/** A PromQL regex (fully anchored by PromQL) matching image references from the registries (`host[:port][/path]`). */
export function registryRegex(registries: ReadonlyArray<string>): string {
  const alts = [...new Set(registries)].sort().map((r) => `${escape(r)}/.+`);
  if (registries.includes('docker.io')) alts.push(DOCKER_HUB_SHORT);
  return alts.join('|');
}

/**
 * The image-registry alert, from kube-state-metrics (v2.19.1 internal/store/pod.go: `kube_pod_container_info`
 * and `kube_pod_init_container_info` carry `image_spec`, the image as the pod spec names it). Kubernetes Events
 * never say which registry an image came from, so this is a state check, not an event one.
 */
export function registryAlert(model: StackModel): Omit<AlertRule, 'runbookURL'> {
  const declared = model.monitoring?.events.allowedRegistries;
  const registries = declared ?? stackRegistries(model);
  const namespaces = declared ? undefined : [...new Set(model.clusters.flatMap((c) => c.namespaces.map((n) => n.name)))].sort();
  const sel = `job="kube-state-metrics"${namespaces ? `, namespace=~"${namespaces.join('|')}"` : ''}, ${ALLOWED_IMAGES_MATCHER}${registryRegex(registries).replace(/\\/g, '\\\\')}"`;
  return {
    alert: 'KubePodImageFromUndeclaredRegistry',
    expr: `max by (cluster, namespace, pod, container, image_spec) (kube_pod_container_info{${sel}} or kube_pod_init_container_info{${sel}})`,
    for: '1m',
    severity: 'warning',
    summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} runs an image from an undeclared registry',
    description: `Container {{ $labels.container }} runs {{ $labels.image_spec }}, which is not from ${declared ? 'monitoring.events.allowedRegistries' : "the registries of the stack's own images"} (${[...registries].sort().join(', ')}). A security signal: an image nobody declared.`,
    steps: [
      'Who created the pod? kubectl -n <namespace> get pod <pod> -o jsonpath={.metadata.ownerReferences}',
      'If the registry is legitimate, add it to monitoring.events.allowedRegistries; if not, delete the workload and rotate what it could reach.',
      declared ? 'Every namespace is checked.' : 'Only the stack\'s own namespaces are checked: set monitoring.events.allowedRegistries to check every namespace.',
    ],
  };
}
