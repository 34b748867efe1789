import { Command } from 'commander';
import { stackJsonSchema } from '../../spec/json-schema';
import { CliIO } from '../io';

/** The JSON Schema as the repository keeps it at schema/stack.schema.json. */
export function schemaText(): string {
  return `${JSON.stringify(stackJsonSchema(), null, 2)}\n`;
}

/** `edgewatt schema`: prints the JSON Schema of stack.yaml. */
export function schemaCommand(io: CliIO): Command {
  return new Command('schema')
    .description('print the JSON Schema of stack.yaml (for editors: # yaml-language-server: $schema=...)')
    .action(() => io.out(schemaText()));
}
