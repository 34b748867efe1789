import { Flow } from '../../core/flows';
import { Entry } from '../types';
import { FlowContext } from './context';
import { ingressRoutesTo } from './network';
import { ClusterObjects } from './objects';
import { parsedData } from './parsed';
import { escapePointerKey } from '../pointer';

/**
 * The `configured` check: the URL a workload is given (env var, flag, config key or JSON pointer in the named
 * object) is the declared one, and its host resolves by the declared transport: `<svc>.<ns>.svc.cluster.local`
 * in-cluster, `<svc>.<ns>.svc.clusterset.local` by Multi-Cluster Services (KEP-1645's DNS), any other host by
 * an Ingress whose rules name that host or a LoadBalancer Service that announces it.
 */

/** Every value of `key` arrays (`env`, `args`, `command`) anywhere in an object. */
function arraysNamed(o: unknown, key: string, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(o)) for (const x of o) arraysNamed(x, key, out);
  else if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      if (k === key && Array.isArray(v)) out.push(v);
      arraysNamed(v, key, out);
    }
  }
  return out;
}

/** Reads the value at `at` in an object; undefined when it is not there. */
export function valueAt(o: unknown, at: string): string | undefined {
  if (at.startsWith('env:')) {
    const name = at.slice(4);
    for (const env of arraysNamed(o, 'env')) {
      const hit = (env as Array<{ name?: string; value?: string }>).find((e) => e?.name === name);
      if (hit) return hit.value;
    }
    return undefined;
  }
  if (at.startsWith('arg:')) {
    const flag = at.slice(4);
    for (const list of [...arraysNamed(o, 'args'), ...arraysNamed(o, 'command')]) {
      const args = list.map(String);
      for (let i = 0; i < args.length; i++) {
        if (args[i].startsWith(`${flag}=`)) return args[i].slice(flag.length + 1);
        if (args[i] === flag && i + 1 < args.length) return args[i + 1];
      }
    }
    return undefined;
  }
  if (at.startsWith('data:')) {
    const [key, pointer] = at.slice(5).split('#');
    const v = (o as { data?: Record<string, unknown> }).data?.[key];
    if (typeof v !== 'string' || pointer === undefined) return typeof v === 'string' ? v : undefined;
    const doc = parsedData(v);
    return doc === null ? undefined : valueAt(doc, pointer);
  }
  if (at.startsWith('/')) {
    let cur: unknown = o;
    for (const raw of at.slice(1).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[key];
    }
    return typeof cur === 'string' ? cur : cur === undefined ? undefined : JSON.stringify(cur);
  }
  return undefined;
}

/** The object named `Kind/name` in the source's cluster: in its namespace, or cluster-scoped. */
function carrier(objs: ClusterObjects, ref: string, namespace: string | undefined): Entry | undefined {
  const [kind, name] = ref.split('/');
  return objs.named(kind, name).find((e) => (namespace === undefined || e.object.metadata.namespace === undefined || e.object.metadata.namespace === namespace));
}

function sourceCluster(f: Flow): string | undefined {
  return f.from.kind === 'external' ? undefined : f.from.cluster;
}

/** Checks the `configured` URL of a flow. */
export function checkConfigured(ctx: FlowContext): void {
  const f = ctx.flow;
  const c = f.configured;
  if (!c) return;
  const cluster = sourceCluster(f);
  if (!cluster) return;
  const objs = ctx.cluster(cluster);
  if (!objs) return;
  const obj = carrier(objs, c.object, f.from.kind === 'pods' ? f.from.namespace : undefined);
  if (!obj) {
    ctx.fail(undefined, `${c.object}, which the flow says carries the URL, is not in the output`, 'fix the flow\'s configured.object, or create the object', '', cluster);
    return;
  }
  const value = valueAt(obj.object, c.at);
  const pointer = c.at.startsWith('/') ? c.at : c.at.startsWith('data:') ? `/data/${escapePointerKey(c.at.slice(5).split('#')[0])}` : '';
  if (value === undefined) {
    ctx.fail(obj, `it has no ${c.at}`, `set ${c.at} to ${c.url}`, pointer);
    return;
  }
  const ok = c.at.startsWith('data:') && !c.at.includes('#') ? value.includes(c.url) : sameAddress(value, c.url);
  if (!ok) {
    ctx.fail(obj, `${c.at} is ${JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value)}, not the declared ${c.url}`, `set ${c.at} to ${c.url} (or declare the URL it uses)`, pointer);
    return;
  }
  checkHost(ctx, obj);
}

/**
 * Whether a configured value is the declared URL: equal, or, for a value without a scheme (a Prometheus static
 * target, which takes its scheme from the job), equal to the URL's `host:port`.
 */
export function sameAddress(value: string, url: string): boolean {
  if (value === url) return true;
  if (value.includes('://')) return false;
  try {
    const u = new URL(url);
    return u.port !== '' && (u.pathname === '/' || u.pathname === '') && value === u.host;
  } catch {
    return false;
  }
}

/** Checks that the URL's host resolves to the destination by the declared transport. */
function checkHost(ctx: FlowContext, obj: Entry): void {
  const f = ctx.flow;
  const to = f.to;
  if (to.kind !== 'service') return;
  let url: URL;
  try {
    url = new URL(f.configured!.url);
  } catch {
    ctx.fail(obj, `the declared URL ${JSON.stringify(f.configured!.url)} does not parse`, 'declare an absolute URL');
    return;
  }
  const host = url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const local = `${to.service}.${to.namespace}.svc.cluster.local`;
  const set = `${to.service}.${to.namespace}.svc.clusterset.local`;
  const expected = f.transport === 'in-cluster' ? local : f.transport === 'mcs' ? set : undefined;
  if (host.endsWith('.svc.cluster.local') || host.endsWith('.svc.clusterset.local')) {
    if (host !== expected) {
      ctx.fail(obj, `the URL's host ${host} ${expected ? `is not ${expected}` : `is a cluster DNS name, which a ${f.transport} flow cannot use`}`, expected ? `use ${expected}` : `use the external hostname of the ${f.transport} endpoint`);
    }
    const objs = ctx.cluster(to.cluster);
    const svc = objs?.find('Service', to.service, to.namespace);
    const ports = ((svc?.object as { spec?: { ports?: Array<{ port: number }> } } | undefined)?.spec?.ports ?? []).map((p) => p.port);
    if (svc && !ports.includes(port)) ctx.fail(obj, `the URL's port ${port} is not a port of Service ${to.namespace}/${to.service} (${ports.join(', ')})`, `use port ${ports.join(' or ')}`);
    return;
  }
  if (f.transport === 'in-cluster' || f.transport === 'mcs') {
    ctx.fail(obj, `the URL's host ${host} is not ${expected}`, `use ${expected}`);
    return;
  }
  const objs = ctx.cluster(to.cluster);
  if (!objs) return;
  if (f.transport === 'ingress') {
    const match = objs.kind('Ingress').some((e) => {
      const rules = ((e.object as { spec?: { rules?: Array<{ host?: string }> } }).spec?.rules ?? []).map((r) => r.host);
      return rules.includes(host) && ingressRoutesTo(e, to.service, typeof to.port === 'number' ? { port: to.port } : { port: -1, name: to.port });
    });
    if (!match) ctx.fail(obj, `no Ingress of cluster ${to.cluster} has host ${host} routing to Service ${to.namespace}/${to.service}`, `add host ${host} to the Ingress in front of ${to.service}, or use its host in the URL`);
    return;
  }
  const svc = objs.find('Service', to.service, to.namespace);
  const announced = svc ? [(svc.object as { spec?: { loadBalancerIP?: string } }).spec?.loadBalancerIP, ...((svc.object.metadata.annotations?.['external-dns.alpha.kubernetes.io/hostname'] ?? '').split(','))].filter(Boolean) : [];
  if (!announced.includes(host)) ctx.fail(svc ?? obj, `the LoadBalancer Service does not announce ${host} (spec.loadBalancerIP or the external-dns.alpha.kubernetes.io/hostname annotation)`, `announce ${host} on the Service, or use the address it has`);
}
