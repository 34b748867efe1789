import { z } from 'zod';
import { isExactChartVersion, VERSIONS } from '../core/versions';
import { dnsLabel } from './common';

const cm = VERSIONS.certManager;

/**
 * cert-manager for the Flotta operator (its webhook certificate and CA injection need it): installed by an
 * Argo CD Application from cert-manager's official Helm chart, in a sync wave before the operator.
 */
export const certManagerSchema = z
  .strictObject({
    install: z
      .boolean()
      .default(true)
      .describe('Install cert-manager. Set false when the cluster already runs cert-manager (cert-manager.io/v1 API); nothing else changes. @default true'),
    repoURL: z
      .string()
      .regex(/^(https?:\/\/[^\s/]+(\/[^\s]*)?|[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)+)$/, {
        message: 'must be an HTTP(S) Helm repository such as https://charts.jetstack.io, or an OCI registry path written without oci:// such as quay.io/jetstack/charts',
      })
      .default(cm.repoURL)
      .describe(`Chart repository, or a mirror for air-gapped sites (an HTTP(S) Helm repository, or an OCI registry path without oci://). @default ${cm.repoURL}`),
    version: z
      .string()
      .refine(isExactChartVersion, { message: `must be one exact chart version such as ${cm.version}, not a range or *: Argo CD would follow new releases without a commit` })
      .default(cm.version)
      .describe(`Exact cert-manager chart version (the chart's versions carry a leading v). @default ${cm.version}`),
    namespace: dnsLabel.default(cm.namespace).describe(`Namespace cert-manager runs in (created by Argo CD, Pod Security restricted). @default ${cm.namespace}`),
  })
  .default({ install: true, repoURL: cm.repoURL, version: cm.version, namespace: cm.namespace })
  .describe(`cert-manager, which the Flotta operator needs. @default - installed from ${cm.repoURL}, chart cert-manager ${cm.version}`);
