import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { APPLICATION_LIMITS, runCli, StackInput, synthToDir } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, referenceSchemas, synthChecked } from '../support/synth';
import { captureIO, tmpDir } from '../support/tmp';

function fleetOf(n: number, extra: string[] = []): StackInput {
  const s = clone(demoStack()) as any;
  const names = [...Array.from({ length: n }, (_, i) => `dev-${String(i).padStart(5, '0')}`), ...extra];
  s.fleet.devices = names.map((name) => ({ name, set: 'cameras', address: '10.20.0.11', labels: { site: 'seoul' } }));
  s.iomt.pipelines[0].things[0].device = names[0];
  s.fleet.powerExporter = false;
  return s;
}

describe('GitOps (Argo CD)', () => {
  const r = synthChecked(demoStack());

  test('the example gets exactly one Application per folder, with waves and destinations, plus cert-manager and the Flotta operator', () => {
    const apps = [...r.files.keys()].filter((f) => f.includes('/argocd/')).map((f) => {
      const a = objectAt(r, f);
      return `${a.metadata.name} wave=${a.metadata.annotations['argocd.argoproj.io/sync-wave']} ${a.spec.source.path ?? `${a.spec.source.repoURL} ${a.spec.source.chart}`} → ${a.spec.destination.server}`;
    });
    expect(apps).toEqual([
      'smart-factory-hub-cert-manager wave=0 https://charts.jetstack.io cert-manager → https://kubernetes.default.svc',
      'smart-factory-hub-dashboards wave=5 dist/hub/dashboards → https://kubernetes.default.svc',
      'smart-factory-hub-energy wave=2 dist/hub/energy → https://kubernetes.default.svc',
      'smart-factory-hub-events wave=2 dist/hub/events → https://kubernetes.default.svc',
      'smart-factory-hub-fleet wave=3 dist/hub/fleet → https://kubernetes.default.svc',
      'smart-factory-hub-flotta-operator wave=1 config/k8s → https://kubernetes.default.svc',
      'smart-factory-hub-monitoring wave=2 dist/hub/monitoring → https://kubernetes.default.svc',
      'smart-factory-hub-platform wave=0 dist/hub/platform → https://kubernetes.default.svc',
      'smart-factory-line-1-energy wave=2 dist/line-1/energy → https://line-1.factory.example:6443',
      'smart-factory-line-1-events wave=2 dist/line-1/events → https://line-1.factory.example:6443',
      'smart-factory-line-1-iomt wave=4 dist/line-1/iomt → https://line-1.factory.example:6443',
      'smart-factory-line-1-monitoring wave=2 dist/line-1/monitoring → https://line-1.factory.example:6443',
      'smart-factory-line-1-platform wave=0 dist/line-1/platform → https://line-1.factory.example:6443',
    ]);
    const flotta = objectAt(r, 'hub/argocd/application-smart-factory-hub-flotta-operator.yaml');
    expect(flotta.spec.source).toMatchObject({ repoURL: 'https://github.com/project-flotta/flotta-operator', targetRevision: 'v0.2.0', path: 'config/k8s' });
    const app = objectAt(r, 'line-1/argocd/application-smart-factory-line-1-iomt.yaml');
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app.spec.syncPolicy.retry.limit).toBe(10);
  });

  test('the bootstrap holds the AppProject and a root app-of-apps per cluster', () => {
    expect([...r.bootstrap.keys()]).toEqual([
      'application-smart-factory-hub.yaml',
      'application-smart-factory-line-1.yaml',
      'appproject-smart-factory-bootstrap.yaml',
      'appproject-smart-factory.yaml',
      'argocd-cm/application-health-check.yaml',
      'argocd-cm/resource-exclusions.yaml',
    ]);
    const root = parse(r.bootstrap.get('application-smart-factory-line-1.yaml')!);
    expect(root.spec.source.path).toBe('dist/line-1/argocd');
    expect(root.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
    const project = parse(r.bootstrap.get('appproject-smart-factory.yaml')!);
    expect(project.spec.sourceRepos).toEqual(['https://charts.jetstack.io', 'https://git.example.com/platform/edge-gitops.git', 'https://github.com/project-flotta/flotta-operator']);
    expect(project.spec.destinations).toContainEqual({ server: 'https://line-1.factory.example:6443', namespace: 'iomt-object-detection' });
    // The edge cluster's Prometheus agent runs in the monitoring namespace: it is created there and a destination.
    expect(project.spec.destinations).toContainEqual({ server: 'https://line-1.factory.example:6443', namespace: 'monitoring' });
    expect(r.files.has('line-1/platform/namespace-monitoring.yaml')).toBe(true);
    expect(project.spec.destinations).not.toContainEqual(expect.objectContaining({ namespace: '*' }));
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: 'scheduling.k8s.io', kind: 'PriorityClass' });
    expect(project.spec.roles.map((x: any) => x.name)).toEqual(['read-only', 'sync']);
  });

  test("no Application of the stack's project may deploy into Argo CD's namespace; the root Applications' project deploys only Applications there", () => {
    const project = parse(r.bootstrap.get('appproject-smart-factory.yaml')!);
    // A project that may deploy into argocd is admin over Argo CD (a cluster Secret, argocd-cm, another project's Application).
    expect(project.spec.destinations.filter((d: any) => d.namespace === 'argocd')).toEqual([]);
    const boot = parse(r.bootstrap.get('appproject-smart-factory-bootstrap.yaml')!);
    expect(boot.spec).toMatchObject({
      sourceRepos: ['https://git.example.com/platform/edge-gitops.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Application' }],
    });
    for (const f of ['application-smart-factory-hub.yaml', 'application-smart-factory-line-1.yaml']) expect(parse(r.bootstrap.get(f)!).spec.project).toBe('smart-factory-bootstrap');
    // What the root Applications deploy is what their project permits: Applications in argocd, of the stack's project.
    const children = [...r.files.keys()].filter((f) => /^[^/]+\/argocd\//.test(f));
    expect(children.length).toBeGreaterThan(10);
    for (const f of children) {
      const o = objectAt(r, f);
      expect([o.apiVersion, o.kind, o.metadata.namespace, o.spec.project]).toEqual(['argoproj.io/v1alpha1', 'Application', 'argocd', 'smart-factory']);
    }
  });

  test('applicationset mode: one ApplicationSet with a git directory generator, no per-folder Applications', () => {
    const s = clone(demoStack()) as any;
    s.gitops.mode = 'applicationset';
    const a = synthChecked(s);
    expect([...a.files.keys()].filter((f) => f.includes('/argocd/'))).toEqual([]);
    const set = parse(a.bootstrap.get('applicationset-smart-factory.yaml')!);
    expect(set.spec.generators[0].git.directories).toEqual([{ path: 'dist/*/*' }, { path: 'dist/*/argocd', exclude: true }]);
    // Generated Applications carry the stack's label, which `edgewatt status` selects them by.
    expect(set.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'smart-factory', 'edgewatt.io/cluster': '{{index .path.segments 1}}' });
  });

  test('the orphan check fails on a folder added by hand and on an Application whose folder is gone', async () => {
    const dir = path.join(tmpDir(), 'dist');
    synthToDir(demoStack(), dir, { validation: { schemas: referenceSchemas() } });
    fs.mkdirSync(path.join(dir, 'hub', 'extra'));
    fs.copyFileSync(path.join(dir, 'hub/platform/namespace-fleet.yaml'), path.join(dir, 'hub/extra/namespace-fleet2.yaml'));
    fs.writeFileSync(path.join(dir, 'hub/extra/namespace-fleet2.yaml'), fs.readFileSync(path.join(dir, 'hub/extra/namespace-fleet2.yaml'), 'utf8').replace('name: fleet', 'name: fleet2'));
    fs.rmSync(path.join(dir, 'line-1/iomt'), { recursive: true });
    const c = captureIO();
    const code = await runCli(['validate', dir, '--k8s-openapi', referenceSchemas().k8sOpenApi, '--crds', referenceSchemas().crds[0]], c.io);
    expect(code).toBe(1);
    expect(c.err()).toContain(`${dir}/hub/extra/namespace-fleet2.yaml: folder hub/extra has no Application: nothing deploys it`);
    expect(c.err()).toContain(`${dir}/line-1/argocd/application-smart-factory-line-1-iomt.yaml: /spec/source/path: points at dist/line-1/iomt, a folder that holds no objects`);
  });

  test('a 5,000-device fleet is sharded under both limits; adding a device changes one shard only', () => {
    const big = synthChecked(fleetOf(5000));
    const byFolder = new Map<string, { objects: number; bytes: number }>();
    for (const [f, text] of big.files) {
      if (!f.endsWith('.yaml') || f.includes('/argocd/')) continue;
      const k = f.split('/').slice(0, 2).join('/');
      const e = byFolder.get(k) ?? { objects: 0, bytes: 0 };
      byFolder.set(k, { objects: e.objects + 1, bytes: e.bytes + Buffer.byteLength(text) });
    }
    const shards = [...byFolder.keys()].filter((k) => k.startsWith('hub/fleet-'));
    expect(shards.length).toBeGreaterThan(10);
    for (const [, e] of byFolder) {
      expect(e.objects).toBeLessThanOrEqual(APPLICATION_LIMITS.maxObjects);
      expect(e.bytes).toBeLessThanOrEqual(APPLICATION_LIMITS.maxBytes);
    }
    const apps = [...big.files.keys()].filter((f) => f.startsWith('hub/argocd/application-smart-factory-hub-fleet-'));
    expect(apps.length).toBe(shards.length);
    const more = synthChecked(fleetOf(5000, ['dev-extra']));
    const changed = [...more.files.keys()].filter((f) => more.files.get(f) !== big.files.get(f));
    const removed = [...big.files.keys()].filter((f) => !more.files.has(f));
    expect(removed).toEqual([]);
    const folders = new Set(changed.map((f) => f.split('/').slice(0, 2).join('/')));
    expect([...folders].filter((f) => f.startsWith('hub/fleet-'))).toHaveLength(1);
    expect(changed.filter((f) => f.startsWith('hub/fleet-')).sort()).toEqual(
      [`edgedevicesignedrequest-dev-extra.yaml`].map((x) => `${[...folders].find((f) => f.startsWith('hub/fleet-'))}/${x}`),
    );
  });

  test('npm run synth writes the bootstrap to argocd/ beside dist, and --check covers it', async () => {
    const root = tmpDir();
    const out = path.join(root, 'dist');
    const stack = path.join(root, 'stack.yaml');
    fs.copyFileSync(path.join(__dirname, '../../apps/demo/stack.yaml'), stack);
    const flags = ['--k8s-openapi', referenceSchemas().k8sOpenApi, '--crds', referenceSchemas().crds[0]];
    expect(await runCli(['synth', '-c', stack, '-o', out, ...flags], captureIO().io)).toBe(0);
    expect(fs.readdirSync(path.join(root, 'argocd')).sort()).toEqual(['application-smart-factory-hub.yaml', 'application-smart-factory-line-1.yaml', 'appproject-smart-factory-bootstrap.yaml', 'appproject-smart-factory.yaml', 'argocd-cm']);
    expect(fs.readdirSync(path.join(root, 'argocd', 'argocd-cm'))).toEqual(['application-health-check.yaml', 'resource-exclusions.yaml']);
    fs.appendFileSync(path.join(root, 'argocd', 'appproject-smart-factory.yaml'), '# edit\n');
    const c = captureIO();
    expect(await runCli(['synth', '--check', '-c', stack, '-o', out, ...flags], c.io)).toBe(1);
    expect(c.err()).toContain(`changed  ${path.relative(process.cwd(), path.join(path.dirname(out), 'argocd/appproject-smart-factory.yaml'))}\n`);
  });
});
