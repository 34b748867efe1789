import { z } from 'zod';
import { stackSchema } from './stack';

/** The JSON Schema of stack.yaml (draft-07, for editors), produced by zod from the stack schema. */
export function stackJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(stackSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return { ...schema, title: 'edgewatt stack' };
}
