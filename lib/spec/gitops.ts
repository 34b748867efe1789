import { z } from 'zod';
import { gitURL } from './common';

/** Where the synthesized YAML lives in Git, for the Argo CD objects. */
export const gitopsSchema = z
  .strictObject({
    repoURL: gitURL.describe('The Git repository Argo CD reads the synthesized YAML from.'),
    targetRevision: z.string().min(1).default('HEAD').describe('Branch, tag or commit Argo CD follows. @default HEAD'),
    path: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: 'must be a relative folder such as dist or deploy/dist' })
      .default('dist')
      .describe('Folder of the repository that holds the synthesized YAML. @default dist'),
  })
  .describe('GitOps settings. @default - no Argo CD objects are generated');
