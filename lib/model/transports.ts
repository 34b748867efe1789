import { ProblemList } from '../core/errors';
import { StackSpec } from '../spec/stack';

/**
 * Every path that leaves a cluster needs a declared transport (DESIGN.md §6): devices are not cluster nodes
 * and cannot resolve cluster DNS, and a `clusterset.local` name resolves only where a Multi-Cluster Services
 * implementation serves a ServiceExport. A missing declaration is a problem naming the field and the fix.
 *
 * @param busy clusters that run anything (have namespaces of the stack)
 */
export function checkTransports(spec: StackSpec, busy: ReadonlyArray<string>, problems: ProblemList, placed: { hub?: string; modelServer?: string; fleet?: string }): void {
  const mon = spec.monitoring;
  if (mon && mon.mode === 'bundled' && placed.hub !== undefined) {
    const writers = busy.filter((c) => c !== placed.hub);
    if (writers.length > 0 && !mon.receiver) {
      problems.add(
        'monitoring.receiver',
        `is required: the Prometheus agents of ${writers.map((c) => `"${c}"`).join(', ')} remote-write to the hub "${placed.hub}" from another cluster. ` +
          'Declare how they reach it and how they authenticate, e.g. receiver: { exposure: { transport: mcs, remotePodCIDRs: [10.42.0.0/16] }, auth: { webConfigSecret: prometheus-web, passwordSecret: { name: remote-write } } }',
      );
    }
  }
  const fleet = spec.fleet;
  if (fleet && fleet.devices.length > 0) {
    if (mon && mon.mode === 'bundled' && !fleet.receiver) {
      problems.add(
        'fleet.receiver',
        'is required: devices send their metrics from outside every cluster and cannot resolve cluster DNS. Declare the external endpoint of the device metrics gateway, e.g. receiver: { exposure: { transport: loadBalancer, host: device-metrics.example.com, tlsSecret: device-metrics-tls, sourceCIDRs: [192.168.10.0/24] } }',
      );
    }
    // flotta-device-worker 0.2.0 internal/metrics/remote_write.go applyConfig: the remote-write client gets an
    // HTTPClientConfig with the server CA only (no basic auth, bearer token or client certificate), so nothing can
    // authenticate a device's writes; what is left is to admit only the device networks.
    const rx = fleet.receiver;
    if (mon && mon.mode === 'bundled' && rx?.exposure.transport === 'ingress' && !rx.unauthenticatedIngress) {
      problems.add(
        'fleet.receiver.exposure.transport',
        "ingress would let any client that reaches the ingress controller write series into the hub: Flotta's device agent sends remote write without credentials (flotta-device-worker 0.2.0), and the gateway's NetworkPolicy sees the controller's pods, not the device. " +
          'Use transport loadBalancer with sourceCIDRs (your device networks; the load balancer and the NetworkPolicy admit exactly these), e.g. exposure: { transport: loadBalancer, host: device-metrics.example.com, tlsSecret: device-metrics-tls, sourceCIDRs: [192.168.10.0/24] }, ' +
          'or set fleet.receiver.unauthenticatedIngress: true and restrict the host at your ingress controller',
      );
    }
    if (!fleet.edgeAPI) {
      problems.add(
        'fleet.edgeAPI',
        'is required: devices register and fetch their configuration through the Flotta edge API, which is only reachable inside the cluster. Declare its external address, e.g. edgeAPI: { host: flotta.example.com, sourceCIDRs: [192.168.10.0/24] }',
      );
    }
  }
  const ms = spec.energy?.modelServer;
  if (ms && placed.modelServer !== undefined && !ms.exposure) {
    // A listed cluster that is not there is its own problem (energy.kepler.clusters), not one more here.
    const keplerClusters = (spec.energy!.kepler.clusters ?? spec.clusters.map((c) => c.name)).filter((c) => spec.clusters.some((k) => k.name === c));
    const remote = keplerClusters.filter((c) => c !== placed.modelServer);
    if (remote.length > 0) {
      problems.add(
        'energy.modelServer.exposure',
        `is required: the Kepler exporters of ${remote.map((c) => `"${c}"`).join(', ')} fetch models from the model server on "${placed.modelServer}". Declare how, e.g. exposure: { transport: mcs, remotePodCIDRs: [10.42.0.0/16] }`,
      );
    }
  }
}
