import { z } from 'zod';
import { dnsLabel, serverURL } from './common';

/** Kubernetes distributions that change what edgewatt generates (control-plane monitoring, SCCs). */
export const PLATFORMS = ['k3s', 'kubeadm', 'openshift', 'generic'] as const;

/** One Kubernetes cluster of the stack. */
export const clusterSchema = z.strictObject({
  name: dnsLabel.describe('Cluster name: the folder dist/<name>/ and the value of the `cluster` label.'),
  server: serverURL
    .default('https://kubernetes.default.svc')
    .describe('API server URL as Argo CD knows the cluster. @default https://kubernetes.default.svc'),
  platform: z.enum(PLATFORMS).default('generic').describe('Kubernetes distribution. @default generic'),
});
