import * as fs from 'fs';
import * as path from 'path';
import { hashSync } from 'bcryptjs';
import { parse, stringify } from 'yaml';
import { KubeObject, SynthResult } from '../../../lib/internal';
import { FakeSeries, exposition } from './exposition';
import { FakeNode, FakePod, podFromKeepRules, podPorts, podsOf, PodPort, podTargetGroups } from './pods';
import { selfSignedCert } from './tls';
import { binary, freePort, get, Proc, serve, start, waitReady } from './processes';
import { ALERTMANAGER_FLAGS, Change, loopbackAlertmanagerConfig, loopbackArgs, LoopbackOptions, loopbackPrometheusConfig, loopbackRules, loopbackURL, PROMETHEUS_FLAGS } from './transform';

/**
 * The loopback fixture: every Prometheus StatefulSet of the synthesized output (the hub server, an agent per
 * edge cluster, the remote-write gateways prometheus-receiver and device-metrics-gateway), Alertmanager, a
 * webhook receiver and fake exporters, each process configured from its own mounted ConfigMap and args through
 * the loopback transformation (transform.ts), and reached at the addresses the output's Services, Ingresses
 * and ServiceExports give it (addressBook). The caller says what each fake pod serves.
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
  /** Its StatefulSet's name. */
  readonly name: string;
  readonly mode: 'server' | 'agent';
  readonly url: string;
  readonly proc: Proc;
  readonly config: Json;
  /** The harness's Authorization header when its web config requires basic auth. */
  readonly authorization?: string;
}

/** One webhook delivery: Alertmanager's JSON body and the Authorization header. */
export interface Delivery {
  readonly body: Json;
  readonly authorization?: string;
  readonly at: number;
}

export interface Fixture {
  /** The Prometheus server named `prometheus`: the one the dashboards and alerts read. */
  readonly hub: PromProc;
  /** The Prometheus agents (edge clusters). */
  readonly agents: ReadonlyArray<PromProc>;
  /** The other Prometheus servers: remote-write gateways (prometheus-receiver, device-metrics-gateway). */
  readonly gateways: ReadonlyArray<PromProc>;
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

/** A Prometheus or Alertmanager StatefulSet of the output, and the loopback port that stands for its pod. */
export interface Workload {
  readonly cluster: string;
  readonly sts: Json;
  readonly kind: 'prometheus' | 'alertmanager';
  readonly port: number;
}

/** The binary an image runs: quay.io/prometheus/prometheus and quay.io/prometheus/alertmanager only. */
function imageKind(sts: Json): 'prometheus' | 'alertmanager' | undefined {
  const m = /\/prometheus\/(prometheus|alertmanager)[:@]/.exec(sts.spec.template.spec.containers[0].image ?? '');
  return m ? (m[1] as 'prometheus' | 'alertmanager') : undefined;
}

/** The container port a Service port's targetPort names (by name or number), as the endpoints controller resolves it. */
function targetContainerPort(container: Json, targetPort: string | number | undefined, port: number): number | undefined {
  const t = targetPort ?? port;
  if (typeof t === 'number') return t;
  return (container.ports ?? []).find((p: Json) => p.name === t)?.containerPort;
}

/** The port a process listens on in its pod (`--web.listen-address=:9090`), or its default. */
function listenPort(args: ReadonlyArray<string>, fallback: number): number {
  const a = args.find((x) => x.startsWith('--web.listen-address='));
  return a ? Number(a.slice(a.lastIndexOf(':') + 1)) : fallback;
}

/**
 * The loopback address book, from the synthesized objects (transform.ts, item 2): per cluster, every Service
 * whose selector picks a workload's pod template (same namespace), at each Service port whose targetPort is
 * the port the process listens on; every `*.svc.clusterset.local` name a ServiceExport makes; and every
 * Ingress host (at 443 and 80) → its backend Service → that Service's workload. External hosts resolve from
 * every cluster; a Service name only in its own.
 */
export function addressBook(result: SynthResult, workloads: ReadonlyArray<Workload>): { services: Record<string, Record<string, string>>; clusterSet: Record<string, string>; hosts: Record<string, string> } {
  const services: Record<string, Record<string, string>> = {};
  const clusters = [...new Set(result.manifests.map((m) => m.cluster))];
  for (const cluster of clusters) {
    const table: Record<string, string> = (services[cluster] = {});
    for (const svc of objectsOf(result, cluster).filter((x) => x.kind === 'Service') as Json[]) {
      const selector: Record<string, string> = svc.spec?.selector ?? {};
      if (Object.keys(selector).length === 0) continue;
      for (const w of workloads.filter((x) => x.cluster === cluster && x.sts.metadata.namespace === svc.metadata.namespace)) {
        const labels = w.sts.spec.template.metadata?.labels ?? {};
        if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
        const container = w.sts.spec.template.spec.containers[0];
        const listen = listenPort(container.args ?? [], w.kind === 'alertmanager' ? 9093 : 9090);
        for (const p of svc.spec.ports ?? []) {
          if (targetContainerPort(container, p.targetPort, p.port) === listen) table[`${svc.metadata.name}.${svc.metadata.namespace}:${p.port}`] = `127.0.0.1:${w.port}`;
        }
      }
    }
  }
  const clusterSet: Record<string, string> = {};
  const hosts: Record<string, string> = {};
  for (const cluster of clusters) {
    const objects = objectsOf(result, cluster);
    for (const e of objects.filter((x) => x.kind === 'ServiceExport')) {
      const prefix = `${e.metadata.name}.${e.metadata.namespace}:`;
      for (const [k, v] of Object.entries(services[cluster])) if (k.startsWith(prefix)) clusterSet[k] = v;
    }
    // A LoadBalancer's host (the external-dns annotation edgewatt writes) reaches the Service's pods directly.
    for (const lb of objects.filter((x) => x.kind === 'Service' && (x as Json).spec?.type === 'LoadBalancer') as Json[]) {
      const host = lb.metadata.annotations?.['external-dns.alpha.kubernetes.io/hostname'];
      for (const p of lb.spec.ports ?? []) {
        const to = services[cluster][`${lb.metadata.name}.${lb.metadata.namespace}:${p.port}`];
        if (host && to) hosts[`${host}:${p.port}`] = to;
      }
    }
    for (const ing of objects.filter((x) => x.kind === 'Ingress') as Json[]) {
      for (const rule of ing.spec?.rules ?? []) {
        for (const p of rule.http?.paths ?? []) {
          const backend = p.backend?.service;
          const svc = backend && (objects.find((x) => x.kind === 'Service' && x.metadata.name === backend.name && x.metadata.namespace === ing.metadata.namespace) as Json);
          const port = svc?.spec.ports.find((sp: Json) => (backend.port.name !== undefined ? sp.name === backend.port.name : sp.port === backend.port.number));
          const to = port && services[cluster][`${svc.metadata.name}.${svc.metadata.namespace}:${port.port}`];
          if (to && rule.host) for (const hp of [443, 80]) hosts[`${rule.host}:${hp}`] = to;
        }
      }
    }
  }
  for (const cluster of clusters) Object.assign(services[cluster], hosts);
  return { services, clusterSet, hosts };
}

/** The test password the fixture itself uses against a process whose web config requires basic auth. */
const HARNESS_USER = { username: 'e2e-harness', password: 'e2e-harness-only-password' };

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
  // Every Prometheus and Alertmanager StatefulSet of the output, each on its own loopback port.
  const workloads: Workload[] = [];
  for (const cluster of [...new Set(o.result.manifests.map((m) => m.cluster))]) {
    for (const sts of objectsOf(o.result, cluster).filter((x) => x.kind === 'StatefulSet') as Json[]) {
      const kind = imageKind(sts);
      if (kind) workloads.push({ cluster, sts, kind, port: await freePort() });
    }
  }
  const proms = workloads.filter((w) => w.kind === 'prometheus');
  const isAgent = (w: Workload) => w.sts.spec.template.spec.containers[0].args.includes('--agent');
  const hubW = proms.find((w) => !isAgent(w) && w.sts.metadata.name === 'prometheus');
  if (!hubW) throw new Error('no cluster runs a Prometheus server named prometheus');
  const amW = workloads.find((w) => w.kind === 'alertmanager');
  const book = addressBook(o.result, workloads);
  const serverNames = new Set<string>();
  const caFiles = new Set<string>();
  let testCert: { cert: string; key: string } | undefined;
  const cert = () => (testCert ??= selfSignedCert(o.workDir, [...serverNames]));
  const secretValue = (p: string) => (caFiles.has(p) ? cert().cert : (o.secrets?.[p] ?? `e2e-test-value-for-${path.basename(p)}`));
  const changes: Change[] = [];
  const targets: FakeTarget[] = [];
  const procs: PromProc[] = [];
  const urls = Object.fromEntries(o.webhookURLs.map((u) => [u, `http://127.0.0.1:${webhook.port}`]));
  const loopbackOf = (w: Workload, root: string): LoopbackOptions => ({ timeScale: o.timeScale, services: book.services[w.cluster], clusterSet: book.clusterSet, urls, root, fileContent: secretValue });
  const dirOf = (w: Workload) => path.join(o.workDir, w.cluster, w.sts.metadata.name);

  // Pass 1: each Prometheus's mounted ConfigMaps and its prometheus.yml as synthesized.
  const raws = new Map<Workload, Json>();
  for (const w of proms) {
    const podSpec = w.sts.spec.template.spec;
    const container = podSpec.containers[0];
    const root = path.join(dirOf(w), 'root');
    writeMounts(objectsOf(o.result, w.cluster), podSpec, container, root);
    raws.set(w, parse(fs.readFileSync(path.join(root, flagValue(container.args, '--config.file')), 'utf8')));
    // A gateway behind a LoadBalancer serves TLS itself (tls_server_config, from a ConfigMap, with the tlsSecret's
    // files): plain HTTP on loopback, as an Ingress's TLS is; test/e2e/gateways.test.ts runs it with TLS.
    const webArg = (container.args as string[]).find((a) => a.startsWith('--web.config.file='));
    const webFile = webArg && path.join(root, flagValue(container.args, '--web.config.file'));
    if (webFile && fs.existsSync(webFile)) {
      const web = parse(fs.readFileSync(webFile, 'utf8'));
      if (web?.tls_server_config) {
        delete web.tls_server_config;
        fs.writeFileSync(webFile, stringify(web));
        changes.push({ at: `${w.cluster}/${w.sts.metadata.name}: --web.config.file`, what: 'tls_server_config dropped: served over plain HTTP on loopback (TLS proven in test/e2e/gateways.test.ts)' });
      }
    }
  }

  // A `--web.config.file` no ConfigMap provides comes from a Secret made outside Git: the fixture writes it as
  // the user would, with basic_auth_users holding the bcrypt hash of each writer's password_file test value
  // (every remote_write whose URL lands on this process), and the harness's own user for readiness checks.
  const authorization = new Map<Workload, string>();
  for (const w of proms) {
    const args: string[] = w.sts.spec.template.spec.containers[0].args;
    if (!args.some((a) => a.startsWith('--web.config.file='))) continue;
    const file = path.join(dirOf(w), 'root', flagValue(args, '--web.config.file'));
    if (fs.existsSync(file)) continue;
    const users: Record<string, string> = { [HARNESS_USER.username]: HARNESS_USER.password };
    for (const [writer, raw] of raws) {
      for (const rw of raw.remote_write ?? []) {
        if (!rw.basic_auth?.username || !rw.basic_auth.password_file) continue;
        let to: string;
        try {
          to = loopbackURL(rw.url, loopbackOf(writer, path.join(dirOf(writer), 'root')));
        } catch {
          continue; // an unknown host: loopbackPrometheusConfig reports it below
        }
        if (to.startsWith(`http://127.0.0.1:${w.port}/`)) users[rw.basic_auth.username] = secretValue(rw.basic_auth.password_file);
      }
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stringify({ basic_auth_users: Object.fromEntries(Object.entries(users).map(([u, p]) => [u, hashSync(p, 10)])) }), { mode: 0o600 });
    changes.push({ at: `${w.cluster}/${w.sts.metadata.name}: --web.config.file`, what: `Secret written by the fixture: basic_auth_users ${Object.keys(users).sort().join(', ')} (bcrypt)` });
    authorization.set(w, `Basic ${Buffer.from(`${HARNESS_USER.username}:${HARNESS_USER.password}`).toString('base64')}`);
  }

  // Pass 2, per cluster: the fake pods (one fake exporter per container port), then each Prometheus.
  for (const cluster of [...new Set(proms.map((w) => w.cluster))]) {
    const objects = objectsOf(o.result, cluster);
    const nodes = o.nodes[cluster] ?? [];
    const pods = podsOf(objects, nodes);
    const mine = proms.filter((w) => w.cluster === cluster);
    const jobs = mine.flatMap((w) => (raws.get(w).scrape_configs ?? []) as Json[]);
    // Jobs that scrape over https: their fake pods serve TLS with a test certificate, which every ca_file
    // they name holds (the certificate is valid for the server_name they ask for).
    const httpsJobs = new Set<string>();
    for (const s of jobs) {
      if (s.scheme !== 'https') continue;
      httpsJobs.add(s.job_name);
      if (s.tls_config?.server_name) serverNames.add(s.tls_config.server_name);
      if (s.tls_config?.ca_file) caFiles.add(s.tls_config.ca_file);
    }
    // A job whose pods the output does not contain (a Helm-installed operator) gets a pod its keep rules require.
    for (const s of jobs) {
      for (const sd of s.kubernetes_sd_configs ?? []) {
        const names: string[] = sd.namespaces?.names ?? [];
        const required = podFromKeepRules(s, names[0] ?? 'default', nodes[0].name);
        const matches = pods.some((p) => names.includes(p.namespace) && Object.entries(required.labels).every(([k, v]) => Object.entries(p.labels).some(([pk, pv]) => pk.replace(/[^a-zA-Z0-9_]/g, '_') === k && pv === v)));
        if (!matches) pods.push(required);
      }
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
    for (const w of mine) {
      const name = w.sts.metadata.name;
      const dir = dirOf(w);
      const container = w.sts.spec.template.spec.containers[0];
      const loopback = loopbackOf(w, path.join(dir, 'root'));
      const sdDir = path.join(dir, 'sd');
      fs.mkdirSync(sdDir, { recursive: true });
      const sdFiles: Array<{ file: string; sd: Json }> = [];
      const { config, changes: c1 } = loopbackPrometheusConfig(stringify(raws.get(w)), {
        ...loopback,
        selfAddress: `127.0.0.1:${w.port}`,
        sdFile: (job, i, sd) => {
          const file = path.join(sdDir, `${job}-${i}.json`);
          sdFiles.push({ file, sd: { ...sd, job } });
          return file;
        },
      });
      changes.push(...c1.map((c) => ({ ...c, at: `${cluster}/${name}/prometheus.yml: ${c.at}` })));
      for (const f of sdFiles) fs.writeFileSync(f.file, JSON.stringify(podTargetGroups(f.sd, ports, nodes, (p) => addresses.get(p)!), null, 1));
      // Rule files: the mounted ones, compressed in time.
      for (const pattern of config.rule_files ?? []) {
        const rdir = path.dirname(pattern);
        const re = new RegExp(`^${path.basename(pattern).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
        for (const f of fs.existsSync(rdir) ? fs.readdirSync(rdir) : []) if (re.test(f)) fs.writeFileSync(path.join(rdir, f), loopbackRules(fs.readFileSync(path.join(rdir, f), 'utf8'), o.timeScale));
      }
      const file = path.join(dir, 'prometheus.yml');
      fs.writeFileSync(file, stringify(config, { lineWidth: 0 }));
      const dataDir = path.join(dir, 'data');
      fs.mkdirSync(dataDir, { recursive: true });
      const listen = `127.0.0.1:${w.port}`;
      const args = loopbackArgs(container.args, PROMETHEUS_FLAGS, { configFile: file, listen, dataDir }, loopback);
      const mode = isAgent(w) ? 'agent' : 'server';
      const proc = start(`prometheus ${mode} ${name} (${cluster})`, binary('prometheus'), args, path.join(dir, 'prometheus.log'), o.maxMs);
      procs.push({ cluster, name, mode, url: `http://${listen}`, proc, config, authorization: authorization.get(w) });
    }
  }

  const amPort = amW?.port ?? 0;
  if (amW) {
    const objects = objectsOf(o.result, amW.cluster);
    const podSpec = amW.sts.spec.template.spec;
    const container = podSpec.containers[0];
    const root = path.join(o.workDir, 'alertmanager-root');
    const loopback = loopbackOf(amW, root);
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
  await Promise.all(procs.map((p) => waitReady(p.proc, `${p.url}/-/ready`, 30000, p.authorization ? { authorization: p.authorization } : undefined)));
  const hub = procs.find((p) => p.cluster === hubW.cluster && p.name === hubW.sts.metadata.name)!;
  return {
    hub,
    agents: procs.filter((p) => p.mode === 'agent'),
    gateways: procs.filter((p) => p !== hub && p.mode === 'server'),
    alertmanagerURL: `http://127.0.0.1:${amPort}`,
    targets,
    deliveries,
    changes,
    loopback: { ...loopbackOf(hubW, path.join(o.workDir, 'device-root')) },
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
