import { z } from 'zod';
import { gitRef, gitURL } from './common';

/** Where the synthesized YAML lives in Git, for the Argo CD objects. */
export const gitopsSchema = z
  .strictObject({
    repoURL: gitURL.describe('The Git repository Argo CD reads the synthesized YAML from.'),
    targetRevision: gitRef.default('HEAD').describe('Branch, tag or commit Argo CD follows. @default HEAD'),
    path: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: 'must be a relative folder such as dist or deploy/dist' })
      .default('dist')
      .describe('Folder of the repository that holds the synthesized YAML. @default dist'),
    mode: z
      .enum(['applications', 'applicationset'])
      .default('applications')
      .describe('One Application per folder with sync waves and a root app-of-apps per cluster, or one ApplicationSet with a git directory generator. @default applications'),
    argocdNamespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a namespace name' })
      .default('argocd')
      .describe('Namespace of Argo CD, where the Applications live. @default argocd'),
    applicationHealthCheck: z
      .boolean()
      .default(true)
      .describe(
        'Write argocd/argocd-cm/application-health-check.yaml, the Application health check (a merge patch of argocd-cm, applied with kubectl patch; never an argocd-cm object) that makes sync waves wait for child Applications to be Healthy. Applications mode only. @default true',
      ),
  })
  .describe('GitOps settings. @default - no Argo CD objects are generated');
