/**
 * The remote-write paths across clusters and from devices, on the real Prometheus binary (Debian's 2.42, as
 * server and agent) on loopback: an edge agent writes through the hub's authenticating receiver gateway, a
 * "device" writes through the device gateway, and both arrive at the hub Prometheus with the labels the rules
 * need. The gateways and the agent run the SYNTHESIZED prometheus.yml; the transformation to loopback is
 * explicit below (`loopback`): URLs → 127.0.0.1 ports, Secret file paths → temp files, Kubernetes discovery
 * → one static fake target. A writer with the wrong password is refused. The device gateway, behind the
 * demo's LoadBalancer, serves TLS itself with its SYNTHESIZED web configuration (a test certificate in the
 * files the tlsSecret would mount), and the device writes https trusting the CA, as Flotta's agent does.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { hashSync } from 'bcryptjs';
import { parse, stringify } from 'yaml';
import { selfSignedCert } from '../support/e2e/tls';
import { demoStack } from '../support/stacks';
import { synthChecked } from '../support/synth';
import { tmpDir } from '../support/tmp';

const PROMETHEUS = '/usr/bin/prometheus';
const procs: ChildProcess[] = [];
let fake: http.Server | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts Prometheus on 127.0.0.1:port; it is killed in afterAll, and by its own timeout at the latest. */
function start(name: string, dir: string, port: number, config: unknown, extra: string[]): void {
  const cfg = path.join(dir, `${name}.yml`);
  fs.writeFileSync(cfg, stringify(config));
  const log = fs.openSync(path.join(dir, `${name}.log`), 'w');
  // Its own process group (timeout and Prometheus): afterAll kills the group; SIGKILL to `timeout` alone
  // would leave Prometheus running with no one to stop it.
  const p = spawn('timeout', ['--kill-after=5', '150', PROMETHEUS, `--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`, ...extra], { stdio: ['ignore', log, log], detached: true });
  procs.push(p);
}

async function get(port: number, pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery, timeout: 2000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject)
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error('timeout'));
      });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

async function series(port: number, selector: string): Promise<Array<Record<string, string>>> {
  const r = await get(port, `/api/v1/series?match[]=${encodeURIComponent(selector)}`);
  return r.status === 200 ? (JSON.parse(r.body).data as Array<Record<string, string>>) : [];
}

/**
 * The loopback transformation of a synthesized prometheus.yml: each remote-write URL becomes the port that
 * stands for its host, Secret-mounted password files become a temp file, and Kubernetes discovery becomes
 * one static target (the fake exporter).
 */
function loopback(config: any, ports: Record<string, number>, passwordFile: string, target: string): any {
  const c = JSON.parse(JSON.stringify(config));
  for (const rw of c.remote_write ?? []) {
    const u = new URL(rw.url);
    const port = ports[u.host] ?? ports[u.hostname];
    if (port === undefined) throw new Error(`no loopback port for ${u.host}`);
    rw.url = `http://127.0.0.1:${port}${u.pathname}`;
    if (rw.basic_auth) rw.basic_auth.password_file = passwordFile;
  }
  c.scrape_configs = [{ job_name: 'fake', scrape_interval: '1s', static_configs: [{ targets: [target] }] }];
  c.global = { ...c.global, scrape_interval: '1s' };
  return c;
}

afterAll(async () => {
  for (const p of procs) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await new Promise<void>((r) => (fake ? fake.close(() => r()) : r()));
});

describe('remote write across clusters and from devices, on real Prometheus', () => {
  test('edge series arrive at the hub with their cluster; device series with cluster and device; a wrong password is refused', async () => {
    expect(spawnSync(PROMETHEUS, ['--version']).status).toBe(0); // Debian's prometheus: .ci/run installs it
    const r = synthChecked(demoStack());
    const cfg = (file: string) => parse(parse(r.files.get(file)!).data['prometheus.yml']);
    const dir = tmpDir('edgewatt-e2e-gw-');
    const [hub, receiver, device, edge, dev, intruder] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];

    fake = http.createServer((_q, res) => res.end('edgewatt_e2e_probe 1\n'));
    const fakePort = await new Promise<number>((res) => fake!.listen(0, '127.0.0.1', () => res((fake!.address() as net.AddressInfo).port)));
    const target = `127.0.0.1:${fakePort}`;

    const password = 'e2e-only-password';
    fs.writeFileSync(path.join(dir, 'password'), password);
    fs.writeFileSync(path.join(dir, 'wrong'), 'not-the-password');
    // The web configuration the user puts in the receiver's Secret: basic_auth_users with a bcrypt hash.
    fs.writeFileSync(path.join(dir, 'web.yml'), stringify({ basic_auth_users: { edge: hashSync(password, 10) } }));

    const receiverCfg = cfg('hub/monitoring/configmap-prometheus-receiver-config.yaml');
    const deviceCfg = cfg('hub/monitoring/configmap-device-metrics-gateway-config.yaml');
    const edgeCfg = cfg('line-1/monitoring/configmap-prometheus-config.yaml');
    const ports = { 'prometheus.monitoring.svc.cluster.local:9090': hub, 'metrics.factory.example': receiver };
    const server = (name: string, port: number, c: any, web?: string) =>
      start(name, dir, port, { ...c, scrape_configs: [] }, [`--storage.tsdb.path=${path.join(dir, name)}`, '--web.enable-remote-write-receiver', ...(web ? [`--web.config.file=${web}`] : [])]);
    const agent = (name: string, port: number, c: any) => start(name, dir, port, c, ['--enable-feature=agent', `--storage.agent.path=${path.join(dir, name)}`]);

    start('hub', dir, hub, { global: { scrape_interval: '1s' }, scrape_configs: [] }, [`--storage.tsdb.path=${path.join(dir, 'hub')}`, '--web.enable-remote-write-receiver']);
    server('receiver', receiver, loopback(receiverCfg, ports, '', target), path.join(dir, 'web.yml'));
    // The device gateway serves TLS itself (the demo's loadBalancer transport): its synthesized web config, whose
    // cert_file and key_file are the tlsSecret's mount, here a test certificate for the LoadBalancer's host.
    const deviceURL = new URL(parse(r.files.get('hub/fleet/edgedeviceset-cameras.yaml')!).spec.metrics.receiverConfiguration.url);
    const lb = parse(r.files.get('hub/monitoring/service-device-metrics-gateway-external.yaml')!);
    expect(lb.spec).toMatchObject({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.20.0.0/24'] });
    expect(lb.metadata.annotations['external-dns.alpha.kubernetes.io/hostname']).toBe(deviceURL.hostname);
    const gwArgs: string[] = parse(r.files.get('hub/monitoring/statefulset-device-metrics-gateway.yaml')!).spec.template.spec.containers[0].args;
    expect(gwArgs).toContain('--web.config.file=/etc/prometheus/web/web.yml');
    const gwWeb = parse(parse(r.files.get('hub/monitoring/configmap-device-metrics-gateway-web.yaml')!).data['web.yml']);
    const tlsDir = path.join(dir, 'device-tls');
    fs.mkdirSync(tlsDir);
    const testCert = selfSignedCert(tlsDir, [deviceURL.hostname]);
    const certFile = path.join(tlsDir, path.basename(gwWeb.tls_server_config.cert_file));
    const keyFile = path.join(tlsDir, path.basename(gwWeb.tls_server_config.key_file));
    expect(fs.readFileSync(certFile, 'utf8')).toBe(testCert.cert); // tls.crt and tls.key, the kubernetes.io/tls keys
    expect(fs.readFileSync(keyFile, 'utf8')).toBe(testCert.key);
    fs.writeFileSync(path.join(dir, 'device-web.yml'), stringify({ ...gwWeb, tls_server_config: { ...gwWeb.tls_server_config, cert_file: certFile, key_file: keyFile } }));
    server('device-gateway', device, loopback(deviceCfg, ports, '', target), path.join(dir, 'device-web.yml'));
    // The edge agent runs line-1's synthesized config: its remote write goes to the receiver host with basic auth.
    agent('edge', edge, loopback(edgeCfg, ports, path.join(dir, 'password'), target));
    // A Flotta device's worker labels every series with edgedeviceid (flotta-device-worker 0.2.0,
    // internal/metrics/remote_write.go); an agent with that external label writes as the device would.
    // It sends https to the host, trusting the CA it was given (receiverConfiguration.caSecretName): here the test
    // certificate, with the host as the TLS server name on loopback.
    const deviceWriter = loopback({ global: { external_labels: { edgedeviceid: 'cam-01' } }, remote_write: [{ url: deviceURL.href }] }, { [deviceURL.host]: device }, '', target);
    deviceWriter.remote_write[0].url = deviceWriter.remote_write[0].url.replace(/^http:/, 'https:');
    deviceWriter.remote_write[0].tls_config = { ca_file: certFile, server_name: deviceURL.hostname };
    agent('device', dev, deviceWriter);
    agent('intruder', intruder, loopback({ global: { external_labels: { cluster: 'intruder' } }, remote_write: [{ url: 'https://metrics.factory.example/api/v1/write', basic_auth: { username: 'edge', password_file: 'x' } }] }, ports, path.join(dir, 'wrong'), target));

    const fromEdge = await until('line-1 series at the hub', async () => {
      const s = await series(hub, 'edgewatt_e2e_probe{cluster="line-1"}');
      return s.length > 0 ? s : undefined;
    });
    expect(fromEdge[0]).toMatchObject({ cluster: 'line-1', job: 'fake' });
    const fromDevice = await until('device series at the hub', async () => {
      const s = await series(hub, 'edgewatt_e2e_probe{device="cam-01"}');
      return s.length > 0 ? s : undefined;
    });
    expect(fromDevice[0]).toMatchObject({ cluster: 'hub', device: 'cam-01', edgedeviceid: 'cam-01' });
    // The device gateway speaks TLS only: a plain-HTTP request gets no Prometheus answer.
    expect((await get(device, '/api/v1/status/buildinfo')).status).toBe(400);
    // The receiver refuses an unauthenticated request outright, and the intruder's samples never arrive.
    expect((await get(receiver, '/api/v1/status/buildinfo')).status).toBe(401);
    const intruderLog = () => fs.readFileSync(path.join(dir, 'intruder.log'), 'utf8');
    await until('the intruder to have been refused', async () => (/401|Unauthorized/.test(intruderLog()) ? true : undefined)).catch((e: Error) => {
      // Once in a CI simulation (session 42) the 60 s passed without it, and it passed alone three times after: the log says why.
      throw new Error(`${e.message}; the intruder agent's log ends:\n${intruderLog().split('\n').slice(-15).join('\n')}`);
    });
    expect(await series(hub, 'edgewatt_e2e_probe{cluster="intruder"}')).toEqual([]);
  }, 120000);
});
