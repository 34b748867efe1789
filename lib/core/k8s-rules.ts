/*
 * Kubernetes naming rules, as the API server applies them (kubernetes/apimachinery, tag v0.35.0,
 * pkg/util/validation/validation.go: IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain, IsDNS1123Label).
 */
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a qualified name (`[prefix/]name`, name ≤ 63, prefix a DNS subdomain ≤ 253), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'must be a qualified name: [prefix/]name with one "/"';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return 'has a prefix that is not a DNS subdomain (lower-case, at most 253 characters)';
  if (name.length === 0 || name.length > 63) return `has a name part of ${name.length} characters: it must be 1 to 63`;
  if (!NAME_PART.test(name)) return 'must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

/** Why `value` is not a label value (empty, or ≤ 63 of [-A-Za-z0-9_.] starting and ending alphanumeric), or undefined. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 63) return `is ${value.length} characters: a label value is at most 63`;
  if (value !== '' && !NAME_PART.test(value)) return 'must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

