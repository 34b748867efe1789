import { Command } from 'commander';
import * as fs from 'fs';
import { InputError } from '../../core/errors';
import { SchemaSources } from '../../validate/schema-check';
import { cachedSchemas } from './schemas';

/** Flags naming the schemas for the strict check. */
export interface SchemaFlags {
  readonly k8sOpenapi?: string;
  readonly crds?: string[];
}

/** Adds --k8s-openapi and --crds (repeatable) to a command. */
export function withSchemaFlags(cmd: Command): Command {
  return cmd
    .option('--k8s-openapi <file>', 'Kubernetes OpenAPI v2 document for the strict schema check (kubectl get --raw /openapi/v2); default $EDGEWATT_K8S_OPENAPI')
    .option('--crds <path>', 'CRD YAML file or folder for custom resources; repeatable; default $EDGEWATT_CRDS (":"-separated)', (v: string, prev: string[] = []) => [...prev, v]);
}

/** The schema sources from flags or environment; undefined when no OpenAPI document is named. */
export function schemaSources(flags: SchemaFlags): SchemaSources | undefined {
  const k8sOpenApi = flags.k8sOpenapi ?? process.env.EDGEWATT_K8S_OPENAPI;
  const crds = flags.crds ?? (process.env.EDGEWATT_CRDS ? process.env.EDGEWATT_CRDS.split(':').filter(Boolean) : []);
  if (!k8sOpenApi) {
    // Nothing named: the cache `edgewatt schemas pull` fills, when complete.
    if (crds.length === 0) return cachedSchemas();
    if (crds.length > 0) throw new InputError([{ path: '--crds', message: 'needs --k8s-openapi too: custom resources are checked against ObjectMeta from it' }]);
    return undefined;
  }
  const missing = [k8sOpenApi, ...crds].filter((p) => !fs.existsSync(p));
  if (missing.length > 0) {
    throw new InputError(missing.map((p) => ({ path: p, message: p === k8sOpenApi ? 'no such OpenAPI document: get one with `kubectl get --raw /openapi/v2 > k8s-openapi.json`' : 'no such CRD file or folder' })));
  }
  return { k8sOpenApi, crds };
}
