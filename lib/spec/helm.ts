import { z } from 'zod';

/**
 * Semantic Versioning 2.0.0 without a leading `v`: Helm lints a chart version with Masterminds semver's
 * StrictNewVersion (helm/helm v4.1.4 `pkg/chart/v2/lint/rules/chartfile.go`, validateChartVersionStrictSemVerV2).
 */
const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** How `edgewatt synth --format helm` versions the chart it writes per cluster. */
export const helmSchema = z
  .strictObject({
    version: z
      .string()
      .regex(SEMVER, { message: 'must be a semantic version such as 1.4.0 (no leading v, no range)' })
      .optional()
      .describe(
        'Chart version of every cluster chart. Raise it whenever the rendered content changes: `synth --format helm` (and `--check`) fails, naming the chart, when the content digest in Chart.yaml changed but the version did not. @default - derived from the content: 0.0.0-sha-<first 12 hex digits of the content digest>',
      ),
    appVersion: z
      .string()
      .regex(/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/, { message: 'must be a version string such as 2026.12.1' })
      .optional()
      .describe('appVersion of every cluster chart (free-form, shown by Helm and Argo CD). @default - the chart version'),
  })
  .describe('The stack packaged as one Helm chart per cluster (`edgewatt synth --format helm`). @default - versions derived from the content');
