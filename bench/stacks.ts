import { StackInput } from '../lib/internal';

/**
 * A benchmark stack: `devices` fleet devices in sets of 100 with a workload per set (by selector), and
 * `clusterCount` clusters (default 50 at 10,000 devices, scaled down below; 200 at 100,000) each with two IoMT
 * pipelines.
 */
export function benchStack(devices: number, clusterCount = devices <= 10000 ? Math.max(2, Math.min(50, Math.round(devices / 200))) : Math.min(200, Math.round(devices / 500))): StackInput {
  const clusters = Array.from({ length: clusterCount }, (_, i) => ({ name: i === 0 ? 'hub' : `site-${String(i).padStart(2, '0')}`, server: i === 0 ? 'https://kubernetes.default.svc' : `https://site-${i}.edge.example:6443`, platform: 'k3s' as const }));
  const sets = Math.ceil(devices / 100);
  return {
    name: 'bench',
    gitops: { repoURL: 'https://git.example.com/platform/bench.git', targetRevision: 'main', path: 'dist' },
    clusters,
    energy: { kepler: { generation: 'current' } },
    monitoring: {
      cluster: 'hub',
      selection: { sample: 0.25, always: { tier: 'critical' } },
      receiver: { exposure: { transport: 'mcs', remotePodCIDRs: ['10.64.0.0/10'] }, auth: { webConfigSecret: 'prometheus-receiver-web', passwordSecret: { name: 'prometheus-remote-write' } } },
    },
    dashboards: { cluster: 'hub' },
    fleet: {
      cluster: 'hub',
      receiver: { exposure: { transport: 'loadBalancer', host: 'device-metrics.bench.example', tlsSecret: 'device-metrics-tls', sourceCIDRs: ['10.0.0.0/8'] } },
      edgeAPI: { host: 'flotta.bench.example', sourceCIDRs: ['10.0.0.0/8'] },
      deviceSets: Array.from({ length: sets }, (_, s) => ({ name: `set-${String(s).padStart(3, '0')}` })),
      devices: Array.from({ length: devices }, (_, d) => ({
        name: `dev-${String(d).padStart(5, '0')}`,
        set: `set-${String(Math.floor(d / 100)).padStart(3, '0')}`,
        address: `10.${Math.floor(d / 65536) % 256}.${Math.floor(d / 256) % 256}.${d % 256}`,
        labels: { set: `set-${String(Math.floor(d / 100)).padStart(3, '0')}`, ...(d % 50 === 0 ? { tier: 'critical' } : {}) },
      })),
      workloads: Array.from({ length: sets }, (_, s) => ({ name: `relay-${String(s).padStart(3, '0')}`, image: 'registry.example/relay:1.0.0', selector: { set: `set-${String(s).padStart(3, '0')}` }, metrics: { port: 9100 } })),
    },
    iomt: {
      pipelines: clusters.flatMap((c) =>
        ['vision', 'audio'].map((p) => ({
          name: `${c.name}-${p}`,
          cluster: c.name,
          things: [
            { name: 'sensor', kind: 'MSensor' as const, image: 'registry.example/iomt/sensor:1.0.0', port: 8554 },
            { name: 'analyzer', kind: 'MAnalyzer' as const, image: 'registry.example/iomt/analyzer:1.0.0', port: 8080 },
            { name: 'display', kind: 'MActuator' as const, image: 'registry.example/iomt/display:1.0.0', port: 80 },
          ],
          links: [
            { from: 'sensor', to: 'analyzer' },
            { from: 'analyzer', to: 'display' },
          ],
        })),
      ),
    },
  } as StackInput;
}
