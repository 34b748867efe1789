import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { CLIENT_SIDE_APPLY_LIMIT_BYTES, helmApplication, HelmApplicationProps, SpecError, validateEntries, VERSIONS } from '../../lib/internal';
import { referenceSchemas } from '../support/synth';
import { sharedPath } from '../support/shared';

/** A Helm-source Application as a chart user would describe it; `over` replaces parts. */
function props(over: Partial<HelmApplicationProps<{ replicas: number }>> = {}): HelmApplicationProps<{ replicas: number }> {
  return {
    name: 'lab-edge-demo',
    argocdNamespace: 'argocd',
    project: 'lab',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
    chart: { repoURL: 'https://charts.example.com', chart: 'demo', targetRevision: '1.2.3' },
    releaseName: 'demo',
    values: { replicas: 2 },
    syncWave: 1,
    ...over,
  };
}

function problemsOf(f: () => unknown): Array<{ path: string; message: string }> {
  try {
    f();
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => ({ path: p.path, message: p.message }));
    throw e;
  }
  throw new Error('expected a SpecError');
}

describe('Helm-source Applications (typed construct)', () => {
  test('the Application carries repoURL, chart, the exact version, release name, valuesObject, skipCrds, namespace and wave, and validates against the Argo CD CRD', () => {
    const app = helmApplication(props({ skipCrds: true, createNamespace: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } })) as any;
    expect(app.spec.source).toEqual({
      repoURL: 'https://charts.example.com',
      chart: 'demo',
      targetRevision: '1.2.3',
      helm: { releaseName: 'demo', valuesObject: { replicas: 2 }, skipCrds: true },
    });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'demo' });
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true']);
    expect(app.spec.syncPolicy.managedNamespaceMetadata).toEqual({ labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    // The Argo CD v3.5.1 CRD (../shared/crds/argocd) accepts it: the strict schema gate finds nothing.
    expect(validateEntries([{ file: 'dist/edge/argocd/application-lab-edge-demo.yaml', cluster: 'edge', object: app }], { schemas: referenceSchemas() })).toEqual([]);
  });

  test('an OCI registry is written without oci://; with it, or with no chart repository at all, the error names repoURL', () => {
    const oci = helmApplication(props({ chart: { repoURL: 'quay.io/jetstack/charts', chart: 'cert-manager', targetRevision: 'v1.21.1' } })) as any;
    expect(oci.spec.source.repoURL).toBe('quay.io/jetstack/charts');
    expect(problemsOf(() => helmApplication(props({ chart: { repoURL: 'oci://quay.io/jetstack/charts', chart: 'cert-manager', targetRevision: 'v1.21.1' } })))).toEqual([
      { path: 'spec.source.repoURL', message: expect.stringContaining('without oci://') },
    ]);
    expect(problemsOf(() => helmApplication(props({ chart: { repoURL: 'not a url', chart: 'demo', targetRevision: '1.0.0' } })))[0].path).toBe('spec.source.repoURL');
  });

  test.each(['^1.2.0', '~1.2.0', '>=1.0.0', '1.2.x', '1.2.*', '*', 'latest', '1.2', '1.2.3 || 1.3.0'])('chart version %p is a range, not a pin: a validation error naming targetRevision', (v) => {
    expect(problemsOf(() => helmApplication(props({ chart: { repoURL: 'https://charts.example.com', chart: 'demo', targetRevision: v } })))).toEqual([
      { path: 'spec.source.targetRevision', message: expect.stringContaining('exact') },
    ]);
  });

  test('a missing targetRevision is a validation error; every problem is reported in one run', () => {
    const p = problemsOf(() =>
      helmApplication(props({ chart: { repoURL: 'oci://registry.example.com/charts', chart: 'Demo_Chart', targetRevision: undefined as unknown as string }, releaseName: 'Bad_Release' })),
    );
    expect(p.map((x) => x.path).sort()).toEqual(['spec.source.chart', 'spec.source.helm.releaseName', 'spec.source.repoURL', 'spec.source.targetRevision']);
    expect(p.find((x) => x.path === 'spec.source.targetRevision')!.message).toMatch(/missing/);
  });

  test('exact versions, with or without the leading v and with pre-release tags, are accepted', () => {
    for (const v of ['v1.21.1', '88.5.3', '1.0.0-rc.1', '0.1.0+build.5']) expect(() => helmApplication(props({ chart: { repoURL: 'https://charts.example.com', chart: 'demo', targetRevision: v } }))).not.toThrow();
  });

  test('ServerSideApply exactly when the largest CRD exceeds the client-side annotation limit (256 KiB)', () => {
    expect(CLIENT_SIDE_APPLY_LIMIT_BYTES).toBe(256 * 1024);
    const big = helmApplication(props({ largestCrdJsonBytes: CLIENT_SIDE_APPLY_LIMIT_BYTES + 1 })) as any;
    expect(big.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    const small = helmApplication(props({ largestCrdJsonBytes: CLIENT_SIDE_APPLY_LIMIT_BYTES })) as any;
    expect(small.spec.syncPolicy.syncOptions).not.toContain('ServerSideApply=true');
  });

  test('the recorded size of cert-manager\'s largest CRD is that of the v1.21.1 CRDs in ../shared/crds/cert-manager, under the limit', () => {
    const dir = sharedPath('crds', 'cert-manager');
    const sizes = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => JSON.stringify(parse(fs.readFileSync(path.join(dir, f), 'utf8'))).length);
    expect(Math.max(...sizes)).toBe(VERSIONS.certManager.largestCrdJsonBytes);
    expect(Math.max(...sizes)).toBeLessThan(CLIENT_SIDE_APPLY_LIMIT_BYTES);
  });

  test('the validation gate rejects a Helm-source Application in the output with a range or no targetRevision, naming the field', () => {
    const app = helmApplication(props()) as any;
    const entry = (source: Record<string, unknown>) => ({ file: 'dist/edge/argocd/application-lab-edge-demo.yaml', cluster: 'edge', object: { ...app, spec: { ...app.spec, source } } });
    const { targetRevision: _pinned, ...unpinned } = app.spec.source;
    void _pinned;
    const ranged = validateEntries([entry({ ...app.spec.source, targetRevision: '^1.2.0' })], { schemas: referenceSchemas() });
    expect(ranged).toEqual([expect.objectContaining({ pointer: '/spec/source/targetRevision', message: expect.stringContaining('"^1.2.0" is not one exact version of chart demo') })]);
    const missing = validateEntries([entry(unpinned)], { schemas: referenceSchemas() });
    expect(missing).toEqual([expect.objectContaining({ pointer: '/spec/source/targetRevision', message: expect.stringContaining('chart demo has no targetRevision') })]);
    // A Git source (no chart) follows a branch legitimately: not a finding.
    expect(validateEntries([entry({ repoURL: 'https://git.example.com/x.git', targetRevision: 'HEAD', path: 'dist/edge/x' })], {})).toEqual([]);
  });
});
