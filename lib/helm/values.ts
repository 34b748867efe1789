import { KubeObject, POD_SPEC_PATHS } from '../core/kube-object';
import { ALLOWED_IMAGES_MATCHER } from '../core/monitoring-contract';

/**
 * The values of a cluster chart: the few settings that legitimately differ between installs of the same stack.
 * Their defaults render exactly the objects `edgewatt synth` writes.
 *
 * - `imageRegistry`: a pull-through registry mirror for air-gapped or rate-limited sites. When set, every
 *   container image of the cluster's workloads becomes `<imageRegistry>/<image>` (the layout of pull-through
 *   caches such as Harbor proxy projects: `mirror.example/cache/quay.io/prometheus/prometheus:v3.13.2`).
 *   Images of Flotta EdgeWorkloads run on devices, not in the cluster, and are left alone.
 * - `storage`: the size of each persistent volume claim, keyed by claim name (a StatefulSet's claim template as
 *   `<template>-<statefulset>`, the prefix of the claims it makes); disks differ per site. A StatefulSet's
 *   claim templates are immutable once created, so this is an install-time setting.
 *
 * Replicas are not values: every workload edgewatt emits is a singleton by design (a Prometheus with a local
 * TSDB, an Alertmanager without peers, kube-eventer without leader election), so a replica count would be a
 * setting that breaks them.
 */
export interface ChartValues {
  readonly imageRegistry: string;
  readonly storage: Readonly<Record<string, string>>;
}

/** A marker put into an object before serialization and replaced by a template action after it. */
export interface Substitution {
  /** Letters only, so the YAML serializer quotes a marked scalar exactly as the unmarked one. */
  readonly token: string;
  /** The Go template action that replaces the token in the template. */
  readonly action: string;
  /** What the action renders with the default values. */
  readonly rendered: string;
}

/**
 * Kubernetes quantities with a binary or decimal unit, greater than zero (the API server refuses a claim for no
 * storage; lib/spec/common.ts storageSize): plain YAML strings (never read back as numbers). No lookahead: Helm
 * checks values.schema.json patterns with Go's regexp.
 */
export const STORAGE_QUANTITY = /^(0*[1-9][0-9]*(\.[0-9]+)?|0+\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P)$/;

/** An image registry host (with an optional port) and path, without scheme or trailing slash. */
export const REGISTRY_MIRROR = /^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$/;

const TOKEN_PREFIX = 'EDGEWATTHELMVALUE';

/** The image mirror prefix: nothing by default, `<mirror>/` when set. */
export const IMAGE_SUBSTITUTION: Substitution = {
  token: `${TOKEN_PREFIX}IMAGEREGISTRY`,
  action: '{{ with .Values.imageRegistry }}{{ . }}/{{ end }}',
  rendered: '',
};

/**
 * The mirror in the image-registry alert's allowed images (lib/events/registries.ts): nothing by default, else
 * `<mirror, regex-quoted for a PromQL string>/.+|` in front of the stack's registries, so an image pulled through
 * the mirror (`<mirror>/quay.io/…`) is as allowed as the image itself. The mirror's only regex metacharacter is
 * `.` (REGISTRY_MIRROR); the rule file sits in a block scalar, where the PromQL string's `\\.` is written as is.
 */
export const ALLOWED_IMAGES_SUBSTITUTION: Substitution = {
  token: `${TOKEN_PREFIX}ALLOWEDMIRROR`,
  action: '{{ with .Values.imageRegistry }}{{ replace "." "\\\\\\\\." . }}/.+|{{ end }}',
  rendered: '',
};

type Json = Record<string, any>;

/** `v` with the mirror token after each start of the allowed-images regex, in every string it holds. */
function markAllowedImages(v: unknown): unknown {
  if (typeof v === 'string') return v.split(ALLOWED_IMAGES_MATCHER).join(`${ALLOWED_IMAGES_MATCHER}${ALLOWED_IMAGES_SUBSTITUTION.token}`);
  if (Array.isArray(v)) return v.map(markAllowedImages);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markAllowedImages(x)]));
  return v;
}

function at(o: Json | undefined, keys: ReadonlyArray<string>): Json | undefined {
  let cur: Json | undefined = o;
  for (const k of keys) cur = cur && typeof cur === 'object' ? cur[k] : undefined;
  return cur;
}

/** A storage request of one claim: where it is in the object and the key it gets in values.yaml. */
interface StorageSite {
  readonly key: string;
  readonly namespace: string;
  readonly requests: Json;
}

function storageSites(o: KubeObject): StorageSite[] {
  const ns = o.metadata.namespace ?? '';
  if (o.kind === 'PersistentVolumeClaim') {
    const requests = at(o as Json, ['spec', 'resources', 'requests']);
    return requests ? [{ key: o.metadata.name, namespace: ns, requests }] : [];
  }
  if (o.kind !== 'StatefulSet') return [];
  return ((at(o as Json, ['spec', 'volumeClaimTemplates']) ?? []) as Json[]).flatMap((t) => {
    const requests = at(t, ['spec', 'resources', 'requests']);
    return requests ? [{ key: `${t.metadata?.name}-${o.metadata.name}`, namespace: ns, requests }] : [];
  });
}

/** Objects with markers where values apply, the substitutions, and the default values. */
export interface Templated {
  /** Deep copies of the objects, in the same order, with tokens in place of the values. */
  readonly objects: ReadonlyArray<KubeObject>;
  readonly substitutions: ReadonlyArray<Substitution>;
  readonly values: ChartValues;
}

/**
 * Marks the values of one cluster's objects: each container image gets the mirror token in front, each
 * storage request whose size is a plain quantity (see STORAGE_QUANTITY) is replaced by a token of its own.
 * Claims whose key would be taken twice (the same name in two namespaces) are keyed `<namespace>-<key>`.
 */
export function templateValues(objects: ReadonlyArray<KubeObject>): Templated {
  const copies = objects.map((o) => structuredClone(o) as KubeObject);
  for (const o of copies) {
    const podPath = POD_SPEC_PATHS[o.kind];
    const pod = podPath ? at(o as Json, podPath) : undefined;
    for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
      for (const c of (pod?.[list] ?? []) as Json[]) if (typeof c.image === 'string') c.image = `${IMAGE_SUBSTITUTION.token}${c.image}`;
    }
  }
  // The image-registry alert's rule files (a ConfigMap's data; a PrometheusRule's spec in operator mode).
  for (const o of copies as Json[]) {
    if (o.kind === 'ConfigMap' && o.data) o.data = markAllowedImages(o.data);
    if (o.kind === 'PrometheusRule' && o.spec) o.spec = markAllowedImages(o.spec);
  }
  const sites = copies.flatMap(storageSites).filter((s) => typeof s.requests.storage === 'string' && STORAGE_QUANTITY.test(s.requests.storage));
  const count = new Map<string, number>();
  for (const s of sites) count.set(s.key, (count.get(s.key) ?? 0) + 1);
  const storage: Record<string, string> = {};
  const substitutions: Substitution[] = [IMAGE_SUBSTITUTION, ALLOWED_IMAGES_SUBSTITUTION];
  for (const s of sites) {
    const key = (count.get(s.key) ?? 0) > 1 ? `${s.namespace}-${s.key}` : s.key;
    if (key in storage) continue; // still ambiguous: the size stays literal
    const token = `${TOKEN_PREFIX}STORAGE${substitutions.length}X`;
    storage[key] = s.requests.storage;
    substitutions.push({ token, action: `{{ index .Values.storage ${JSON.stringify(key)} }}`, rendered: s.requests.storage });
    s.requests.storage = token;
  }
  return { objects: copies, substitutions, values: { imageRegistry: '', storage } };
}

/** Replaces every token in `text` by what `pick` gives for its substitution (the action, or its default render). */
export function substitute(text: string, substitutions: ReadonlyArray<Substitution>, pick: (s: Substitution) => string): string {
  let out = text;
  // Longest tokens first, so STORAGE1X never matches inside STORAGE11X (the X ends each token anyway).
  for (const s of [...substitutions].sort((a, b) => b.token.length - a.token.length)) out = out.split(s.token).join(pick(s));
  return out;
}

/** Whether `text` holds a token (then the source text itself collides with the markers). */
export function hasToken(text: string): boolean {
  return text.includes(TOKEN_PREFIX);
}

/**
 * values.schema.json: JSON Schema draft-07 (Helm validates values with santhosh-tekuri/jsonschema v6, which
 * takes `$schema` draft-07 from its built-in meta-schemas, no network; helm/helm v4.1.4
 * `pkg/chart/common/util/jsonschema.go`). Every value is typed; unknown keys are rejected, so a misspelt
 * `--set` fails instead of being ignored.
 */
export function valuesSchema(values: ChartValues, generated: string): Record<string, unknown> {
  return {
    generated,
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: ['imageRegistry', 'storage'],
    properties: {
      imageRegistry: {
        type: 'string',
        pattern: REGISTRY_MIRROR.source,
        description: 'Pull-through registry mirror put in front of every container image (<imageRegistry>/<image>); empty: the images as published.',
      },
      storage: {
        type: 'object',
        additionalProperties: false,
        required: Object.keys(values.storage).sort(),
        properties: Object.fromEntries(
          Object.keys(values.storage)
            .sort()
            .map((k) => [k, { type: 'string', pattern: STORAGE_QUANTITY.source, description: `Size of persistent volume claim ${k}.` }]),
        ),
      },
    },
  };
}
