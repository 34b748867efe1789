import { parse } from 'yaml';
import { Flow } from '../../lib/core/flows';
import { Entry } from '../../lib/validate';
import { StackInput, synthesize } from '../../lib/internal';

/** A stack's synthesized output as the gates' entries (`dist/<file>`, cluster from the path), with its FLOWS.json flows. */
export function flowOutput(stack: StackInput): { entries: Map<string, Entry>; flows: Flow[] } {
  const result = synthesize(stack);
  const entries = new Map<string, Entry>();
  for (const [file, text] of result.files) {
    if (file.endsWith('.yaml')) entries.set(`dist/${file}`, { file: `dist/${file}`, cluster: file.split('/')[0], object: parse(text) });
  }
  return { entries, flows: JSON.parse(result.files.get('FLOWS.json')!).flows };
}
