import { perSegment, Segments } from './segments';
import {
  EXCEPTION_REASON_ANNOTATION,
  EXCEPTION_RULES_ANNOTATION,
  levelAllows,
  POLICY_RULES,
  PolicyRule,
} from '../core/policy';
import { PodSecurityLevel } from '../model/types';
import { containersOf, Json, LONG_RUNNING, podTemplate, PodTemplate } from './pods';
import { Entry, Finding } from './types';

interface Violation {
  readonly rule: PolicyRule;
  readonly pointer: string;
  readonly message: string;
}

const LEVELS = new Set(['restricted', 'baseline', 'privileged']);

/** The Pod Security level each namespace enforces, per cluster (`cluster/namespace` → level). */
export function namespaceLevels(entries: ReadonlyArray<Entry>): Map<string, PodSecurityLevel> {
  const out = new Map<string, PodSecurityLevel>();
  for (const { cluster, object } of entries) if (object.kind === 'Namespace') addLevel(out, cluster, object);
  return out;
}

/** Adds a Namespace object's level to `levels`. */
function addLevel(levels: Map<string, PodSecurityLevel>, cluster: string, object: Entry['object']): void {
  const label = object.metadata.labels?.['pod-security.kubernetes.io/enforce'];
  // A namespace without the label gets the cluster's default, which is privileged unless configured.
  levels.set(`${cluster}/${object.metadata.name}`, LEVELS.has(label ?? '') ? (label as PodSecurityLevel) : 'privileged');
}

function imageOk(image: unknown): boolean {
  if (typeof image !== 'string') return false;
  if (image.includes('@sha256:')) return true;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag !== '' && tag !== 'latest';
}

/**
 * The sysctls Pod Security allows at baseline (and so restricted): namespaced ones isolated from other pods, as the
 * Baseline table of kubernetes.io "Pod Security Standards" lists them (Kubernetes 1.29 and later).
 */
const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

/** Every rule a pod template breaks. */
export function podViolations(t: PodTemplate): Violation[] {
  const v: Violation[] = [];
  const p = t.pointer;
  const pod = t.spec;
  const podSc = pod.securityContext ?? {};
  if (pod.hostPID) v.push({ rule: 'host-pid', pointer: `${p}/hostPID`, message: 'must not be true' });
  if (pod.hostIPC) v.push({ rule: 'host-ipc', pointer: `${p}/hostIPC`, message: 'must not be true' });
  if (pod.hostNetwork) v.push({ rule: 'host-network', pointer: `${p}/hostNetwork`, message: 'must not be true' });
  ((podSc.sysctls ?? []) as Json[]).forEach((sc, i) => {
    if (!SAFE_SYSCTLS.has(sc?.name)) v.push({ rule: 'unsafe-sysctls', pointer: `${p}/securityContext/sysctls/${i}/name`, message: `"${sc?.name}" is not one of the sysctls Pod Security allows (${[...SAFE_SYSCTLS].join(', ')})` });
  });
  (pod.volumes ?? []).forEach((vol: Json, i: number) => {
    if (vol.hostPath) v.push({ rule: 'host-path', pointer: `${p}/volumes/${i}/hostPath`, message: 'must not mount a host path' });
  });
  const longRunning = LONG_RUNNING.has(t.entry.object.kind);
  for (const { c, pointer, init } of containersOf(t)) {
    const sc = c.securityContext ?? {};
    const scp = `${pointer}/securityContext`;
    if (sc.privileged) v.push({ rule: 'privileged', pointer: `${scp}/privileged`, message: 'must not be true' });
    (c.ports ?? []).forEach((port: Json, i: number) => {
      if (port.hostPort) v.push({ rule: 'host-port', pointer: `${pointer}/ports/${i}/hostPort`, message: 'must not be set' });
    });
    const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) v.push({ rule: 'capabilities-add', pointer: `${scp}/capabilities/add`, message: `must add no capability but NET_BIND_SERVICE (adds ${added.join(', ')})` });
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const uid = sc.runAsUser ?? podSc.runAsUser;
    if (nonRoot !== true || uid === 0) v.push({ rule: 'run-as-non-root', pointer: `${scp}/runAsNonRoot`, message: 'must be true (here or in the pod securityContext), with a non-zero runAsUser' });
    if (sc.allowPrivilegeEscalation !== false) v.push({ rule: 'allow-privilege-escalation', pointer: `${scp}/allowPrivilegeEscalation`, message: 'must be false' });
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push({ rule: 'capabilities-drop-all', pointer: `${scp}/capabilities/drop`, message: 'must include ALL' });
    const seccomp = (sc.seccompProfile ?? podSc.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push({ rule: 'seccomp-runtime-default', pointer: `${scp}/seccompProfile/type`, message: 'must be RuntimeDefault or Localhost (here or in the pod securityContext)' });
    if (sc.readOnlyRootFilesystem !== true) v.push({ rule: 'read-only-root-filesystem', pointer: `${scp}/readOnlyRootFilesystem`, message: 'must be true (mount an emptyDir where the container writes)' });
    const r = c.resources ?? {};
    const missing = [
      r.requests?.cpu === undefined ? 'requests.cpu' : '',
      r.requests?.memory === undefined ? 'requests.memory' : '',
      r.limits?.memory === undefined ? 'limits.memory' : '',
    ].filter(Boolean);
    if (missing.length > 0) v.push({ rule: 'resources', pointer: `${pointer}/resources`, message: `must set ${missing.join(', ')}` });
    if (longRunning && !init) {
      const probes = [c.livenessProbe ? '' : 'livenessProbe', c.readinessProbe ? '' : 'readinessProbe'].filter(Boolean);
      if (probes.length > 0) v.push({ rule: 'probes', pointer, message: `must have ${probes.join(' and ')}` });
    }
    if (!imageOk(c.image)) v.push({ rule: 'image-tag', pointer: `${pointer}/image`, message: 'must name a tag other than latest, or a digest' });
  }
  return v;
}

function declaredExceptions(entry: Entry): { rules: Set<string>; reason: string } {
  const a = entry.object.metadata.annotations ?? {};
  const rules = new Set((a[EXCEPTION_RULES_ANNOTATION] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  return { rules, reason: (a[EXCEPTION_REASON_ANNOTATION] ?? '').trim() };
}

/**
 * The security policy: every workload meets every rule, except where it declares an exception (with a reason)
 * in a namespace whose Pod Security level admits it. Also: no Secret carries data, no RBAC wildcard or
 * escalating verb, and every namespace that runs workloads has a NetworkPolicy.
 */
export function checkPolicy(entries: ReadonlyArray<Entry>): Finding[] {
  return checkPolicyIn([entries]);
}

/** A workload, Secret or role of a list, with what is found of it alone (policyFacts). */
interface LaterItem {
  readonly entry: Entry;
  /** Its pod template (a workload). */
  readonly t: PodTemplate | undefined;
  /** The findings of the object alone: a Secret's data, a role's rules, a workload's unknown or unexplained exceptions. */
  readonly own: ReadonlyArray<Finding>;
  /** A workload's declared exceptions and its pod's violations, which its namespace's level decides on. */
  readonly declared?: { readonly rules: ReadonlySet<string>; readonly reason: string };
  readonly violations?: ReadonlyArray<Violation>;
}

/** What checkPolicy reads of a list of entries in its one pass over them (policyFacts). */
interface PolicyFacts {
  readonly namespaces: ReadonlyArray<Entry>;
  /** `<cluster>/<namespace>` of each NetworkPolicy. */
  readonly policyNamespaces: ReadonlyArray<string>;
  /** Workloads, Secrets and roles, in order. */
  readonly later: ReadonlyArray<LaterItem>;
}

/** A workload, Secret or role read alone (see LaterItem). */
function laterItem(entry: Entry, t: PodTemplate | undefined): LaterItem {
  const own: Finding[] = [];
  const { object, file } = entry;
  if (object.kind === 'Secret') checkSecret(entry, own);
  if (object.kind === 'Role' || object.kind === 'ClusterRole') checkRbac(entry, own);
  if (!t) return { entry, t, own };
  const declared = declaredExceptions(entry);
  for (const name of declared.rules) {
    if (!(name in POLICY_RULES)) own.push({ file, pointer: `/metadata/annotations/${EXCEPTION_RULES_ANNOTATION.replace('/', '~1')}`, message: `names an unknown rule "${name}" (rules: ${Object.keys(POLICY_RULES).join(', ')})` });
  }
  if (declared.rules.size > 0 && declared.reason === '') {
    own.push({ file, pointer: `/metadata/annotations/${EXCEPTION_REASON_ANNOTATION.replace('/', '~1')}`, message: 'is required: a policy exception must give its reason' });
  }
  return { entry, t, own, declared, violations: podViolations(t) };
}

/**
 * One pass over a list reads every object (at 116,000 objects each pass is a read of every object from memory anew);
 * the few that need the namespaces' levels known first (workloads) and the Secrets and roles beside them (so the
 * findings keep the objects' order) are looked at after it. An unchanged folder's facts are the last synth's, with
 * what its workloads, Secrets and roles give alone (laterItem): a synth decides only on the exceptions.
 */
const policyFacts = perSegment((entries): PolicyFacts => {
  const namespaces: Entry[] = [];
  const policyNamespaces: string[] = [];
  const later: LaterItem[] = [];
  for (const entry of entries) {
    const { object, cluster } = entry;
    const kind = object.kind;
    if (kind === 'Namespace') namespaces.push(entry);
    if (kind === 'NetworkPolicy') policyNamespaces.push(`${cluster}/${object.metadata.namespace ?? 'default'}`);
    const t = podTemplate(entry);
    if (t || kind === 'Secret' || kind === 'Role' || kind === 'ClusterRole') later.push(laterItem(entry, t));
  }
  return { namespaces, policyNamespaces, later };
});

/** checkPolicy of entries given as consecutive lists (lib/validate/segments.ts). */
export function checkPolicyIn(segments: Segments): Finding[] {
  const out: Finding[] = [];
  const levels = new Map<string, PodSecurityLevel>();
  const workloadNamespaces = new Map<string, Entry>();
  const policyNamespaces = new Set<string>();
  const facts = segments.map(policyFacts);
  for (const f of facts) {
    for (const { object, cluster } of f.namespaces) addLevel(levels, cluster, object);
    for (const key of f.policyNamespaces) policyNamespaces.add(key);
  }
  for (const f of facts) {
    for (const { entry, t, own, declared, violations } of f.later) {
      out.push(...own);
      if (!t || !declared || !violations) continue;
      const { file, cluster } = entry;
      const nsKey = `${cluster}/${t.namespace}`;
      if (!workloadNamespaces.has(nsKey)) workloadNamespaces.set(nsKey, entry);
      const level = levels.get(nsKey);
      const used = new Set<string>();
      for (const viol of violations) {
        if (declared.rules.has(viol.rule) && declared.reason !== '') {
          used.add(viol.rule);
          const needed = POLICY_RULES[viol.rule];
          if (level === undefined || !levelAllows(level, needed)) {
            out.push({ file, pointer: viol.pointer, message: `${viol.message} (${viol.rule}): the exception needs namespace "${t.namespace}" labelled pod-security.kubernetes.io/enforce=${needed}, but it ${level === undefined ? 'is not in the output' : `enforces ${level}`}` });
          }
          continue;
        }
        out.push({ file, pointer: viol.pointer, message: `${viol.message} (${viol.rule})` });
      }
      for (const rule of declared.reason === '' ? [] : declared.rules) {
        if (rule in POLICY_RULES && !used.has(rule)) out.push({ file, pointer: '/metadata/annotations', message: `declares an exception to ${rule} that it does not need: remove it` });
      }
    }
  }
  for (const [nsKey, entry] of workloadNamespaces) {
    if (!policyNamespaces.has(nsKey)) {
      out.push({ file: entry.file, pointer: '/metadata/namespace', message: `namespace "${nsKey.split('/')[1]}" runs workloads but has no NetworkPolicy (network-policy)` });
    }
  }
  return out;
}

function checkSecret({ file, object }: Entry, out: Finding[]): void {
  const o = object as Json;
  for (const key of ['data', 'stringData']) {
    if (o[key] && Object.keys(o[key]).length > 0) {
      out.push({ file, pointer: `/${key}`, message: 'a Secret in Git must not carry values: create it outside Git (or commit a SealedSecret/ExternalSecret) and reference it by name (secret-data)' });
    }
  }
}

const ESCALATING_VERBS = ['escalate', 'bind', 'impersonate'];

function checkRbac({ file, object }: Entry, out: Finding[]): void {
  ((object as Json).rules ?? []).forEach((rule: Json, i: number) => {
    for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs']) {
      if ((rule[field] ?? []).includes('*')) out.push({ file, pointer: `/rules/${i}/${field}`, message: 'must not contain "*": name what is needed (rbac-wildcard)' });
    }
    const bad = (rule.verbs ?? []).filter((verb: string) => ESCALATING_VERBS.includes(verb));
    if (bad.length > 0) out.push({ file, pointer: `/rules/${i}/verbs`, message: `must not grant ${bad.join(', ')} (rbac-escalation)` });
  });
}
