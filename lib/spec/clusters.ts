import { z } from 'zod';
import { dnsLabel, serverURL } from './common';
import { cidr } from './transport';

/** Kubernetes distributions that change what edgewatt generates (control-plane monitoring, SCCs). */
export const PLATFORMS = ['k3s', 'kubeadm', 'openshift', 'generic'] as const;

/** One Kubernetes cluster of the stack. */
export const clusterSchema = z.strictObject({
  name: dnsLabel.describe('Cluster name: the folder dist/<name>/ and the value of the `cluster` label.'),
  server: serverURL
    .default('https://kubernetes.default.svc')
    .describe('API server URL as Argo CD knows the cluster. @default https://kubernetes.default.svc'),
  platform: z.enum(PLATFORMS).default('generic').describe('Kubernetes distribution. @default generic'),
  apiServerCIDRs: z
    .array(cidr)
    .min(1, { message: "must list the API server's addresses (the control-plane nodes' addresses, or the load balancer in front of them)" })
    .optional()
    .describe(
      "Addresses of the cluster's API server endpoints, as pods reach them after the `kubernetes` Service's DNAT (`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`). Pods with an egress NetworkPolicy that call the API server (kube-eventer) may then reach only these. @default - not known: those pods may reach any address on the API server's ports (443 and 6443; 6443 only on k3s, kubeadm and OpenShift)",
    ),
});
