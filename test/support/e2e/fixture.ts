import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { KubeObject, SynthResult } from '../../../lib/internal';
import { FakeSeries, exposition } from './exposition';
import { FakeNode, FakePod, podFromKeepRules, podPorts, podsOf, PodPort, podTargetGroups } from './pods';
import { selfSignedCert } from './tls';
import { binary, freePort, get, Proc, serve, start, waitReady } from './processes';
import { ALERTMANAGER_FLAGS, Change, loopbackAlertmanagerConfig, loopbackArgs, LoopbackOptions, loopbackPrometheusConfig, loopbackRules, PROMETHEUS_FLAGS } from './transform';

/**
 * The loopback fixture: the synthesized Prometheus server (hub), a Prometheus agent per other cluster,
 * Alertmanager, a webhook receiver and fake exporters, each configured from the synthesized objects through
 * the loopback transformation (transform.ts). The caller says what each fake pod serves.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the fixture is built from. */
export interface FixtureOptions {
  readonly result: SynthResult;
  /** Fake nodes per cluster. */
  readonly nodes: Readonly<Record<string, ReadonlyArray<FakeNode>>>;
  readonly timeScale: number;
  /** The series a fake pod's port serves (a fresh list per scrape); undefined: an empty page. */
  readonly series: (cluster: string, pod: FakePod, port: PodPort) => (() => FakeSeries[]) | undefined;
  /** External URL prefixes that stand for the webhook receiver (the stack's webhook URLs). */
  readonly webhookURLs: ReadonlyArray<string>;
  /** Test values of Secret files by container path. @default - a fixed value per file name */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly workDir: string;
  /** Kill every process after this long, whatever happens. */
  readonly maxMs: number;
}

/** A fake exporter: one pod port on a loopback port. */
export interface FakeTarget {
  readonly cluster: string;
  readonly pod: FakePod;
  readonly port: PodPort;
  readonly address: string;
  /** Stops serving (connections refused from then on). */
  stop(): Promise<void>;
}

/** A Prometheus process of the fixture. */
export interface PromProc {
  readonly cluster: string;
  readonly mode: 'server' | 'agent';
  readonly url: string;
  readonly proc: Proc;
  readonly config: Json;
}

/** One webhook delivery: Alertmanager's JSON body and the Authorization header. */
export interface Delivery {
  readonly body: Json;
  readonly authorization?: string;
  readonly at: number;
}

export interface Fixture {
  readonly hub: PromProc;
  readonly agents: ReadonlyArray<PromProc>;
  readonly alertmanagerURL: string;
  readonly targets: ReadonlyArray<FakeTarget>;
  readonly deliveries: Delivery[];
  readonly changes: ReadonlyArray<Change>;
  /** The loopback options (to rewrite other URLs of the synthesized output, e.g. a device's receiver). */
  readonly loopback: LoopbackOptions;
  /** Test values written for `*_file` paths, by container path. */
  readonly secretValue: (containerPath: string) => string;
}

function objectsOf(result: SynthResult, cluster: string): KubeObject[] {
  return result.manifests.filter((m) => m.cluster === cluster).flatMap((m) => m.objects);
}

function find(objects: ReadonlyArray<KubeObject>, kind: string, name: string): Json {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in the synthesized objects`);
  return o;
}

/** Writes the ConfigMaps a container mounts under `root` (mountPath/key), as the kubelet would. */
function writeMounts(objects: ReadonlyArray<KubeObject>, pod: Json, container: Json, root: string): void {
  for (const m of container.volumeMounts ?? []) {
    const vol = (pod.volumes ?? []).find((v: Json) => v.name === m.name);
    if (!vol?.configMap) continue;
    const cm = find(objects, 'ConfigMap', vol.configMap.name);
    const dir = path.join(root, m.mountPath);
    fs.mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(cm.data ?? {})) fs.writeFileSync(path.join(dir, k), String(v));
  }
}

function flagValue(args: ReadonlyArray<string>, flag: string): string {
  const a = args.find((x) => x.startsWith(`${flag}=`));
  if (!a) throw new Error(`no ${flag} in ${args.join(' ')}`);
  return a.slice(flag.length + 1);
}

/** Starts everything; the caller stops it with stopAll() (processes.ts) in afterAll. */
export async function startFixture(o: FixtureOptions): Promise<Fixture> {
  const deliveries: Delivery[] = [];
  const webhook = await serve((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        deliveries.push({ body: JSON.parse(body), authorization: req.headers.authorization, at: Date.now() });
      } catch {
        deliveries.push({ body: { unparsable: body }, at: Date.now() });
      }
      res.writeHead(200).end();
    });
  });
  const amPort = await freePort();
  const clusters = [...new Set(o.result.manifests.map((m) => m.cluster))].filter((c) => objectsOf(o.result, c).some((x) => x.kind === 'ConfigMap' && x.metadata.name === 'prometheus-config'));
  const promPorts = new Map<string, number>();
  for (const c of clusters) promPorts.set(c, await freePort());
  const hubCluster = clusters.find((c) => !find(objectsOf(o.result, c), 'StatefulSet', 'prometheus').spec.template.spec.containers[0].args.includes('--agent'));
  if (!hubCluster) throw new Error('no cluster runs a Prometheus server');
  const serverNames = new Set<string>();
  const caFiles = new Set<string>();
  let testCert: { cert: string; key: string } | undefined;
  const cert = () => (testCert ??= selfSignedCert(o.workDir, [...serverNames]));
  const secretValue = (p: string) => (caFiles.has(p) ? cert().cert : (o.secrets?.[p] ?? `e2e-test-value-for-${path.basename(p)}`));
  const changes: Change[] = [];
  const targets: FakeTarget[] = [];
  const procs: PromProc[] = [];
  const maybeNs = (objects: KubeObject[], kind: string, name: string) => objects.find((x) => x.kind === kind && x.metadata.name === name);

  // Service DNS names every configuration may use: the hub Prometheus and Alertmanager.
  const hubObjects = objectsOf(o.result, hubCluster);
  const am = maybeNs(hubObjects, 'StatefulSet', 'alertmanager') as Json;
  const promNs = find(hubObjects, 'StatefulSet', 'prometheus').metadata.namespace;
  const services: Record<string, string> = { [`prometheus.${promNs}:9090`]: `127.0.0.1:${promPorts.get(hubCluster)}` };
  if (am) services[`alertmanager.${am.metadata.namespace}:9093`] = `127.0.0.1:${amPort}`;
  const urls = Object.fromEntries(o.webhookURLs.map((u) => [u, `http://127.0.0.1:${webhook.port}`]));

  for (const cluster of clusters) {
    const objects = objectsOf(o.result, cluster);
    const sts = find(objects, 'StatefulSet', 'prometheus');
    const podSpec = sts.spec.template.spec;
    const container = podSpec.containers[0];
    const root = path.join(o.workDir, cluster, 'prometheus-root');
    const loopback: LoopbackOptions = { timeScale: o.timeScale, services, urls, root, fileContent: secretValue };
    writeMounts(objects, podSpec, container, root);
    const configPath = flagValue(container.args, '--config.file');
    const nodes = o.nodes[cluster] ?? [];
    const pods = podsOf(objects, nodes);
    const sdDir = path.join(o.workDir, cluster, 'sd');
    fs.mkdirSync(sdDir, { recursive: true });
    const sdFiles: Array<{ file: string; sd: Json }> = [];
    const raw = parse(fs.readFileSync(path.join(root, configPath), 'utf8'));
    // Jobs that scrape over https: their fake pods serve TLS with a test certificate, which every ca_file
    // they name holds (the certificate is valid for the server_name they ask for).
    const httpsJobs = new Set<string>();
    for (const s of raw.scrape_configs ?? []) {
      if (s.scheme !== 'https') continue;
      httpsJobs.add(s.job_name);
      if (s.tls_config?.server_name) serverNames.add(s.tls_config.server_name);
      if (s.tls_config?.ca_file) caFiles.add(s.tls_config.ca_file);
    }
    const { config, changes: c1 } = loopbackPrometheusConfig(stringify(raw), {
      ...loopback,
      selfAddress: `127.0.0.1:${promPorts.get(cluster)}`,
      sdFile: (job, i, sd) => {
        const file = path.join(sdDir, `${job}-${i}.json`);
        sdFiles.push({ file, sd: { ...sd, job } });
        return file;
      },
    });
    changes.push(...c1.map((c) => ({ ...c, at: `${cluster}/prometheus.yml: ${c.at}` })));
    // A job whose pods the output does not contain (a Helm-installed operator) gets a pod its keep rules require.
    for (const s of config.scrape_configs) {
      const sd = sdFiles.find((f) => f.sd.job === s.job_name);
      if (!sd) continue;
      const names: string[] = sd.sd.namespaces?.names ?? [];
      const required = podFromKeepRules(s, names[0] ?? 'default', nodes[0].name);
      const matches = pods.some((p) => names.includes(p.namespace) && Object.entries(required.labels).every(([k, v]) => Object.entries(p.labels).some(([pk, pv]) => pk.replace(/[^a-zA-Z0-9_]/g, '_') === k && pv === v)));
      if (!matches) pods.push(required);
    }
    const addresses = new Map<PodPort, string>();
    const ports = podPorts(pods);
    for (const port of ports) {
      const series = o.series(cluster, port.pod, port);
      let serving = true;
      // An https port stands for kube-rbac-proxy: TLS, and a bearer token required (401 without one).
      const tls = /https/.test(port.port.name ?? '') || httpsJobs.has(port.pod.controller.split('/')[1]) ? cert() : undefined;
      const srv = await serve((req, res) => {
        if (!serving) {
          res.destroy();
          return;
        }
        if (tls && !/^Bearer \S+$/.test(req.headers.authorization ?? '')) {
          res.writeHead(401).end('Unauthorized');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(series ? exposition(series(), Date.now()) : '');
      }, tls);
      const address = `127.0.0.1:${srv.port}`;
      addresses.set(port, address);
      targets.push({
        cluster,
        pod: port.pod,
        port,
        address,
        stop: async () => {
          serving = false;
          await srv.close();
        },
      });
    }
    for (const f of sdFiles) fs.writeFileSync(f.file, JSON.stringify(podTargetGroups(f.sd, ports, nodes, (p) => addresses.get(p)!), null, 1));
    // Rule files: the mounted ones, compressed in time.
    for (const pattern of config.rule_files ?? []) {
      const dir = path.dirname(pattern);
      const re = new RegExp(`^${path.basename(pattern).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (re.test(f)) fs.writeFileSync(path.join(dir, f), loopbackRules(fs.readFileSync(path.join(dir, f), 'utf8'), o.timeScale));
    }
    const file = path.join(o.workDir, cluster, 'prometheus.yml');
    fs.writeFileSync(file, stringify(config, { lineWidth: 0 }));
    const dataDir = path.join(o.workDir, cluster, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const listen = `127.0.0.1:${promPorts.get(cluster)}`;
    const args = loopbackArgs(container.args, PROMETHEUS_FLAGS, { configFile: file, listen, dataDir }, loopback);
    const mode = container.args.includes('--agent') ? 'agent' : 'server';
    const proc = start(`prometheus ${mode} (${cluster})`, binary('prometheus'), args, path.join(o.workDir, cluster, 'prometheus.log'), o.maxMs);
    procs.push({ cluster, mode, url: `http://${listen}`, proc, config });
  }

  if (am) {
    const objects = hubObjects;
    const podSpec = am.spec.template.spec;
    const container = podSpec.containers[0];
    const root = path.join(o.workDir, 'alertmanager-root');
    const loopback: LoopbackOptions = { timeScale: o.timeScale, services, urls, root, fileContent: secretValue };
    writeMounts(objects, podSpec, container, root);
    const { config, changes: c2 } = loopbackAlertmanagerConfig(fs.readFileSync(path.join(root, flagValue(container.args, '--config.file')), 'utf8'), loopback);
    changes.push(...c2.map((c) => ({ ...c, at: `alertmanager.yml: ${c.at}` })));
    const file = path.join(o.workDir, 'alertmanager.yml');
    fs.writeFileSync(file, stringify(config, { lineWidth: 0 }));
    const dataDir = path.join(o.workDir, 'alertmanager-data');
    fs.mkdirSync(dataDir, { recursive: true });
    const args = loopbackArgs(container.args, ALERTMANAGER_FLAGS, { configFile: file, listen: `127.0.0.1:${amPort}`, dataDir }, loopback);
    const proc = start('alertmanager', binary('prometheus-alertmanager'), args, path.join(o.workDir, 'alertmanager.log'), o.maxMs);
    await waitReady(proc, `http://127.0.0.1:${amPort}/-/ready`, 30000);
  }
  await Promise.all(procs.map((p) => waitReady(p.proc, `${p.url}/-/ready`, 30000)));
  const hub = procs.find((p) => p.mode === 'server')!;
  return {
    hub,
    agents: procs.filter((p) => p !== hub),
    alertmanagerURL: `http://127.0.0.1:${amPort}`,
    targets,
    deliveries,
    changes,
    loopback: { timeScale: o.timeScale, services, urls, root: path.join(o.workDir, 'device-root'), fileContent: secretValue },
    secretValue,
  };
}

/** An instant query on a Prometheus of the fixture; the result vector (or matrix for range selectors). */
export async function query(base: string, expr: string, time?: number): Promise<Json[]> {
  const r = await get(`${base}/api/v1/query?query=${encodeURIComponent(expr)}${time ? `&time=${time / 1000}` : ''}`);
  const body = JSON.parse(r.body);
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${r.body}`);
  return body.data.result;
}

/** A range query (as a Grafana time series panel runs it). */
export async function queryRange(base: string, expr: string, startMs: number, endMs: number, stepS: number): Promise<Json[]> {
  const r = await get(`${base}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${startMs / 1000}&end=${endMs / 1000}&step=${stepS}`);
  const body = JSON.parse(r.body);
  if (body.status !== 'success') throw new Error(`query_range ${expr} failed: ${r.body}`);
  return body.data.result;
}

/** The active targets of a Prometheus, by job. */
export async function activeTargets(base: string): Promise<Json[]> {
  const r = await get(`${base}/api/v1/targets?state=active`);
  return JSON.parse(r.body).data.activeTargets;
}
