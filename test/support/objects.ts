import { Entry } from '../../lib/validate';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A namespace, a Deployment that meets every rule, its Service and its NetworkPolicy: a clean baseline. */
export function compliantApp(ns = 'shop', level = 'restricted'): any[] {
  const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': level } } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'web',
                image: 'registry.example/web:1.2.3',
                ports: [{ name: 'http', containerPort: 8080 }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
                readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
                envFrom: [{ configMapRef: { name: 'web-config' } }],
              },
            ],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: ns }, data: { MODE: 'edge' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web', namespace: ns },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] },
    },
  ];
}

/** Entries in dist/<cluster>/app/<kind>-<name>.yaml. */
export function entries(objects: any[], cluster = 'edge'): Entry[] {
  return objects.map((object) => ({ file: `dist/${cluster}/app/${object.kind.toLowerCase()}-${object.metadata.name}.yaml`, cluster, object }));
}

/** The Deployment's container in a compliantApp list. */
export function container(objects: any[]): any {
  return objects[1].spec.template.spec.containers[0];
}
