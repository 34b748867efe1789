import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError } from '../core/errors';
import { ApiRejection, ApplyOptions, ClusterUnavailable, KindNotServed, LiveClient, LiveObject, ObjectRef } from './types';

/** @kubernetes/client-node is ESM-only; it is imported when a live command runs, never on the synth path. */
type K8s = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });
type KubeConfig = InstanceType<K8s['KubeConfig']>;
type KubernetesObject = import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } }).KubernetesObject;

/** How to reach a cluster. */
export interface ConnectOptions {
  /** A kubeconfig file. Default: `$KUBECONFIG` (its files merged), else `~/.kube/config`, else in-cluster. */
  readonly kubeconfig?: string;
  /** A context of that kubeconfig. Default: its current context. */
  readonly context?: string;
  /** The flag that named `context`, for the message when the kubeconfig has no such context. Default: `--context`. */
  readonly contextFlag?: string;
  /** Per-request time limit in milliseconds. Default: 30000. */
  readonly requestTimeoutMs?: number;
}

/** Node's errors for a server that cannot be reached or whose certificate cannot be trusted. */
const UNREACHABLE = /HTTP protocol is not allowed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|timeout/i;

/**
 * A kubeconfig that names no usable cluster is bad input (exit 2, as a wrong flag or an unreadable file), not a
 * cluster that could not be reached (exit 5): nothing was sent anywhere.
 */
function badConfig(flag: string, message: string): InputError {
  return new InputError([{ path: flag, message }]);
}

/** Runs a kubeconfig load; a file that cannot be read or parsed is named in the error. */
function readKubeconfig(load: () => void, source: string, flag: string): void {
  try {
    load();
  } catch (e) {
    throw badConfig(flag, `cannot read the kubeconfig (${source}): ${(e as Error).message.split('\n')[0]}: pass a readable kubeconfig file`);
  }
}

/** Loads the kubeconfig the way kubectl does and names what is missing when there is none. */
function loadConfig(k8s: K8s, opts: ConnectOptions): KubeConfig {
  const kc = new k8s.KubeConfig();
  if (opts.kubeconfig) {
    if (!fs.existsSync(opts.kubeconfig)) throw badConfig('--kubeconfig', `${opts.kubeconfig}: no such file: pass the path of a kubeconfig file`);
    readKubeconfig(() => kc.loadFromFile(opts.kubeconfig!), opts.kubeconfig, '--kubeconfig');
  } else {
    const home = path.join(os.homedir(), '.kube', 'config');
    const env = process.env.KUBECONFIG;
    if (!env && !fs.existsSync(home) && !process.env.KUBERNETES_SERVICE_HOST) {
      throw badConfig('--kubeconfig', 'not given and no kubeconfig found: set KUBECONFIG, pass --kubeconfig <file>, or create ~/.kube/config');
    }
    readKubeconfig(() => kc.loadFromDefault(), env ? `KUBECONFIG=${env}` : home, env ? 'KUBECONFIG' : home);
  }
  if (opts.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(opts.context)) {
      throw badConfig(opts.contextFlag ?? '--context', `the kubeconfig has no context named "${opts.context}" (it has: ${names.join(', ') || 'none'}): pass one of them`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw badConfig('--context', 'not given and the kubeconfig has no current context with a cluster: pass --context <name>');
  return kc;
}

/** Turns an API server's `Status` body (or anything else it answered) into an ApiRejection. */
function rejection(code: number, text: string): ApiRejection {
  let status: { reason?: string; message?: string; details?: { causes?: Array<{ field?: string; message?: string; reason?: string }> } } = {};
  try {
    status = JSON.parse(text);
  } catch {
    status = { message: text.trim().slice(0, 300) };
  }
  return new ApiRejection(code, status.reason ?? `HTTP ${code}`, status.message ?? `HTTP ${code}`, status.details?.causes ?? []);
}

/** Connects to a cluster through @kubernetes/client-node, loaded here and only here. */
export async function connect(opts: ConnectOptions = {}): Promise<LiveClient> {
  const k8s: K8s = await import('@kubernetes/client-node');
  const kc = loadConfig(k8s, opts);
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  type Ctx = Parameters<InstanceType<K8s['KubernetesObjectApi']>['delete']>[7];

  /**
   * The library's generic object API, with two changes: responses stay raw JSON (its typed models drop fields
   * they do not know and turn times into Dates), and apply sends the object exactly as given.
   */
  class RawObjectApi extends k8s.KubernetesObjectApi {
    static forConfig(config: KubeConfig): RawObjectApi {
      const api = config.makeApiClient(RawObjectApi);
      api.setDefaultNamespace(config);
      return api;
    }

    protected override async processResponse<T>(response: Parameters<InstanceType<K8s['KubernetesObjectApi']>['processResponse']>[0]): Promise<T> {
      const text = await response.body.text();
      if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return JSON.parse(text) as T;
      throw rejection(response.httpStatusCode, text);
    }

    protected override requestPromise<T extends KubernetesObject>(ctx: Parameters<InstanceType<K8s['KubernetesObjectApi']>['requestPromise']>[0], type?: string, options?: Ctx): Promise<T> {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return super.requestPromise<T>(ctx, type, options);
    }

    async applyRaw(object: LiveObject, o: ApplyOptions): Promise<LiveObject> {
      const uri = await this.specUriPath(object as never, 'patch');
      const ctx = this.configuration.baseServer.makeRequestContext(uri, k8s.HttpMethod.PATCH);
      ctx.setHeaderParam('Accept', 'application/json');
      ctx.setHeaderParam('Content-Type', k8s.PatchStrategy.ServerSideApply);
      if (o.dryRun) ctx.setQueryParam('dryRun', 'All');
      ctx.setQueryParam('fieldManager', o.fieldManager);
      if (o.force) ctx.setQueryParam('force', 'true');
      ctx.setQueryParam('fieldValidation', 'Strict');
      ctx.setBody(JSON.stringify(object));
      return (await this.requestPromise<KubernetesObject>(ctx)) as LiveObject;
    }
  }

  const api = RawObjectApi.forConfig(kc);
  const cluster = kc.getCurrentCluster()!;
  const describe = `context ${kc.getCurrentContext()} (${cluster.server})`;

  /** Runs a request; names kinds the server does not serve and clusters it cannot reach. */
  const call = async <T>(apiVersion: string, kind: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof ApiRejection) {
        if (e.code === 401) throw new ClusterUnavailable(`${describe} refused the credentials (401 Unauthorized): ${e.message}`);
        // 5xx: the server failed, whatever was sent; no object is judged (a dry run would call every one "rejected").
        if (e.code >= 500) throw new ClusterUnavailable(`${describe} failed (HTTP ${e.code} ${e.reason}): ${e.message}: the API server is not answering requests; check its health and retry`);
        if (e.code === 404 && /Failed to fetch resource metadata/.test(e.message)) {
          throw new KindNotServed(`the server does not serve ${apiVersion} (is the CRD or API group installed?)`);
        }
        throw e;
      }
      const err = e as Error & { code?: string; type?: string };
      if (/Unrecognized API version and kind/.test(err.message ?? '')) {
        throw new KindNotServed(`the server does not serve kind ${kind} in ${apiVersion} (is the CRD installed?)`);
      }
      // The only signal that aborts a request is the time limit (requestPromise): say so, not "the user aborted".
      if (err.name === 'AbortError' || err.name === 'TimeoutError' || /aborted/i.test(err.message ?? '')) {
        throw new ClusterUnavailable(`cannot reach ${describe}: no answer within ${timeoutMs / 1000} s (--request-timeout); check that the server is up and reachable, or allow more time`);
      }
      if (err.name === 'FetchError' || UNREACHABLE.test(`${err.code ?? ''} ${err.message}`)) {
        throw new ClusterUnavailable(`cannot reach ${describe}: ${err.message}`);
      }
      throw e;
    }
  };

  return {
    describe,
    async list(apiVersion, kind, o = {}) {
      const items: LiveObject[] = [];
      let token: string | undefined;
      do {
        const page = await call(apiVersion, kind, () =>
          api.list(apiVersion, kind, o.namespace, undefined, undefined, undefined, undefined, o.labelSelector, 500, token),
        ) as unknown as { items?: LiveObject[]; metadata?: { continue?: string } };
        items.push(...(page.items ?? []));
        token = page.metadata?.continue || undefined;
      } while (token);
      return items;
    },
    async read(ref: ObjectRef) {
      const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
      try {
        return await call(ref.apiVersion, ref.kind, () => api.read(header)) as unknown as LiveObject;
      } catch (e) {
        if (e instanceof ApiRejection && e.code === 404 && !(e instanceof KindNotServed)) return undefined;
        throw e;
      }
    },
    apply(object, o) {
      return call(object.apiVersion ?? 'v1', object.kind ?? '', () => api.applyRaw(structuredClone(object), o));
    },
  };
}
