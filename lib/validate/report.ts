import { EXCEPTION_REASON_ANNOTATION, EXCEPTION_RULES_ANNOTATION, POLICY_RULES } from '../core/policy';
import { PodSecurityLevel } from '../model/types';
import { Json, namespaceOf, podTemplate } from './pods';
import { namespaceLevels, podViolations } from './policy';
import { Entry } from './types';

const RANK: Record<PodSecurityLevel, number> = { restricted: 0, baseline: 1, privileged: 2 };

function describeRule(r: Json): string {
  const groups = (r.apiGroups ?? []).map((g: string) => g || 'core').join(',');
  const what = r.nonResourceURLs ? `URLs ${r.nonResourceURLs.join(',')}` : `${(r.resources ?? []).join(',')}${groups ? ` (${groups})` : ''}`;
  const names = r.resourceNames ? ` named ${r.resourceNames.join(',')}` : '';
  return `${(r.verbs ?? []).join(',')} ${what}${names}`;
}

/**
 * The policy report, per cluster: each namespace's Pod Security level and NetworkPolicy coverage, each
 * workload's level (the least restrictive level its pods need) with its declared exceptions and reasons,
 * and the RBAC rules bound to each ServiceAccount. Plain text for people and for Git diffs.
 */
export function policyReport(entries: ReadonlyArray<Entry>): string {
  const clusters = [...new Set(entries.map((e) => e.cluster))].sort();
  const levels = namespaceLevels(entries);
  const lines: string[] = [];
  for (const cluster of clusters) {
    const mine = entries.filter((e) => e.cluster === cluster);
    lines.push(`cluster ${cluster}`);
    const covered = new Set(mine.filter((e) => e.object.kind === 'NetworkPolicy').map((e) => namespaceOf(e.object)));
    const workloadNs = new Set(mine.filter((e) => podTemplate(e)).map((e) => namespaceOf(e.object)));
    lines.push('  namespaces:');
    const namespaces = [...new Set([...mine.filter((e) => e.object.kind === 'Namespace').map((e) => e.object.metadata.name), ...workloadNs])].sort();
    for (const ns of namespaces) {
      const np = covered.has(ns) ? 'has NetworkPolicies' : workloadNs.has(ns) ? 'NO NetworkPolicy' : 'no workloads';
      lines.push(`    ${ns}: enforces ${levels.get(`${cluster}/${ns}`) ?? 'nothing (not in the output)'}; ${np}`);
    }
    lines.push('  workloads:');
    for (const e of mine) {
      const t = podTemplate(e);
      if (!t) continue;
      const level = podViolations(t).reduce<PodSecurityLevel>((acc, v) => {
        const l = POLICY_RULES[v.rule];
        return RANK[l] > RANK[acc] ? l : acc;
      }, 'restricted');
      lines.push(`    ${e.object.kind} ${t.namespace}/${e.object.metadata.name}: ${level}`);
      const rules = e.object.metadata.annotations?.[EXCEPTION_RULES_ANNOTATION];
      if (rules) lines.push(`      exception (${rules}): ${e.object.metadata.annotations?.[EXCEPTION_REASON_ANNOTATION] ?? 'NO REASON GIVEN'}`);
    }
    lines.push('  service accounts:');
    const roles = new Map(mine.filter((e) => e.object.kind === 'Role' || e.object.kind === 'ClusterRole').map((e) => [`${e.object.kind}/${e.object.kind === 'Role' ? namespaceOf(e.object) : ''}/${e.object.metadata.name}`, e.object as Json]));
    const bound: string[] = [];
    for (const e of mine) {
      const b = e.object as Json;
      if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') continue;
      const roleKey = `${b.roleRef?.kind}/${b.roleRef?.kind === 'Role' ? namespaceOf(b) : ''}/${b.roleRef?.name}`;
      const role = roles.get(roleKey);
      for (const s of (b.subjects ?? []) as Json[]) {
        if (s.kind !== 'ServiceAccount') continue;
        const scope = b.kind === 'ClusterRoleBinding' ? 'cluster-wide' : `in ${namespaceOf(b)}`;
        const rules = role ? (role.rules ?? []).map(describeRule).join('; ') : `${b.roleRef?.kind} ${b.roleRef?.name} (not in the output)`;
        bound.push(`    ${s.namespace ?? namespaceOf(b)}/${s.name} ${scope}: ${rules}`);
      }
    }
    lines.push(...(bound.length ? bound.sort() : ['    (none bound)']));
    const uncovered = [...workloadNs].filter((ns) => !covered.has(ns)).sort();
    lines.push(`  namespaces without NetworkPolicies: ${uncovered.length ? uncovered.join(', ') : 'none'}`);
  }
  return `${lines.join('\n')}\n`;
}
