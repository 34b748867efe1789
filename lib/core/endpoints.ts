/**
 * Names and addresses that one component gives and others use. Computed here, once, so that no URL is
 * ever typed by hand and a rename changes every consumer.
 */

/** A Service's address. */
export interface ServiceEndpoint {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  /** Cluster the Service runs in. */
  readonly cluster: string;
}

/** The DNS name of a Service, as seen from `fromCluster`: cluster-local, or the Multi-Cluster Services name. */
export function serviceHost(s: ServiceEndpoint, fromCluster: string): string {
  return s.cluster === fromCluster ? `${s.name}.${s.namespace}.svc.cluster.local` : `${s.name}.${s.namespace}.svc.clusterset.local`;
}

/** `http://<host>:<port>` of a Service as seen from `fromCluster`. */
export function serviceURL(s: ServiceEndpoint, fromCluster: string, path = ''): string {
  return `http://${serviceHost(s, fromCluster)}:${s.port}${path}`;
}

/** The Kepler model server's Service. */
export function modelServerEndpoint(namespace: string, cluster: string): ServiceEndpoint {
  return { name: 'kepler-model-server', namespace, port: 8100, cluster };
}

/** The hub Prometheus's Service (built by the monitoring component). */
export function prometheusEndpoint(namespace: string, cluster: string): ServiceEndpoint {
  return { name: 'prometheus', namespace, port: 9090, cluster };
}
