import { z } from 'zod';
import { RE2 } from 're2-wasm';
import { labelValueProblem, qualifiedNameProblem } from '../core/k8s-rules';
import { DNS_LABEL, DNS_LABEL_MAX } from '../core/names';

/** A DNS label (RFC 1123): lower-case letters, digits and '-', at most 63 characters. */
export const dnsLabel = z
  .string()
  .max(DNS_LABEL_MAX, { message: `must be at most ${DNS_LABEL_MAX} characters (a DNS label)` })
  .regex(DNS_LABEL, {
    message: "must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
  });

/** A Kubernetes resource quantity such as `50Gi`, `500m` or `2`. */
export const quantity = z
  .string()
  .regex(/^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][-+]?[0-9]+)?$/, {
    message: 'must be a Kubernetes quantity such as 50Gi, 512Mi, 500m or 2',
  });

/**
 * A volume size: a quantity greater than zero. The API server refuses a claim asking for no storage (kubernetes
 * `pkg/apis/core/validation/validation.go` ValidatePersistentVolumeClaimSpec: ValidatePositiveQuantityValue on
 * `resources.requests.storage`, "must be greater than zero"), so a `0Gi` volume would sync to nothing.
 */
export const storageSize = quantity
  .refine((q) => Number(/^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)/.exec(q)?.[0]) > 0, {
    message: 'must be greater than zero (the API server refuses a volume claim for no storage), such as 10Gi',
  })
  // A number without a unit is bytes: `20` asks for a 20-byte volume, which no one means.
  // (A zero is reported by the refinement above only.)
  .refine((q) => !/^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(q) || !(Number(q) > 0), { message: 'is a number of bytes without a unit: write the unit, such as 20Gi or 500Mi' });

/** A Prometheus duration such as `30s`, `15d` or `1h30m`. */
export const duration = z
  .string()
  .regex(/^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/, {
    message: 'must be a Prometheus duration such as 30s, 5m or 15d',
  })
  .refine((s) => s !== '', { message: 'must not be empty: use a duration such as 30s' });

/** What labelMap accepts as a key (also lib/spec/quick-devices.ts). */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** What labelMap accepts as a value (also lib/spec/quick-devices.ts). */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Kubernetes labels: keys and values as Kubernetes accepts them. */
export const labelMap = z.record(
  z.string().regex(LABEL_KEY, {
    message: 'must be a Kubernetes label key such as tier or example.com/tier',
  }),
  z.string().regex(LABEL_VALUE, {
    message: 'must be a Kubernetes label value: at most 63 letters, digits, -, _ or .',
  }),
);

/** An http(s) or ssh URL, or an scp-like git address (git@host:org/repo.git). */
export const gitURL = z.string().regex(/^(https?:\/\/|ssh:\/\/|git@)[^\s]+$/, {
  message: 'must be a git URL such as https://git.example.com/org/repo.git or git@host:org/repo.git',
});

/** An https URL of a Kubernetes API server. */
export const serverURL = z.string().regex(/^https:\/\/[^\s/]+(:[0-9]+)?(\/[^\s]*)?$/, {
  message: 'must be the https URL of the API server, such as https://kubernetes.default.svc',
});

/** Container resource requests and limits. */
export const resources = z
  .strictObject({
    requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
    limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  })
  .describe('Container resources; each component has its own defaults.');

/** A Kubernetes toleration, as in a pod spec. */
export const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

/** A container image reference with an explicit tag or digest (never :latest). */
export const image = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, {
    message: 'must be an image with a tag or digest, such as registry.example/app:1.2.3',
  })
  .refine((s) => !/:latest$/.test(s), { message: 'must not use the :latest tag: pin a version' });

/**
 * Why `pattern` is not a regular expression Prometheus and Alertmanager accept, or undefined. Both compile
 * with Go's regexp (RE2 syntax, anchored as `^(?:<pattern>)$`: prometheus/prometheus model/relabel/relabel.go,
 * prometheus/alertmanager pkg/labels/matcher.go); RE2 itself (re2-wasm) is the parser here, so
 * look-arounds and back-references are refused as they are there.
 */
export function re2Problem(pattern: string): string | undefined {
  try {
    new RE2(`^(?:${pattern})$`, 'u');
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: \/.*\/u: /s, '');
  }
}

/** A Kubernetes label value (empty, or at most 63 letters, digits, '-', '_', '.'; alphanumeric at both ends). */
export const labelValue = z.string().superRefine((v, ctx) => {
  const p = labelValueProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: `${p} (a Kubernetes label value)` });
});

/** A qualified name such as `nvidia.com/gpu` (extended resource names, label keys). */
export const qualifiedName = z.string().superRefine((v, ctx) => {
  const p = qualifiedNameProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: `${p}: write a name such as nvidia.com/gpu` });
});

/** The path of an HTTP URL: starts with '/', only URL path characters (no spaces, control characters, '?', '#', '{{'). */
export const urlPath = z
  .string()
  .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/, { message: "must be a URL path such as /healthz: '/' then letters, digits and -._~!$&'()*+,;=:@%/ only" })
  .max(1024, { message: 'must be at most 1024 characters' });

/** A Git branch, tag or commit: no whitespace, control characters or characters Git forbids in refs. */
export const gitRef = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!.*\.\.)(?!.*@\{)(?!\/)(?!.*\/$)(?!.*\.lock$)[^\s\x00-\x1f\x7f~^:?*[\\]+$/, {
    message: 'must be a branch, tag or commit such as main, v1.2.0 or HEAD: no spaces, control characters, "..", or any of ~^:?*[\\',
  });
