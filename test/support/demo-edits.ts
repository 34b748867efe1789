/** An edit to the bundled example as plain data (test/support/stacks.ts demoStack), in place. */
export type DemoEdit = (s: Record<string, any>) => void;

/**
 * Edits to the bundled example for the reuse property tests: to the devices (what the reusable charts must not
 * read), and to what every chart may read (images, the fleet namespace, alert thresholds). Each can be applied again.
 */
export const DEMO_EDITS: Readonly<Record<string, DemoEdit>> = {
  renameDevice: (s) => (s.fleet.devices[2].name = `pi-${String(s.fleet.devices.length + 10).padStart(2, '0')}`),
  moveCamera: (s) => (s.fleet.devices[0].address = s.fleet.devices[0].address === '10.20.0.11' ? '10.20.0.12' : '10.20.0.11'),
  addDevice: (s) => s.fleet.devices.push({ name: `gw-${String(s.fleet.devices.length + 10).padStart(2, '0')}`, set: 'gateways', labels: { site: 'busan' } }),
  dropDevice: (s) => s.fleet.devices.length > 3 && s.fleet.devices.pop(),
  relabel: (s) => (s.fleet.devices[1].labels = { ...s.fleet.devices[1].labels, tier: s.fleet.devices[1].labels.tier === 'critical' ? 'bulk' : 'critical' }),
  image: (s) => (s.iomt.pipelines[0].things[3].image = s.iomt.pipelines[0].things[3].image.endsWith('0.9.0') ? 'registry.example/iomt/store:0.9.1' : 'registry.example/iomt/store:0.9.0'),
  moveSet: (s) => (s.fleet.devices[2].set = s.fleet.devices[2].set === 'sensors' ? 'gateways' : 'sensors'),
  fleetNamespace: (s) => (s.fleet.namespace = s.fleet.namespace === 'devices' ? 'fleet' : 'devices'),
  alert: (s) => (s.monitoring.alerts.nodePowerWatts = s.monitoring.alerts.nodePowerWatts === 200 ? 250 : 200),
  registry: (s) => (s.iomt.pipelines[0].things[1].image = s.iomt.pipelines[0].things[1].image.startsWith('ghcr.io/') ? 'registry.example/iomt/detector:2.1.0' : 'ghcr.io/example/detector:2.1.0'),
  server: (s) => (s.clusters[1].server = s.clusters[1].server.endsWith(':6443') ? 'https://line-1.factory.example:7443' : 'https://line-1.factory.example:6443'),
  carbon: (s) => (s.monitoring.carbonIntensity = s.monitoring.carbonIntensity === 415 ? 300 : 415),
  // A pipeline with no thing on a device: its cluster's IoMT chart is built from the view (and reused).
  addPipeline: (s) =>
    s.iomt.pipelines.length === 1 &&
    s.iomt.pipelines.push({
      name: 'analytics',
      cluster: 'hub',
      things: [
        { name: 'ingest', kind: 'MSensor', image: 'registry.example/iomt/ingest:1.0.0', port: 8000 },
        { name: 'trend', kind: 'MAnalyzer', image: 'registry.example/iomt/trend:1.0.0', port: 8001 },
      ],
      links: [{ from: 'ingest', to: 'trend' }],
    }),
  pipelinePort: (s) => (s.iomt.pipelines.at(-1).things[1].port = s.iomt.pipelines.at(-1).things[1].port === 8001 ? 8002 : 8001),
  nothing: () => undefined,
};

/** The paths whose texts differ between two synths' files (none when they are the same). */
export function differing(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((p) => a.get(p) !== b.get(p)).sort();
}
