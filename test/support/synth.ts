import { parse } from 'yaml';
import { StackInput, synthesize, SynthResult } from '../../lib/internal';
import { sharedPath } from './shared';

/** The schemas of the reference data: the strict check runs in every test synth. */
export function referenceSchemas(): { k8sOpenApi: string; crds: string[] } {
  return { k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [sharedPath('crds')] };
}

/** Synthesizes with every validation gate, the strict schema check included. */
export function synthChecked(stack: StackInput): SynthResult {
  return synthesize(stack, { validation: { schemas: referenceSchemas() } });
}

/** The parsed object in one output file. */
export function objectAt(result: SynthResult, file: string): any {
  const text = result.files.get(file);
  if (text === undefined) throw new Error(`no file ${file}; files: ${[...result.files.keys()].join(', ')}`);
  return parse(text);
}
