import { parse } from 'yaml';
import { SpecError, StackInput, synthesize, SynthResult } from '../../lib/internal';
import { demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

/** The smallest stack with a fleet and GitOps: one cluster. */
function fleetLab(certManager?: Record<string, unknown>): StackInput {
  return { name: 'lab', gitops: { repoURL: 'https://git.example.com/lab.git' }, clusters: [{ name: 'edge' }], fleet: certManager ? { certManager } : {} } as StackInput;
}

const apps = (r: SynthResult) => [...r.files.keys()].filter((f) => /\/argocd\/application-/.test(f)).map((f) => objectAt(r, f));
const wave = (a: any) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']);
/** The stack's AppProject (not the root Applications' `<stack>-bootstrap`). */
const project = (r: SynthResult) => parse([...r.bootstrap].find(([f]) => f.startsWith('appproject-') && !f.endsWith('-bootstrap.yaml'))![1]);

function specProblems(stack: StackInput): Array<{ path: string; message: string }> {
  try {
    synthesize(stack);
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => ({ path: p.path, message: p.message }));
    throw e;
  }
  throw new Error('expected a SpecError');
}

describe('Upstream components: cert-manager (Helm) before the Flotta operator (kustomize)', () => {
  const demo = synthChecked(demoStack());
  const certManager = objectAt(demo, 'hub/argocd/application-smart-factory-hub-cert-manager.yaml');
  const flotta = objectAt(demo, 'hub/argocd/application-smart-factory-hub-flotta-operator.yaml');

  test('cert-manager comes from its official chart repository, pinned to v1.21.1 with the leading v, CRDs enabled the current way', () => {
    expect(certManager.spec.source).toMatchObject({ repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.21.1' });
    expect(certManager.spec.source.helm.releaseName).toBe('cert-manager');
    // crds.enabled replaces the deprecated installCRDs (cert-manager v1.21.1 deploy/charts/cert-manager/values.yaml).
    expect(certManager.spec.source.helm.valuesObject.crds.enabled).toBe(true);
    expect(certManager.spec.source.helm.valuesObject).not.toHaveProperty('installCRDs');
    expect(certManager.spec.source.helm.skipCrds).toBeUndefined();
    expect(certManager.spec.destination.namespace).toBe('cert-manager');
    // The namespace Argo CD creates for it enforces Pod Security restricted (the chart's defaults comply).
    expect(certManager.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    expect(certManager.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('cert-manager syncs in an earlier wave than the Flotta operator, which is earlier than the fleet objects, all under one parent', () => {
    const fleet = objectAt(demo, 'hub/argocd/application-smart-factory-hub-fleet.yaml');
    expect(wave(certManager)).toBeLessThan(wave(flotta));
    expect(wave(flotta)).toBeLessThan(wave(fleet));
    const root = parse(demo.bootstrap.get('application-smart-factory-hub.yaml')!);
    expect(root.spec.source.path).toBe('dist/hub/argocd');
  });

  test('the AppProject lets the stack use the chart repository and the cert-manager namespace, and nothing in kube-system', () => {
    const p = project(demo);
    expect(p.spec.sourceRepos).toContain('https://charts.jetstack.io');
    expect(p.spec.destinations).toContainEqual({ server: 'https://kubernetes.default.svc', namespace: 'cert-manager' });
    // The chart's leader-election Role goes to global.leaderElection.namespace (default kube-system): set to the release namespace.
    expect(certManager.spec.source.helm.valuesObject.global.leaderElection.namespace).toBe(certManager.spec.destination.namespace);
    expect(p.spec.destinations).not.toContainEqual(expect.objectContaining({ namespace: 'kube-system' }));
  });

  test('the AppProject admits every cluster-scoped kind the cert-manager chart and the Flotta kustomize build create', () => {
    // cert-manager v1.21.1 deploy/charts/cert-manager/templates (PodSecurityPolicy off by default) and
    // flotta-operator v0.2.0 config (manager.yaml Namespace, crd/, rbac/, webhook/manifests.yaml).
    const needed = [
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      { group: '', kind: 'Namespace' },
    ];
    const p = project(demo);
    for (const k of needed) expect(p.spec.clusterResourceWhitelist).toContainEqual(k);
    expect(p.spec.namespaceResourceBlacklist).toBeUndefined();
  });

  test('the Flotta operator drops its OpenShift Route with an Argo CD kustomize delete patch', () => {
    expect(flotta.spec.source).toMatchObject({ repoURL: 'https://github.com/project-flotta/flotta-operator', targetRevision: 'v0.2.0', path: 'config/k8s' });
    const patches = flotta.spec.source.kustomize.patches;
    // The Route of flotta-operator v0.2.0 config/network/route.yaml: route.openshift.io/v1, named edge-api before the flotta- prefix.
    const route = patches.filter((p: any) => p.target.kind === 'Route');
    expect(route).toHaveLength(1);
    expect(route[0].target).toEqual({ group: 'route.openshift.io', version: 'v1', kind: 'Route', name: 'edge-api' });
    expect(parse(route[0].patch)).toEqual({ $patch: 'delete', apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'edge-api' } });
    // Nothing else is deleted.
    expect(patches.filter((p: any) => String(p.patch).includes('$patch: delete'))).toHaveLength(1);
  });

  test('the edge API\'s server certificate names the host devices connect to (DOMAIN on its http container)', () => {
    // flotta-operator v0.2.0: internal/edgeapi/config.go Config.Domain (env DOMAIN, default project-flotta.io) is the
    // certificate's one DNS name; config/edge-api/server.yaml Deployment edge-api (before the flotta- prefix), container http.
    const patches = flotta.spec.source.kustomize.patches.filter((p: any) => p.target.kind === 'Deployment');
    expect(patches.map((p: any) => p.target)).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment', name: 'edge-api' }]);
    expect(parse(patches[0].patch)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'edge-api' },
      spec: { template: { spec: { containers: [{ name: 'http', env: [{ name: 'DOMAIN', value: 'flotta.factory.example' }] }] } } },
    });
    // The name devices connect to: fleet.edgeAPI.host, the external name of the edge API's LoadBalancer.
    expect(objectAt(demo, 'hub/fleet/service-flotta-edge-api-external.yaml').metadata.annotations['edgewatt.io/host']).toBe('flotta.factory.example');
  });

  test('the operator\'s own cert-manager objects skip the dry run until cert-manager\'s CRDs exist', () => {
    // flotta-operator v0.2.0 config/certmanager/certificate.yaml: Issuer "issuer" and Certificate "webhook-cert", cert-manager.io/v1.
    const patches = flotta.spec.source.kustomize.patches.filter((p: any) => p.target.group === 'cert-manager.io');
    expect(patches.map((p: any) => `${p.target.kind}/${p.target.name}`).sort()).toEqual(['Certificate/webhook-cert', 'Issuer/issuer']);
    for (const p of patches) {
      const body = parse(p.patch);
      expect(body).toMatchObject({ apiVersion: 'cert-manager.io/v1', kind: p.target.kind, metadata: { name: p.target.name } });
      expect(body.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    }
  });

  test('every image of the operator\'s kustomize build is pinned: the Flotta images to the release, kube-rbac-proxy off the dead gcr.io registry', () => {
    // Images of flotta-operator v0.2.0 config/k8s, as its kustomizations name them (config/manager and config/edge-api
    // kustomization.yaml rename `controller` and `edge-api` without a tag; manifests say :latest), and the sidecar of
    // config/base/*_auth_proxy_patch.yaml.
    const upstream = ['quay.io/project-flotta/flotta-operator', 'quay.io/project-flotta/flotta-edge-api', 'gcr.io/kubebuilder/kube-rbac-proxy'];
    const images: string[] = flotta.spec.source.kustomize.images;
    const parsed = images.map((i) => {
      const m = /^([^=:@]+(?::\d+)?(?:\/[^=:@]+)*)(?:=([^:@]+(?::\d+)?(?:\/[^:@]+)*))?:([A-Za-z0-9_.-]+)$/.exec(i);
      expect(m).not.toBeNull();
      return { name: m![1], newName: m![2], tag: m![3] };
    });
    expect(parsed.map((p) => p.name).sort()).toEqual([...upstream].sort());
    for (const p of parsed) expect(p.tag).not.toBe('latest');
    for (const p of parsed.filter((x) => x.name.startsWith('quay.io/project-flotta/'))) expect(p.tag).toBe(flotta.spec.source.targetRevision);
    const proxy = parsed.find((p) => p.name === 'gcr.io/kubebuilder/kube-rbac-proxy')!;
    expect(proxy).toEqual({ name: 'gcr.io/kubebuilder/kube-rbac-proxy', newName: 'quay.io/brancz/kube-rbac-proxy', tag: 'v0.11.0' });
  });

  test('install: false (the cluster already runs cert-manager) drops the Application and its repository; the operator stays', () => {
    const r = synthesize(fleetLab({ install: false }));
    expect(apps(r).map((a) => a.metadata.name).sort()).toEqual(['lab-edge-flotta-operator', 'lab-edge-platform']);
    expect(project(r).spec.sourceRepos).not.toContain('https://charts.jetstack.io');
    expect(project(r).spec.destinations).not.toContainEqual(expect.objectContaining({ namespace: 'cert-manager' }));
  });

  test('a mirror and another exact version can be set for air-gapped sites; the project allows the mirror', () => {
    const r = synthesize(fleetLab({ repoURL: 'registry.factory.example/charts', version: 'v1.21.0', namespace: 'pki' }));
    const cm = objectAt(r, 'edge/argocd/application-lab-edge-cert-manager.yaml');
    expect(cm.spec.source).toMatchObject({ repoURL: 'registry.factory.example/charts', chart: 'cert-manager', targetRevision: 'v1.21.0' });
    expect(cm.spec.destination.namespace).toBe('pki');
    expect(project(r).spec.sourceRepos).toContain('registry.factory.example/charts');
    expect(project(r).spec.sourceRepos).not.toContain('https://charts.jetstack.io');
  });

  test('a version range, *, or an oci:// mirror is a validation error naming the field, all in one run', () => {
    expect(specProblems(fleetLab({ version: '^1.21.0', repoURL: 'oci://quay.io/jetstack/charts' }))).toEqual([
      { path: 'fleet.certManager.repoURL', message: expect.stringContaining('without oci://') },
      { path: 'fleet.certManager.version', message: expect.stringContaining('exact chart version') },
    ]);
    expect(specProblems(fleetLab({ version: '*' })).map((p) => p.path)).toEqual(['fleet.certManager.version']);
  });

  test('without a fleet there is no cert-manager and no Flotta operator', () => {
    const r = synthesize({ name: 'lab', gitops: { repoURL: 'https://git.example.com/lab.git' }, clusters: [{ name: 'edge' }], monitoring: {} } as StackInput);
    expect(apps(r).map((a) => a.metadata.name)).not.toEqual(expect.arrayContaining([expect.stringMatching(/cert-manager|flotta/)]));
  });
});
