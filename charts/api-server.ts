import { ApiServerDestination } from '../lib/core/flows';
import { apiServerPorts } from '../lib/core/network';
import { ClusterModel } from '../lib/model';

/**
 * The API server of `cluster` as a flow's destination: what the source must be allowed there, and where its endpoints
 * are (their ports on the cluster's platform, and their addresses when the stack gives them), so the flow gate checks
 * the source's token, RBAC and egress policies.
 */
export function apiServerDestination(cluster: ClusterModel, access: ApiServerDestination['access']): ApiServerDestination {
  return { kind: 'api-server', cluster: cluster.name, access, ports: apiServerPorts(cluster.platform), ...(cluster.apiServerCIDRs ? { cidrs: [...cluster.apiServerCIDRs] } : {}) };
}
