import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { AddressInfo } from 'net';
import { parseAllDocuments } from 'yaml';
import { sharedPath } from './shared';

/**
 * A local stand-in for a kube-apiserver that answers the few paths the live commands use: discovery
 * (APIResourceList), list with labelSelector/limit/continue, get, and server-side apply with dryRun=All.
 * Its discovery is read from the official OpenAPI document and the upstream CRDs in ../shared, and it answers
 * with the documented shapes (Status objects for errors). It never persists an apply: a request without
 * dryRun=All is refused, so a test would catch a live command that writes.
 */

interface Resource { group: string; version: string; kind: string; plural: string; namespaced: boolean }
type Obj = Record<string, any>;

/** One request the stub saw. */
export interface SeenRequest { method: string; path: string; query: URLSearchParams; contentType?: string; body?: Obj }

/** The API resources of Kubernetes v1.35 (from the OpenAPI paths) and of the CRDs in ../shared/crds (a cluster with Argo CD, Flotta, the Prometheus Operator's CRDs and a Multi-Cluster Services implementation). */
function loadResources(): Resource[] {
  const out = new Map<string, Resource>();
  const swagger = JSON.parse(fs.readFileSync(sharedPath('schemas', 'kubernetes', 'swagger-v1.35.0.json'), 'utf8'));
  for (const [p, ops] of Object.entries<any>(swagger.paths)) {
    const gvk = ops.get?.['x-kubernetes-group-version-kind'];
    const m = /^\/apis?\/(?:[^/]+\/)?[^/]+\/(namespaces\/\{namespace\}\/)?([a-z0-9]+)\/\{name\}$/.exec(p);
    if (!gvk || !m || ops.get['x-kubernetes-action'] !== 'get') continue;
    out.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, { group: gvk.group, version: gvk.version, kind: gvk.kind, plural: m[2], namespaced: !!m[1] });
  }
  for (const dir of ['argocd', 'flotta', 'prometheus-operator', 'mcs-api']) {
    for (const f of fs.readdirSync(sharedPath('crds', dir)).filter((x) => x.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(sharedPath('crds', dir), f), 'utf8'))) {
        const crd = doc.toJS() as Obj | null;
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const v of crd.spec.versions) {
          out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { group: crd.spec.group, version: v.name, kind: crd.spec.names.kind, plural: crd.spec.names.plural, namespaced: crd.spec.scope === 'Namespaced' });
        }
      }
    }
  }
  return [...out.values()];
}

const status = (code: number, reason: string, message: string, details?: Obj): Obj => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });

/** Deep merge for the apply answer: maps merge, everything else is replaced by the applied value. */
function merge(live: any, applied: any): any {
  if (live && applied && typeof live === 'object' && typeof applied === 'object' && !Array.isArray(live) && !Array.isArray(applied)) {
    const out: Obj = { ...live };
    for (const [k, v] of Object.entries(applied)) out[k] = merge(live[k], v);
    return out;
  }
  return structuredClone(applied);
}

export class KubeStub {
  readonly token = 'stub-token';
  readonly requests: SeenRequest[] = [];
  /** Objects by `apiVersion|kind|namespace|name`. */
  private readonly objects = new Map<string, Obj>();
  private readonly resources = loadResources();
  private server?: http.Server;
  private uid = 0;
  /** Called before each list is answered: tests change state between polls. */
  beforeList: (path: string, n: number) => void = () => undefined;
  /** Returns a Status to reject an apply with, or undefined to accept it. */
  rejectApply: (o: Obj) => Obj | undefined = () => undefined;
  /** When set, every request is answered 401. */
  unauthorized = false;
  private lists = 0;

  /** Stores a live object (as the server would hold it: with uid, resourceVersion, creationTimestamp). */
  put(o: Obj): Obj {
    const stored = structuredClone(o);
    stored.metadata = { uid: `uid-${++this.uid}`, resourceVersion: String(1000 + this.uid), creationTimestamp: '2026-11-20T08:00:00Z', generation: 1, ...stored.metadata };
    this.objects.set(this.key(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name), stored);
    return stored;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.objects.get(this.key(apiVersion, kind, namespace, name));
  }

  private key(apiVersion: string, kind: string, ns: string | undefined, name: string): string {
    return `${apiVersion}|${kind}|${ns ?? ''}|${name}`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const [code, answer] = this.answer(req, body);
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** A kubeconfig file for this server, written into `dir`. */
  kubeconfig(dir: string, server: string, token = this.token): string {
    const file = path.join(dir, 'kubeconfig');
    fs.writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: stub',
      'clusters:', '- name: stub', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
      'users:', '- name: stub', '  user:', `    token: ${token}`,
      'contexts:', '- name: stub', '  context:', '    cluster: stub', '    user: stub',
    ].join('\n') + '\n');
    return file;
  }

  private answer(req: http.IncomingMessage, text: string): [number, Obj] {
    const url = new URL(req.url ?? '/', 'http://stub');
    const seen: SeenRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}) };
    if (text) seen.body = JSON.parse(text);
    this.requests.push(seen);
    if (this.unauthorized || req.headers.authorization !== `Bearer ${this.token}`) return [401, status(401, 'Unauthorized', 'Unauthorized')];
    const parts = url.pathname.split('/').filter(Boolean);
    const core = parts[0] === 'api';
    const [group, version] = core ? ['', parts[1]] : [parts[1], parts[2]];
    if (!version) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    const rest = parts.slice(core ? 2 : 3);
    const served = this.resources.filter((r) => r.group === group && r.version === version);
    if (served.length === 0) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    const apiVersion = group ? `${group}/${version}` : version;
    if (rest.length === 0) {
      return [200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersion, resources: served.map((r) => ({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] })) }];
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest.splice(0, 2);
    }
    const resource = served.find((r) => r.plural === rest[0]);
    if (!resource) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    const name = rest[1];
    if (req.method === 'GET' && !name) return [200, this.list(resource, apiVersion, namespace, url)];
    if (req.method === 'GET') {
      const o = this.get(apiVersion, resource.kind, namespace, name);
      return o ? [200, o] : [404, status(404, 'NotFound', `${resource.plural}${group ? `.${group}` : ''} "${name}" not found`, { name, group, kind: resource.plural })];
    }
    if (req.method === 'PATCH') return this.apply(resource, apiVersion, namespace, name, seen);
    return [405, status(405, 'MethodNotAllowed', 'the stub answers GET and PATCH only')];
  }

  private list(r: Resource, apiVersion: string, namespace: string | undefined, url: URL): Obj {
    this.beforeList(url.pathname, ++this.lists);
    const selector = url.searchParams.get('labelSelector');
    const [lk, lv] = selector ? selector.split('=') : [];
    const all = [...this.objects.values()]
      .filter((o) => o.apiVersion === apiVersion && o.kind === r.kind && (namespace === undefined || o.metadata.namespace === namespace))
      .filter((o) => !selector || o.metadata.labels?.[lk] === lv)
      .sort((a, b) => (`${a.metadata.namespace}/${a.metadata.name}` < `${b.metadata.namespace}/${b.metadata.name}` ? -1 : 1));
    const start = Number(url.searchParams.get('continue') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? '0') || all.length;
    const page = all.slice(start, start + limit);
    const more = start + limit < all.length;
    // As the API server does, list items leave out apiVersion and kind.
    const items = page.map(({ apiVersion: _a, kind: _k, ...o }) => o);
    return { kind: `${r.kind}List`, apiVersion, metadata: { resourceVersion: '5000', ...(more ? { continue: String(start + limit) } : {}) }, items };
  }

  private apply(r: Resource, apiVersion: string, namespace: string | undefined, name: string, seen: SeenRequest): [number, Obj] {
    if (seen.query.get('dryRun') !== 'All') return [403, status(403, 'Forbidden', 'the stub persists nothing: send dryRun=All')];
    if (seen.contentType !== 'application/apply-patch+yaml') return [415, status(415, 'UnsupportedMediaType', `the stub answers server-side apply only, not ${seen.contentType}`)];
    if (!seen.query.get('fieldManager')) return [422, status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')];
    const body = seen.body!;
    if (r.namespaced && namespace && !this.get('v1', 'Namespace', undefined, namespace)) {
      return [404, status(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' })];
    }
    const rejected = this.rejectApply(body);
    if (rejected) return [rejected.code, rejected];
    const live = this.get(apiVersion, r.kind, namespace, name);
    const result = merge(live ?? {}, body);
    result.metadata = { ...result.metadata, uid: live?.metadata.uid ?? 'uid-dry-run', resourceVersion: live?.metadata.resourceVersion ?? '0', creationTimestamp: live?.metadata.creationTimestamp ?? '2026-11-23T09:00:00Z',
      managedFields: [{ manager: seen.query.get('fieldManager'), operation: 'Apply', apiVersion, time: '2026-11-23T09:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} }] };
    return [200, result];
  }
}
