/**
 * Kubernetes label selectors, evaluated the way the API server does (no npm package evaluates them: the
 * JavaScript client passes selectors to the server as strings). Semantics from the Kubernetes API reference
 * (LabelSelector, kubernetes/apimachinery pkg/apis/meta/v1/types.go at v0.35.0): matchLabels and
 * matchExpressions are ANDed; `In` needs the key with one of the values, `NotIn` matches when the key is
 * absent or its value is none of them, `Exists` / `DoesNotExist` test the key only; an empty selector selects
 * everything, an absent one (in a NetworkPolicy peer) means "not constrained by this selector".
 */

/** A LabelSelector as it appears in a manifest. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: ReadonlyArray<string> }>;
}

/** Whether `selector` selects an object with `labels`. An unknown operator selects nothing (the API server rejects it). */
export function selects(selector: LabelSelector | undefined | null, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a Service-style selector (a plain map, every pair required) selects `labels`; an empty map selects nothing (Kubernetes gives such a Service no endpoints). */
export function mapSelects(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
