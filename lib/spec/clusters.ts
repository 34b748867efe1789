import { z } from 'zod';
import { dnsLabel, serverURL } from './common';
import { cidr } from './transport';
import type { Platform } from '../core/network';

/** Kubernetes distributions that change what edgewatt generates (control-plane monitoring, SCCs, DNS, API server port). */
export const PLATFORMS = ['k3s', 'kubeadm', 'openshift', 'generic'] as const satisfies ReadonlyArray<Platform>;

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
  dnsCIDRs: z
    .array(cidr)
    .min(1, { message: 'must list the addresses the cluster DNS answers on' })
    .optional()
    .describe(
      "Addresses the cluster DNS answers on when pods do not reach it at its pods: with NodeLocal DNSCache (a host-network cache on every node), its link-local address (169.254.20.10/32) and the kube-dns Service's ClusterIP it also binds. Pods with an egress NetworkPolicy (kube-eventer) may then reach these on 53 too. @default - none: only the DNS pods (kube-dns in kube-system; on OpenShift, openshift-dns)",
    ),
});
