import { Expected } from './expected';
import { LiveClient, LiveObject } from './types';

/** One Application as Argo CD reports it. */
export interface ApplicationState {
  readonly name: string;
  readonly cluster: string;
  /** `status.sync.status`: Synced, OutOfSync, Unknown; `Missing` when Argo CD has no such Application. */
  readonly sync: string;
  /** `status.health.status`: Healthy, Progressing, Degraded, Suspended, Missing, Unknown. */
  readonly health: string;
  /** The revisions it is synced to (`status.sync.revision` or `.revisions`), empty when none. */
  readonly revisions: string[];
  /** The last operation's phase and message, or the first error condition, when there is something to say. */
  readonly message?: string;
}

/** One EdgeDevice as the Flotta operator reports it. */
export interface DeviceState {
  readonly name: string;
  readonly namespace: string;
  /** `status.phase`; `Missing` when there is no such EdgeDevice, `-` when it has no status yet. */
  readonly phase: string;
  /**
   * When the operator last wrote the device's status, which it does on heartbeats: Flotta's EdgeDevice has
   * no heartbeat time field, so this is the newest of the status writes in `metadata.managedFields` and the
   * workloads' transition and upload times.
   */
  readonly lastHeartbeat?: string;
  /** True when the last heartbeat is older than three heartbeat periods. */
  readonly stale: boolean;
}

/** The whole picture `edgewatt status` prints. */
export interface StackStatus {
  readonly applications: ApplicationState[];
  readonly devices: DeviceState[];
  /** Live Applications labelled as the stack's that the tree does not make (left behind by a rename). */
  readonly unexpected: string[];
}

const ARGOCD = 'argoproj.io/v1alpha1';
const FLOTTA = 'management.project-flotta.io/v1alpha1';
type Obj = Record<string, unknown>;
const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads an Application's state from its status. */
export function applicationState(name: string, cluster: string, app: LiveObject | undefined): ApplicationState {
  if (!app) return { name, cluster, sync: 'Missing', health: 'Missing', revisions: [], message: 'Argo CD has no such Application: is the root Application applied (kubectl apply -f argocd/)?' };
  const single = str(at(app, 'status', 'sync', 'revision'));
  const many = at(app, 'status', 'sync', 'revisions');
  const revisions = single ? [single] : Array.isArray(many) ? many.filter((r): r is string => typeof r === 'string') : [];
  const opPhase = str(at(app, 'status', 'operationState', 'phase'));
  const opMessage = str(at(app, 'status', 'operationState', 'message'));
  const conditions = at(app, 'status', 'conditions');
  const error = Array.isArray(conditions) ? conditions.find((c) => /Error|Warning/.test(String(at(c, 'type')))) : undefined;
  const message = error
    ? `${at(error, 'type')}: ${at(error, 'message')}`
    : opPhase && opPhase !== 'Succeeded'
      ? `${opPhase}${opMessage ? `: ${opMessage}` : ''}`
      : undefined;
  return {
    name,
    cluster,
    sync: str(at(app, 'status', 'sync', 'status')) ?? 'Unknown',
    health: str(at(app, 'status', 'health', 'status')) ?? 'Unknown',
    revisions,
    ...(message ? { message } : {}),
  };
}

/** True when an Application is Synced and Healthy, at `revision` when one is given (a prefix of 7+ characters matches). */
export function isReady(a: ApplicationState, revision?: string): boolean {
  if (a.sync !== 'Synced' || a.health !== 'Healthy') return false;
  if (!revision) return true;
  return a.revisions.some((r) => r === revision || (revision.length >= 7 && r.startsWith(revision)));
}

/** When the operator last wrote a device's status (see DeviceState.lastHeartbeat). */
export function lastHeartbeat(device: LiveObject): string | undefined {
  const times: string[] = [];
  for (const f of device.metadata?.managedFields ?? []) if (f.subresource === 'status' && f.time) times.push(f.time);
  const workloads = at(device, 'status', 'workloads');
  if (Array.isArray(workloads)) {
    for (const w of workloads) for (const k of ['lastTransitionTime', 'lastDataUpload']) {
      const t = str(at(w, k));
      if (t) times.push(t);
    }
  }
  return times.sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
}

/** Reads a device's state; `now` in milliseconds since the epoch. */
export function deviceState(name: string, namespace: string, heartbeatSeconds: number | undefined, device: LiveObject | undefined, now: number): DeviceState {
  if (!device) return { name, namespace, phase: 'Missing', stale: true };
  const last = lastHeartbeat(device);
  const period = heartbeatSeconds ?? 60;
  const stale = last === undefined || now - Date.parse(last) > 3 * period * 1000;
  return { name, namespace, phase: str(at(device, 'status', 'phase')) ?? '-', ...(last ? { lastHeartbeat: last } : {}), stale };
}

/** Where to look: the Argo CD cluster and the fleet cluster may be the same client. */
export interface StatusClients {
  readonly argocd: LiveClient;
  readonly fleet: LiveClient;
}

/** Lists the stack's Applications (one list per Argo CD namespace) and devices (one list per namespace). */
export async function readApplications(client: LiveClient, expected: Expected): Promise<{ applications: ApplicationState[]; unexpected: string[] }> {
  const live = new Map<string, LiveObject>();
  for (const ns of [...new Set(expected.applications.map((a) => a.namespace))].sort()) {
    for (const app of await client.list(ARGOCD, 'Application', { namespace: ns, labelSelector: `app.kubernetes.io/part-of=${expected.stack}` })) {
      live.set(`${ns}/${app.metadata?.name}`, app);
    }
  }
  const applications = expected.applications.map((a) => {
    const key = `${a.namespace}/${a.name}`;
    const state = applicationState(a.name, a.cluster, live.get(key));
    live.delete(key);
    return state;
  });
  return { applications, unexpected: [...live.keys()].sort() };
}

/** Gathers the status of every Application and device the tree declares. */
export async function readStatus(clients: StatusClients, expected: Expected, now: number): Promise<StackStatus> {
  const { applications, unexpected } = await readApplications(clients.argocd, expected);
  const live = new Map<string, LiveObject>();
  for (const ns of [...new Set(expected.devices.map((d) => d.namespace))].sort()) {
    for (const d of await clients.fleet.list(FLOTTA, 'EdgeDevice', { namespace: ns })) live.set(`${ns}/${d.metadata?.name}`, d);
  }
  const devices = expected.devices.map((d) => deviceState(d.name, d.namespace, d.heartbeatSeconds, live.get(`${d.namespace}/${d.name}`), now));
  return { applications, devices, unexpected };
}

/** Lays rows out in columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** "3m ago" style ages for humans; the exact time stays in the row. */
export function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** Options of the printed status. */
export interface FormatOptions {
  /** Now, in milliseconds since the epoch. */
  readonly now: number;
  /** Print every device, not only those that are missing, stale or not `up`. Default: false above 50 devices. */
  readonly allDevices?: boolean;
}

/** The text `edgewatt status` prints. */
export function formatStatus(s: StackStatus, o: FormatOptions): string {
  const shortRev = (a: ApplicationState): string => (a.revisions.length ? a.revisions.map((r) => r.slice(0, 12)).join(',') : '-');
  let out = table(
    ['APPLICATION', 'CLUSTER', 'SYNC', 'HEALTH', 'REVISION', 'MESSAGE'],
    s.applications.map((a) => [a.name, a.cluster || '-', a.sync, a.health, shortRev(a), a.message ?? '']),
  );
  const ready = s.applications.filter((a) => isReady(a)).length;
  out += `${ready} of ${s.applications.length} Applications Synced and Healthy\n`;
  for (const u of s.unexpected) out += `note: ${u} is labelled as this stack's but the tree does not make it\n`;
  if (s.devices.length > 0) {
    const problem = (d: DeviceState): boolean => d.stale || d.phase !== 'up';
    const shown = o.allDevices || s.devices.length <= 50 ? s.devices : s.devices.filter(problem);
    out += '\n';
    if (shown.length > 0) {
      out += table(
        ['DEVICE', 'NAMESPACE', 'PHASE', 'LAST HEARTBEAT', 'STALE'],
        shown.map((d) => [d.name, d.namespace, d.phase, d.lastHeartbeat ? `${d.lastHeartbeat} (${age(d.lastHeartbeat, o.now)})` : '-', d.stale ? 'yes' : 'no']),
      );
    }
    const phases = new Map<string, number>();
    for (const d of s.devices) phases.set(d.phase, (phases.get(d.phase) ?? 0) + 1);
    const counts = [...phases].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, n]) => `${n} ${p}`).join(', ');
    const stale = s.devices.filter((d) => d.stale).length;
    out += `${s.devices.length} ${s.devices.length === 1 ? 'device' : 'devices'}: ${counts}; ${stale} stale${shown.length < s.devices.length ? ` (listing the ${shown.length} with problems; --all-devices lists all)` : ''}\n`;
  }
  return out;
}
