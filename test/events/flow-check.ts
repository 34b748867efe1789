/**
 * Evaluates the event exporter's declared flows on synthesized objects (not on the model), the way the flow
 * gate does: a hand-edited or reverted object breaks the check. Returns the problems found; none means the
 * path works as far as objects can show.
 */
import { parse } from 'yaml';
import { Flow } from '../../lib/core/flows';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Every object of one cluster, from a map of output files (`<cluster>/<folder>/<file>.yaml` → YAML). */
export function clusterObjects(files: ReadonlyMap<string, string>, cluster: string): any[] {
  return [...files]
    .filter(([f]) => f.startsWith(`${cluster}/`) && f.endsWith('.yaml'))
    .map(([, text]) => parse(text))
    .filter((o) => o && typeof o === 'object' && o.kind);
}

const subset = (sel: Record<string, string> | undefined, labels: Record<string, string>) => Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);

function podsOf(objs: any[], namespace: string, selector: Record<string, string>): any[] {
  return objs.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) && o.metadata.namespace === namespace && subset(selector, o.spec.template.metadata.labels));
}

/** Roles and ClusterRoles bound to the ServiceAccount, as rules that apply in `namespace` (undefined: cluster-wide only). */
function rulesOf(objs: any[], sa: { name: string; namespace: string }, namespace?: string): any[] {
  const out: any[] = [];
  for (const b of objs.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    if (!(b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace)) continue;
    if (b.kind === 'RoleBinding' && b.metadata.namespace !== namespace) continue;
    const role = objs.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name && (o.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace));
    if (role) out.push(...(role.rules ?? []));
  }
  return out;
}

const allows = (rules: any[], verb: string, resource: string, group = '') =>
  rules.some((r) => (r.apiGroups ?? []).includes(group) && ((r.resources ?? []).includes(resource) || r.resources?.includes('*')) && ((r.verbs ?? []).includes(verb) || r.verbs?.includes('*')));

/** The problems of one flow of the event exporter on the objects of its cluster (and prometheus.yml for scrapes). */
export function checkFlow(objs: any[], flow: Flow): string[] {
  const problems: string[] = [];
  const from = flow.from;
  if (from.kind !== 'pods') return [`${flow.id}: source kind ${from.kind} not checked here`];
  if (flow.to.kind === 'service') {
    const to = flow.to;
    const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === to.service && o.metadata.namespace === to.namespace);
    if (!svc) return [`${flow.id}: no Service ${to.namespace}/${to.service}`];
    const port = (svc.spec.ports ?? []).find((p: any) => p.name === to.port || p.port === to.port);
    if (!port) problems.push(`${flow.id}: Service has no port ${to.port}`);
    const workloads = podsOf(objs, to.namespace, svc.spec.selector);
    if (workloads.length === 0) problems.push(`${flow.id}: the Service selects no pods`);
    for (const w of workloads) {
      const podLabels = w.spec.template.metadata.labels;
      const cport = w.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []).find((p: any) => p.name === port?.targetPort || p.containerPort === port?.targetPort);
      if (!cport) problems.push(`${flow.id}: ${w.kind}/${w.metadata.name} has no container port ${port?.targetPort}`);
      const policies = objs.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === to.namespace && subset(o.spec.podSelector?.matchLabels, podLabels) && (o.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
      const admitted = policies.some((np) =>
        (np.spec.ingress ?? []).some(
          (rule: any) =>
            (rule.from ?? []).some((peer: any) => {
              const nsOK = peer.namespaceSelector ? subset(peer.namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': from.namespace }) : from.namespace === to.namespace;
              return nsOK && (!peer.podSelector || subset(peer.podSelector.matchLabels, from.podLabels as Record<string, string>));
            }) && (rule.ports ?? []).some((p: any) => p.port === cport?.containerPort || p.port === cport?.name),
        ),
      );
      if (policies.length === 0) problems.push(`${flow.id}: no NetworkPolicy selects the destination pods`);
      else if (!admitted) problems.push(`${flow.id}: no NetworkPolicy rule admits ${JSON.stringify(from.podLabels)} from ${from.namespace} on port ${cport?.containerPort}`);
      // The source's own egress, when restricted.
      const srcPolicies = objs.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === from.namespace && subset(o.spec.podSelector?.matchLabels, from.podLabels as Record<string, string>) && (o.spec.policyTypes ?? []).includes('Egress'));
      if (srcPolicies.length > 0 && !srcPolicies.some((np) => (np.spec.egress ?? []).some((r: any) => !r.ports || r.ports.some((p: any) => p.port === cport?.containerPort)))) {
        problems.push(`${flow.id}: the source's egress policy does not let it reach port ${cport?.containerPort}`);
      }
      if (flow.scrape) problems.push(...checkScrapeJob(objs, flow, podLabels, cport?.name));
    }
  } else if (flow.to.kind === 'api-server') {
    if (!from.serviceAccount) return [`${flow.id}: the source names no ServiceAccount`];
    const sa = { name: from.serviceAccount, namespace: from.namespace };
    const [kind, name] = (from.workload ?? '/').split('/');
    const w = objs.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === from.namespace);
    if (!w) return [`${flow.id}: no ${from.workload}`];
    if (w.spec.template.spec.serviceAccountName !== sa.name) problems.push(`${flow.id}: ${from.workload} runs as ${w.spec.template.spec.serviceAccountName}, not ${sa.name}`);
    if (w.spec.template.spec.automountServiceAccountToken === false) problems.push(`${flow.id}: ${from.workload} mounts no token`);
    for (const a of flow.to.access) {
      const rules = rulesOf(objs, sa, a.namespace);
      for (const verb of a.verbs) if (!allows(rules, verb, a.resource, a.group ?? '')) problems.push(`${flow.id}: ${sa.namespace}/${sa.name} may not ${verb} ${a.resource}${a.namespace ? ` in ${a.namespace}` : ' cluster-wide'}`);
    }
    if (flow.configured?.at.startsWith('arg:')) {
      const flag = flow.configured.at.slice(4);
      const args: string[] = w.spec.template.spec.containers.flatMap((c: any) => [...(c.command ?? []), ...(c.args ?? [])]);
      if (!args.includes(`${flag}=${flow.configured.url}`)) problems.push(`${flow.id}: ${from.workload} is not started with ${flag}=${flow.configured.url}`);
    }
  }
  return problems;
}

/** The bundled scrape job: present, discovering the namespace, its keep rules keeping the destination pods. */
function checkScrapeJob(objs: any[], flow: Flow, podLabels: Record<string, string>, portName?: string): string[] {
  const to = flow.to as Extract<Flow['to'], { kind: 'service' }>;
  const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config');
  if (!cm) return []; // operator mode: checked through the PodMonitor by the caller
  const job = (parse(cm.data['prometheus.yml']).scrape_configs ?? []).find((s: any) => s.job_name === flow.scrape!.job);
  if (!job) return [`${flow.id}: no scrape job ${flow.scrape!.job}`];
  const out: string[] = [];
  const names = job.kubernetes_sd_configs?.[0]?.namespaces?.names ?? [];
  if (!names.includes(to.namespace)) out.push(`${flow.id}: job ${job.job_name} does not discover namespace ${to.namespace}`);
  const meta: Record<string, string> = { __meta_kubernetes_pod_container_port_name: portName ?? '', __meta_kubernetes_pod_phase: 'Running' };
  for (const [k, v] of Object.entries(podLabels)) meta[`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
  for (const r of job.relabel_configs ?? []) {
    if (r.action !== 'keep') continue;
    const value = (r.source_labels ?? []).map((l: string) => meta[l] ?? '').join(r.separator ?? ';');
    if (!new RegExp(`^(?:${r.regex})$`).test(value)) out.push(`${flow.id}: job ${job.job_name} drops the exporter's pod (keep ${r.source_labels.join(',')} =~ ${r.regex})`);
  }
  const sa = { name: (flow.from as any).serviceAccount, namespace: flow.from.kind === 'pods' ? flow.from.namespace : '' };
  for (const verb of ['list', 'watch']) if (!allows(rulesOf(objs, sa, to.namespace), verb, 'pods')) out.push(`${flow.id}: Prometheus may not ${verb} pods in ${to.namespace}`);
  return out;
}
