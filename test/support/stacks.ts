import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { StackInput } from '../../lib/internal';
import { ROOT } from './shared';

/** The bundled example, apps/demo/stack.yaml, as plain data. */
export function demoStack(): StackInput {
  return parse(fs.readFileSync(path.join(ROOT, 'apps/demo/stack.yaml'), 'utf8')) as StackInput;
}

/** The smallest useful stack: one cluster, Kepler, Prometheus, Grafana. */
export function smallStack(): StackInput {
  return { name: 'lab', clusters: [{ name: 'edge' }], energy: {}, monitoring: {}, dashboards: {} } as StackInput;
}

/** A deep copy that tests may mutate. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
