import { ErrorObject, ValidateFunction } from 'ajv';
import { CrdSchemas } from './crds';
import { KubernetesSchemas, OBJECT_META_REF } from './openapi';
import { kubeAjv } from './schema-keywords';
import { Entry, Finding } from './types';

/** Where the schemas come from. */
export interface SchemaSources {
  /** Path of the Kubernetes OpenAPI v2 document (kubectl get --raw /openapi/v2). */
  readonly k8sOpenApi: string;
  /** CRD files or folders of CRD YAML files. @default - none */
  readonly crds?: ReadonlyArray<string>;
}

/** Turns one ajv error into a finding: the JSON pointer of the field, and plain words. */
export function ajvFinding(file: string, e: ErrorObject): Finding {
  const at = e.instancePath === '' ? '' : e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties':
      return { file, pointer: `${at}/${(e.params as { additionalProperty: string }).additionalProperty}`, message: 'unknown field' };
    case 'required':
      return { file, pointer: `${at}/${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
    case 'enum':
      return {
        file,
        pointer: at || '/',
        message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { file, pointer: at || '/', message: e.message ?? `fails ${e.keyword}` };
  }
}

/**
 * The strict schema check: every object against its Kubernetes OpenAPI definition or its CRD. Unknown
 * fields are errors; an object whose kind neither defines is an error. Each schema is compiled once.
 */
export class SchemaCheck {
  private readonly k8s: KubernetesSchemas;
  private readonly crds: CrdSchemas;
  /** apiVersion → kind → its validator, once found (a kind without one is looked up again each time). */
  private readonly found = new Map<string, Map<string, ValidateFunction>>();

  constructor(sources: SchemaSources) {
    const ajv = kubeAjv();
    this.k8s = new KubernetesSchemas(ajv, sources.k8sOpenApi);
    this.crds = new CrdSchemas(ajv, OBJECT_META_REF);
    for (const p of sources.crds ?? []) this.crds.addPath(p);
  }

  /** Checks entries; returns findings in entry order. */
  public check(entries: ReadonlyArray<Entry>): Finding[] {
    const out: Finding[] = [];
    for (const { file, object } of entries) {
      if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
        out.push({ file, pointer: '/', message: 'is not a Kubernetes object: apiVersion and kind are required' });
        continue;
      }
      const validate = this.validator(object.apiVersion, object.kind);
      if (!validate) {
        out.push({
          file,
          pointer: '/kind',
          message: `no schema for ${object.apiVersion} ${object.kind}: neither the Kubernetes OpenAPI document nor any CRD given defines it; fix: pass the CRD of ${object.kind} (--crds <file or folder>, repeatable; library: schemas.crds), or run \`edgewatt schemas pull\` once and leave out --k8s-openapi and --crds to use its cache`,
        });
        continue;
      }
      if (!validate(object)) {
        const seen = new Set<string>();
        for (const e of validate.errors ?? []) {
          const f = ajvFinding(file, e);
          const key = `${f.pointer}\u0000${f.message}`;
          if (!seen.has(key)) out.push(f);
          seen.add(key);
        }
      }
    }
    return out;
  }

  private validator(apiVersion: string, kind: string): ValidateFunction | undefined {
    let kinds = this.found.get(apiVersion);
    const hit = kinds?.get(kind);
    if (hit) return hit;
    const v = this.k8s.validator(apiVersion, kind) ?? this.crds.validator(apiVersion, kind);
    if (v) {
      if (!kinds) this.found.set(apiVersion, (kinds = new Map()));
      kinds.set(kind, v);
    }
    return v;
  }
}
