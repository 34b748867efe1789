import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { parseDuration, scaleDuration, scalePromQL } from './durations';

/**
 * The loopback transformation: the synthesized Prometheus, rule and Alertmanager configurations (written for
 * Prometheus v3 and Alertmanager 0.33 in Kubernetes) turned into ones Debian's Prometheus 2.42 and
 * Alertmanager 0.25 run on 127.0.0.1, changing only what cannot run outside a cluster or on the older
 * version. Every change is one of these, and nothing else is touched (relabel rules run unchanged):
 *
 * 1. Discovery: `kubernetes_sd_configs` (compiled out of Debian's build) → `file_sd_configs` whose target
 *    groups carry the `__meta_kubernetes_*` labels Kubernetes discovery would give the fake pods.
 * 2. Addresses: Service DNS names (`<svc>.<ns>[.svc[.cluster.local]]:<port>`, resolved in the config's own
 *    cluster), multi-cluster names (`<svc>.<ns>.svc.clusterset.local:<port>`, a ServiceExport of any cluster)
 *    and external hosts (`<host>:443`, an Ingress host; webhook receiver URLs) → 127.0.0.1 ports; an unknown
 *    host is an error. An https URL becomes http on loopback (TLS terminates at the Ingress): reported.
 * 3. Files: paths in the container (rule_files, every `*_file` field: password_file, credentials_file,
 *    bearer_token_file, ca_file, cert_file, key_file, api_url_file …) → the same path under a temp root,
 *    where the harness writes the mounted ConfigMaps and test values for Secrets (`--web.config.file` too:
 *    the fixture writes a web config from a Secret with bcrypt hashes of its writers' password files).
 * 4. Time, compressed by `timeScale`: scrape/evaluation intervals and timeouts, file_sd refresh, rule `for:`,
 *    every duration literal in rule expressions (range selectors, subqueries, offsets), Alertmanager
 *    group_wait/group_interval/repeat_interval/resolve_timeout. Rates stay per real second.
 * 5. Version: fields Prometheus v3 knows and 2.42 lacks are dropped (listed in V3_ONLY_FIELDS) and
 *    reported; flags are mapped one by one (PROMETHEUS_FLAGS, ALERTMANAGER_FLAGS); an unmapped flag is an error.
 */

/** What the transformation needs to know about the loopback world. */
export interface LoopbackOptions {
  /** Every duration is divided by this. @default 1 */
  readonly timeScale?: number;
  /**
   * `<svc>.<ns>:<port>` → `127.0.0.1:<port>`, for Service DNS names of the config's own cluster; also
   * `<host>:<port>` for external hosts (Ingress hosts, at 443 and 80).
   */
  readonly services: Readonly<Record<string, string>>;
  /** `<svc>.<ns>:<port>` → `127.0.0.1:<port>` for `*.svc.clusterset.local` names (exported Services). @default services */
  readonly clusterSet?: Readonly<Record<string, string>>;
  /** External URL prefix → loopback URL prefix (webhook receivers, ingress endpoints). @default {} */
  readonly urls?: Readonly<Record<string, string>>;
  /** Folder standing for the container's file system root. */
  readonly root: string;
  /** Content of a file a `*_file` field names that no mount provides (a Secret's test value). @default - a fixed test value */
  readonly fileContent?: (containerPath: string) => string;
}

/** Something the transformation changed or dropped, for the test's report. */
export interface Change {
  readonly at: string;
  readonly what: string;
}

/**
 * Fields of Prometheus v3's configuration that 2.42 rejects as unknown, each with where it is documented:
 * the prometheus/prometheus CHANGELOG.md release that added it, or (no CHANGELOG entry) its presence in
 * docs/configuration/configuration.md at v3.14.0. That 2.42 rejects each is checked against the installed
 * promtool by test/e2e/transform.test.ts. Dropping them leaves 2.42's default behaviour; the report says so.
 */
export const V3_ONLY_FIELDS: Readonly<Record<string, string>> = {
  scrape_protocols: 'CHANGELOG 2.49.0',
  fallback_scrape_protocol: 'CHANGELOG 3.0.0',
  enable_compression: 'CHANGELOG 2.49.0',
  track_timestamps_staleness: 'v3.14.0 docs',
  scrape_classic_histograms: 'CHANGELOG 3.0.0 (renamed always_scrape_classic_histograms)',
  always_scrape_classic_histograms: 'CHANGELOG 3.0.0',
  convert_classic_histograms_to_nhcb: 'v3.14.0 docs',
  metric_name_validation_scheme: 'v3.14.0 docs',
  metric_name_escaping_scheme: 'v3.14.0 docs',
  scrape_failure_log_file: 'CHANGELOG 2.55.0',
  native_histogram_bucket_limit: 'CHANGELOG 2.49.0',
  native_histogram_min_bucket_factor: 'CHANGELOG 2.50.0',
  keep_dropped_targets: 'CHANGELOG 2.47.0',
  protobuf_message: 'v3.14.0 docs (remote write 2.0)',
  round_robin_dns: 'v3.14.0 docs',
  runtime: 'v3.14.0 docs',
  otlp: 'v3.14.0 docs',
};

/** Duration fields of prometheus.yml that the time compression scales. */
const PROMETHEUS_DURATIONS = new Set(['scrape_interval', 'scrape_timeout', 'evaluation_interval', 'refresh_interval']);
/** Duration fields of alertmanager.yml that the time compression scales. */
const ALERTMANAGER_DURATIONS = new Set(['group_wait', 'group_interval', 'repeat_interval', 'resolve_timeout']);

const DEFAULT_SECRET = (p: string) => `e2e-test-value-for-${path.basename(p)}`;

/** A `host:port` on loopback, from a Service DNS name or a name the options list. */
export function loopbackHostPort(hostPort: string, o: LoopbackOptions): string {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local|\.clusterset\.local)?)?:(\d+)$/.exec(hostPort);
  const key = m ? `${m[1]}.${m[2]}:${m[5]}` : hostPort;
  const table = m?.[4] === '.clusterset.local' ? (o.clusterSet ?? o.services) : o.services;
  const to = table[key];
  if (!to) throw new Error(`no loopback address for ${hostPort} (looked up as ${key}); known: ${Object.keys(table).sort().join(', ')}`);
  return to;
}

/** A URL on loopback: an external prefix from `urls`, or a Service DNS name. */
export function loopbackURL(url: string, o: LoopbackOptions): string {
  for (const [from, to] of Object.entries(o.urls ?? {})) if (url.startsWith(from)) return `${to}${url.slice(from.length)}`;
  const u = new URL(url);
  return `http://${loopbackHostPort(`${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`, o)}${u.pathname}${u.search}`;
}

/** A container path under the loopback root; the file is created with a test value when nothing mounted it. */
export function rootedPath(containerPath: string, o: LoopbackOptions, create = true): string {
  if (!path.isAbsolute(containerPath)) throw new Error(`file path ${containerPath} is not absolute`);
  const p = path.join(o.root, containerPath);
  if (create && !containerPath.includes('*') && !fs.existsSync(p)) {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, (o.fileContent ?? DEFAULT_SECRET)(containerPath), { mode: 0o600 });
  }
  return p;
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Walks a parsed document: drops v3-only fields, roots `*_file` paths, scales the named durations. */
function walk(node: Json, at: string, o: LoopbackOptions, durations: ReadonlySet<string>, changes: Change[]): void {
  if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}[${i}]`, o, durations, changes));
  if (node === null || typeof node !== 'object') return;
  for (const key of Object.keys(node)) {
    const where = at ? `${at}.${key}` : key;
    const v = node[key];
    if (key in V3_ONLY_FIELDS) {
      delete node[key];
      changes.push({ at: where, what: `dropped: newer than Prometheus 2.42 (${V3_ONLY_FIELDS[key]}); 2.42 uses its default` });
    } else if (/_file$/.test(key) && typeof v === 'string') {
      node[key] = rootedPath(v, o);
      changes.push({ at: where, what: `${v} → loopback root` });
    } else if (durations.has(key) && typeof v === 'string') {
      node[key] = scaleDuration(v, o.timeScale ?? 1, 1000);
      changes.push({ at: where, what: `${v} → ${node[key]}` });
    } else walk(v, where, o, durations, changes);
  }
}

/** Where the fake pods of one Kubernetes discovery config are written. */
export type SdFile = (job: string, index: number, sd: Json) => string;

/** prometheus.yml (text) for 2.42 on loopback; `selfAddress` stands for `localhost:9090` (its own port). */
export function loopbackPrometheusConfig(text: string, o: LoopbackOptions & { readonly sdFile: SdFile; readonly selfAddress: string }): { config: Json; changes: Change[] } {
  const c = parse(text);
  const changes: Change[] = [];
  const host = (t: string) => (t === 'localhost:9090' ? o.selfAddress : loopbackHostPort(t, o));
  for (const [i, s] of (c.scrape_configs ?? []).entries()) {
    const at = `scrape_configs[${i}](${s.job_name})`;
    if (s.kubernetes_sd_configs) {
      s.file_sd_configs = s.kubernetes_sd_configs.map((sd: Json, j: number) => {
        if (sd.role !== 'pod') throw new Error(`${at}: kubernetes_sd_configs role ${sd.role} has no loopback form (only pod)`);
        // Prometheus's own default refresh; the time compression below scales it with the other intervals.
        return { files: [o.sdFile(s.job_name, j, sd)], refresh_interval: '5m' };
      });
      delete s.kubernetes_sd_configs;
      changes.push({ at, what: 'kubernetes_sd_configs → file_sd_configs' });
    }
    for (const sc of s.static_configs ?? []) sc.targets = sc.targets.map(host);
  }
  for (const am of c.alerting?.alertmanagers ?? []) for (const sc of am.static_configs ?? []) sc.targets = sc.targets.map(host);
  for (const rw of c.remote_write ?? []) {
    const to = loopbackURL(rw.url, o);
    // A Service reached over TLS in the cluster is plain HTTP on loopback: the TLS settings stay, unused.
    const downgraded = rw.url.startsWith('https:') && to.startsWith('http:');
    changes.push({ at: `remote_write(${rw.name ?? rw.url})`, what: `${rw.url} → ${to}${downgraded ? ' (TLS not exercised on loopback)' : ''}` });
    rw.url = to;
    // Prometheus sends a partly filled batch after batch_send_deadline, 5 s by default (prometheus/prometheus
    // v2.42.0 config/config.go DefaultQueueConfig); compressed like every other interval, or a forwarded
    // series would reach the hub seconds late and a compressed rate() window would see only part of it.
    if (rw.queue_config?.batch_send_deadline === undefined) {
      const deadline = scaleDuration('5s', o.timeScale ?? 1, 100);
      rw.queue_config = { ...(rw.queue_config ?? {}), batch_send_deadline: deadline };
      changes.push({ at: `remote_write(${rw.name ?? to}).queue_config.batch_send_deadline`, what: `5s (default) → ${deadline}` });
    }
  }
  c.rule_files = (c.rule_files ?? []).map((f: string) => rootedPath(f, o, false));
  if (c.rule_files.length === 0) delete c.rule_files;
  walk(c, '', o, PROMETHEUS_DURATIONS, changes);
  return { config: c, changes };
}

/** A rule file (text) with `for:`, group intervals and every duration in `expr` compressed by `timeScale`. */
export function loopbackRules(text: string, timeScale: number): string {
  const doc = parse(text);
  for (const g of doc.groups ?? []) {
    if (g.interval) g.interval = scaleDuration(g.interval, timeScale, 1000);
    for (const r of g.rules ?? []) {
      r.expr = scalePromQL(r.expr, timeScale);
      if (r.for !== undefined) r.for = parseDuration(r.for) === 0 ? '0s' : scaleDuration(r.for, timeScale, 1000);
      if (r.keep_firing_for !== undefined) r.keep_firing_for = scaleDuration(r.keep_firing_for, timeScale, 1000);
    }
  }
  return stringify(doc, { lineWidth: 0 });
}

/** alertmanager.yml (text) for 0.25 on loopback: receiver URLs, `*_file` paths, compressed timers. */
export function loopbackAlertmanagerConfig(text: string, o: LoopbackOptions): { config: Json; changes: Change[] } {
  const c = parse(text);
  const changes: Change[] = [];
  for (const r of c.receivers ?? []) {
    for (const w of r.webhook_configs ?? []) {
      changes.push({ at: `receivers(${r.name}).webhook_configs.url`, what: `${w.url} → loopback` });
      w.url = loopbackURL(w.url, o);
    }
  }
  walk(c, '', o, ALERTMANAGER_DURATIONS, changes);
  return { config: c, changes };
}

/** What the harness gives each process. */
export interface ProcessPaths {
  readonly configFile: string;
  readonly listen: string;
  readonly dataDir: string;
}

/**
 * Prometheus v3 flags (as the synthesized StatefulSet passes them) → 2.42 flags. `--agent` became a flag in
 * v3; 2.42 has agent mode as `--enable-feature=agent` (prometheus/prometheus cmd/prometheus/main.go at
 * v2.42.0: the `agent` feature; v3.0.0 CHANGELOG: "--enable-feature=agent replaced by --agent").
 */
export const PROMETHEUS_FLAGS: Readonly<Record<string, (value: string | undefined, p: ProcessPaths, o: LoopbackOptions) => string[]>> = {
  '--config.file': (_v, p) => [`--config.file=${p.configFile}`],
  '--web.listen-address': (_v, p) => [`--web.listen-address=${p.listen}`],
  '--agent': () => ['--enable-feature=agent'],
  '--storage.agent.path': (_v, p) => [`--storage.agent.path=${p.dataDir}`],
  '--storage.tsdb.path': (_v, p) => [`--storage.tsdb.path=${p.dataDir}`],
  '--storage.tsdb.retention.time': (v) => [`--storage.tsdb.retention.time=${v}`],
  '--web.enable-remote-write-receiver': () => ['--web.enable-remote-write-receiver'],
  '--web.enable-lifecycle': () => ['--web.enable-lifecycle'],
  '--web.config.file': (v, _p, o) => [`--web.config.file=${rootedPath(v!, o)}`],
};

/** Alertmanager 0.33 flags → 0.25 flags (the same names; paths and address on loopback). */
export const ALERTMANAGER_FLAGS: Readonly<Record<string, (value: string | undefined, p: ProcessPaths, o: LoopbackOptions) => string[]>> = {
  '--config.file': (_v, p) => [`--config.file=${p.configFile}`],
  '--storage.path': (_v, p) => [`--storage.path=${p.dataDir}`],
  '--web.listen-address': (_v, p) => [`--web.listen-address=${p.listen}`],
  // Empty: no gossip cluster (one replica).
  '--cluster.listen-address': (v) => [`--cluster.listen-address=${v ?? ''}`],
};

/** Maps a container's args with a flag table; a flag without a mapping is an error naming it. */
export function loopbackArgs(args: ReadonlyArray<string>, table: typeof PROMETHEUS_FLAGS, p: ProcessPaths, o: LoopbackOptions): string[] {
  return args.flatMap((a) => {
    const m = /^(--[^=]+)(=(.*))?$/.exec(a);
    const map = m ? table[m[1]] : undefined;
    if (!m || !map) throw new Error(`flag ${a} has no loopback mapping: add it to the flag table in test/support/e2e/transform.ts`);
    return map(m[3], p, o);
  });
}
