import { parseStack, resolveModel, SpecError } from '../../lib/internal';
import { clone, demoStack } from './stacks';

/** The bundled example with its first IoMT pipeline (and the stack) edited by `edit`. */
export function pipelineStack(edit: (p: any, s: any) => void): any {
  const s = clone(demoStack()) as any;
  edit(s.iomt.pipelines[0], s);
  return s;
}

/** The problems resolving a stack reports, as `path: message`; none when it resolves. */
export function resolveProblems(stack: unknown): string[] {
  try {
    resolveModel(parseStack(stack as never));
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}
