import { z } from 'zod';
import { dnsLabel } from './common';

/** An IPv4 or IPv6 CIDR such as 10.42.0.0/16. */
export const cidr = z
  .string()
  .regex(/^((([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2]))|([0-9a-fA-F:]*:[0-9a-fA-F:.]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])))$/, {
    message: 'must be a CIDR such as 10.42.0.0/16',
  });

/** A DNS host name (not an IP, no scheme, no port), such as metrics.factory.example. */
export const hostName = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS host name such as metrics.factory.example' })
  .refine((h) => !/\.(cluster\.local|clusterset\.local|svc)$/.test(h), {
    message: 'must be a name that resolves outside the cluster: a cluster.local or clusterset.local name only resolves inside a cluster',
  });

const secretName = dnsLabel.describe('A Secret created outside Git (never its values).');

/** Multi-Cluster Services: a ServiceExport of the destination; remote pods are admitted by CIDR. */
const mcsTransport = z.strictObject({
  transport: z.literal('mcs'),
  remotePodCIDRs: z
    .array(cidr)
    .min(1, { message: 'must list the pod CIDRs of the clusters that connect (the NetworkPolicy admits exactly these)' })
    .describe('Pod CIDRs of the remote clusters that connect through the Multi-Cluster Services implementation.'),
});

/** An Ingress with TLS in front of the destination. */
const ingressTransport = z.strictObject({
  transport: z.literal('ingress'),
  host: hostName.describe('Host name the Ingress serves (TLS).'),
  tlsSecret: secretName.describe('Secret of type kubernetes.io/tls with the certificate for host, in the destination namespace.'),
  ingressClassName: z.string().min(1).optional().describe('IngressClass. @default - the cluster default class'),
  controllerNamespace: dnsLabel
    .default('kube-system')
    .describe("Namespace of the ingress controller's pods, admitted by the NetworkPolicy. @default kube-system (k3s's Traefik)"),
});

/** A Service of type LoadBalancer; TLS is served by the destination itself. */
const loadBalancerTransport = z.strictObject({
  transport: z.literal('loadBalancer'),
  host: hostName.describe('DNS name that resolves to the load balancer.'),
  tlsSecret: secretName.describe('Secret of type kubernetes.io/tls with the certificate for host; the destination serves TLS itself.'),
  sourceCIDRs: z
    .array(cidr)
    .min(1, { message: 'must list the source CIDRs allowed to connect (loadBalancerSourceRanges and the NetworkPolicy admit exactly these)' })
    .describe('Addresses allowed to connect.'),
});

/** How an endpoint is reached from outside its cluster. */
export const exposureSchema = z.discriminatedUnion('transport', [mcsTransport, ingressTransport, loadBalancerTransport]);

/** How a plain-HTTP server that cannot serve TLS itself is reached from another cluster: mcs or an Ingress with TLS. */
export const httpExposureSchema = z.discriminatedUnion('transport', [mcsTransport, ingressTransport]);

/** How an endpoint is reached from outside every cluster (devices): an Ingress or a load balancer. */
export const externalExposureSchema = z.discriminatedUnion('transport', [ingressTransport, loadBalancerTransport]);

/** Basic authentication of the hub's remote-write receiver (Prometheus web config). */
export const receiverAuthSchema = z.strictObject({
  webConfigSecret: secretName.describe(
    'Secret in the monitoring namespace of the hub with key web.yml: a Prometheus web configuration whose basic_auth_users holds the bcrypt hash of the writers\' password (and, for loadBalancer, tls_server_config with cert_file /etc/prometheus/tls/tls.crt and key_file /etc/prometheus/tls/tls.key).',
  ),
  username: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be a user name of letters, digits, ., _ or -' })
    .default('edge')
    .describe('User name the edge agents send. @default edge'),
  passwordSecret: z
    .strictObject({ name: secretName, key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a Secret key such as password' }).default('password') })
    .describe("Secret in each edge cluster's monitoring namespace holding the password (key default: password)."),
});

export type Exposure = z.infer<typeof exposureSchema>;
export type ReceiverAuth = z.infer<typeof receiverAuthSchema>;
