import * as fs from 'fs';
import * as path from 'path';
import { Flow, FLOW_PURPOSES } from '../../core/flows';
import { Finding } from '../types';

/**
 * The stack's flows, written at the root of the output (dist/FLOWS.json) so that `edgewatt validate` can run
 * the flow gate on a tree without its stack. It sits above every dist/<cluster>/<component>/ folder that an
 * Argo CD Application points at, so nothing applies it. Deterministic: flows sorted by id, keys in a fixed order.
 */
export const FLOWS_FILE = 'FLOWS.json';

/** The file's text. */
export function flowsJson(stack: string, flows: ReadonlyArray<Flow>): string {
  const sorted = [...flows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return `${JSON.stringify({ stack, flows: sorted }, null, 2)}\n`;
}

/** Reads `<dir>/FLOWS.json`: undefined when there is none, findings when it is not a flow list. */
export function readFlowsFile(dir: string, label = dir): { flows?: Flow[]; stack?: string; findings: Finding[] } {
  const file = path.join(dir, FLOWS_FILE);
  if (!fs.existsSync(file)) return { findings: [] };
  const where = `${label}/${FLOWS_FILE}`;
  let data: { flows?: unknown; stack?: unknown };
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as { flows?: unknown; stack?: unknown };
  } catch (e) {
    return { findings: [{ file: where, pointer: '', message: `is not JSON (${(e as Error).message}): regenerate it with edgewatt synth` }] };
  }
  if (!Array.isArray(data.flows)) return { findings: [{ file: where, pointer: '/flows', message: 'must be a list of flows: regenerate the file with edgewatt synth' }] };
  const findings: Finding[] = [];
  const flows: Flow[] = [];
  data.flows.forEach((f: Partial<Flow>, i) => {
    const bad = !f || typeof f.id !== 'string' || !FLOW_PURPOSES.includes(f.purpose as never) || typeof f.from !== 'object' || typeof f.to !== 'object' || typeof f.transport !== 'string';
    if (bad) findings.push({ file: where, pointer: `/flows/${i}`, message: 'is not a flow (id, purpose, from, to, transport are required): regenerate the file with edgewatt synth' });
    else flows.push(f as Flow);
  });
  return { flows, stack: typeof data.stack === 'string' ? data.stack : undefined, findings };
}
