import { createHash } from 'crypto';

/** The standard labels, built in one place so selectors and metadata always agree. */

/** Label keys of the Kubernetes recommended label set. */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
} as const;

/** The value of `app.kubernetes.io/managed-by` on everything edgewatt writes. */
export const MANAGED_BY = 'edgewatt';

/** Labels every object of a stack carries. */
export function stackLabels(stackName: string): Record<string, string> {
  return { [LABEL.partOf]: stackName, [LABEL.managedBy]: MANAGED_BY };
}

/**
 * Labels that select the pods of one workload: stable across releases (no version), so Services and
 * NetworkPolicies keep matching when an image changes.
 */
export function selectorLabels(name: string, instance: string): Record<string, string> {
  return { [LABEL.name]: name, [LABEL.instance]: instance };
}

/** Longest label value Kubernetes accepts. */
export const LABEL_VALUE_MAX = 63;

/**
 * A generated label value that fits Kubernetes' 63 characters: unchanged when it fits, else its first
 * characters and a stable hash of the whole (`<prefix>-<8 hex>`), so two long values stay distinct and the
 * same input always gives the same value.
 */
export function fitLabelValue(value: string): string {
  if (value.length <= LABEL_VALUE_MAX) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${value.slice(0, LABEL_VALUE_MAX - 9).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
}
