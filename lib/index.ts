/**
 * edgewatt: one typed description of an edge IoT platform in, validated Kubernetes YAML out.
 *
 * This file is the package's whole public API; api/public-api.txt lists it and test/api/surface.test.ts fails
 * when it changes without that list. Everything else (lib/internal.ts) may change in any release.
 */
export { EdgewattStack } from './stack';
export type { EdgewattStackProps } from './stack';
export {
  synthesize,
  synthToDir,
  parseStack,
  parseStackYaml,
  defineStack,
  stackJsonSchema,
} from './api/functions';
export type { HelmChartInfo, OutputFormat, SchemaLocations, SynthesizeOptions, SynthToDirOptions, Synthesis, ParseStackYamlOptions } from './api/functions';
export * from './api/stack-props';
export { ProblemsError, SpecError, ValidationError, formatProblem } from './core/errors';
export type { Problem } from './core/errors';
export * from './core/flows';
