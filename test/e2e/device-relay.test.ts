/**
 * The device relay on a real Prometheus (Debian's 2.42) on loopback: the generated EdgeWorkload's own shell
 * command (the relay configuration it writes, the flags it passes) runs with three substitutions only — the
 * podman host name `host.containers.internal` → 127.0.0.1 (where a fake Kepler host service serves the
 * measured device's series), `/tmp` → a temporary folder, the listen port → a free one. The Flotta agent's
 * scrape (the EdgeWorkload's metrics port and path) must then return the host service's series.
 */
import * as path from 'path';
import { parse } from 'yaml';
import { synthesize } from '../../lib/internal';
import { deviceSeries } from '../support/e2e/catalog-series';
import { exposition } from '../support/e2e/exposition';
import { binary, freePort, get, serve, start, stopAll, until } from '../support/e2e/processes';
import { demoStack } from '../support/stacks';
import { tmpDir } from '../support/tmp';

afterAll(async () => {
  await stopAll();
});

test('the relay serves the Kepler host service\'s series on the path the Flotta agent scrapes', async () => {
  const r = synthesize(demoStack());
  const w = parse(r.files.get('hub/fleet/edgeworkload-kepler-host-relay.yaml')!);
  const container = w.spec.pod.spec.containers[0];
  expect(container.command).toEqual(['/bin/sh', '-c']);
  const started = Date.now();
  const series = deviceSeries('cam-01', false, started).map((s) => ({ ...s, labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== 'edgedeviceid')) }));
  const kepler = await serve((req, res) => {
    res.writeHead(req.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(req.url === '/metrics' ? exposition(series, Date.now()) : '');
  });
  const dir = tmpDir('edgewatt-relay-');
  const port = await freePort();
  const script = String(container.args[0])
    .replace("host.containers.internal:28282", `127.0.0.1:${kepler.port}`)
    .replace(/\/tmp\//g, `${dir}/`)
    .replace('/bin/prometheus', binary('prometheus'))
    .replace(`--web.listen-address=:${w.spec.metrics.port}`, `--web.listen-address=127.0.0.1:${port}`)
    // 15 s between scrapes would make the test wait; the interval is not what is proven here.
    .replace('scrape_interval: 15s', 'scrape_interval: 1s');
  start('relay', binary('sh'), ['-c', script], path.join(dir, 'relay.log'), 60_000);
  const url = `http://127.0.0.1:${port}${w.spec.metrics.path}`;
  const body = await until('the host service\'s series on the relay\'s federation path', 30_000, async () => {
    const res = await get(url, 2000).catch(() => undefined);
    return res && res.status === 200 && res.body.includes('kepler_node_cpu_watts{') ? res.body : undefined;
  });
  // The job the path selects, the zone series of the host service, nothing of the relay's own.
  expect(body).toMatch(/kepler_node_cpu_watts\{[^}]*job="kepler-host"[^}]*zone="package"/);
  expect(body).not.toContain('prometheus_build_info');
  await kepler.close();
}, 60_000);
