import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { healthCheckPatchCommand, KubeObject, retryBudgetSeconds, skipDryRunForExternalCrds, StackInput, synthesize } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { ROOT, sharedPath } from '../support/shared';
import { objectAt, synthChecked } from '../support/synth';

const HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';
const PATCH_FILE = 'argocd-cm/application-health-check.yaml';

/** A JSON value as a Lua table constructor. */
function lua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(lua).join(',')}}`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${JSON.stringify(k)}]=${lua(x)}`).join(',')}}`;
}

/** Runs an Argo CD health script on `obj` with the real Lua interpreter (Debian lua5.4; .ci/run installs it). */
function runHealth(script: string, obj: unknown): { status: string; message: string } {
  if (spawnSync('sh', ['-c', 'command -v lua5.4']).status !== 0) throw new Error('lua5.4 is not installed: .ci/run installs it (Debian package lua5.4)');
  const harness = `obj = ${lua(obj)}\nlocal hs = load(${JSON.stringify(script)})()\nio.write(hs.status, "\\n", hs.message)`;
  const r = spawnSync('lua5.4', ['-'], { input: harness, encoding: 'utf8', timeout: 10_000 });
  expect(r.stderr).toBe('');
  const [status, message] = r.stdout.split('\n');
  return { status, message };
}

/** API groups the Kubernetes API itself serves (from the reference OpenAPI document). */
function builtinGroups(): Set<string> {
  const doc = JSON.parse(fs.readFileSync(sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), 'utf8'));
  const groups = new Set<string>();
  for (const d of Object.values(doc.definitions as Record<string, any>)) for (const g of d['x-kubernetes-group-version-kind'] ?? []) groups.add(g.group);
  return groups;
}

describe('Sync waves that wait', () => {
  const demo = synthChecked(demoStack());

  test('the bootstrap carries the Application health check as a merge patch of argocd-cm, never as an argocd-cm object', () => {
    const text = demo.bootstrap.get(PATCH_FILE);
    expect(text).toBeDefined();
    const patch = parse(text!);
    // Only data: applying it can never replace the user's argocd-cm, and `kubectl apply -f argocd/` does not see it (subfolder).
    expect(Object.keys(patch)).toEqual(['data']);
    expect(Object.keys(patch.data)).toEqual([HEALTH_KEY]);
    expect(PATCH_FILE.includes('/')).toBe(true);
    for (const [f, t] of demo.bootstrap) if (f !== PATCH_FILE) expect(parse(t).kind).not.toBe('ConfigMap');
    // The documented command is in the file, and the README gives the same one.
    const command = healthCheckPatchCommand('argocd');
    expect(text).toContain(command);
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(command);
  });

  test('the health check reports a child Application\'s own health, and Progressing until it has one (run with Lua)', () => {
    const script = parse(demo.bootstrap.get(PATCH_FILE)!).data[HEALTH_KEY];
    expect(runHealth(script, { status: { health: { status: 'Healthy' } } })).toEqual({ status: 'Healthy', message: '' });
    expect(runHealth(script, { status: { health: { status: 'Degraded', message: 'Deployment cert-manager-webhook: 0/1 available' } } })).toEqual({
      status: 'Degraded',
      message: 'Deployment cert-manager-webhook: 0/1 available',
    });
    expect(runHealth(script, { metadata: { name: 'x' } })).toEqual({ status: 'Progressing', message: '' });
    expect(runHealth(script, { status: { sync: { status: 'Synced' } } })).toEqual({ status: 'Progressing', message: '' });
  });

  test('opting out (gitops.applicationHealthCheck: false) writes no patch; applicationset mode, which has no waves, neither', () => {
    const base = { name: 'lab', clusters: [{ name: 'edge' }], fleet: {} };
    const off = synthesize({ ...base, gitops: { repoURL: 'https://git.example.com/lab.git', applicationHealthCheck: false } } as StackInput);
    expect([...off.bootstrap.keys()].filter((f) => f.includes('argocd-cm'))).toEqual([]);
    const set = synthesize({ ...base, gitops: { repoURL: 'https://git.example.com/lab.git', mode: 'applicationset' } } as StackInput);
    expect([...set.bootstrap.keys()].filter((f) => f.includes('argocd-cm'))).toEqual([]);
  });

  test('every custom resource whose CRD comes from another Application carries SkipDryRunOnMissingResource; built-in kinds do not', () => {
    const builtin = builtinGroups();
    const emittedCrdGroups = new Set<string>();
    const objects = [...demo.files].filter(([f]) => f.endsWith('.yaml')).map(([f, t]) => ({ f, o: parse(t) }));
    for (const { o } of objects) if (o.kind === 'CustomResourceDefinition') emittedCrdGroups.add(o.spec.group);
    let custom = 0;
    for (const { f, o } of objects) {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      const options = String(o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',');
      if (f.includes('/argocd/')) continue; // Argo CD's own CRDs are on its cluster before anything syncs.
      if (!builtin.has(group) && !emittedCrdGroups.has(group)) {
        custom++;
        expect({ f, options }).toEqual({ f, options: expect.arrayContaining(['SkipDryRunOnMissingResource=true']) });
      } else {
        expect({ f, options }).toEqual({ f, options: expect.not.arrayContaining(['SkipDryRunOnMissingResource=true']) });
      }
    }
    expect(custom).toBeGreaterThanOrEqual(5); // the demo's Flotta objects at least
  });

  test('the annotation covers Flotta, cert-manager, Prometheus Operator and MCS kinds, keeping other sync options', () => {
    const o = (apiVersion: string, kind: string, annotations?: Record<string, string>): KubeObject => ({ apiVersion, kind, metadata: { name: 'x', namespace: 'y', ...(annotations ? { annotations } : {}) } });
    const [m] = skipDryRunForExternalCrds([
      {
        cluster: 'hub',
        component: 'x',
        objects: [
          o('cert-manager.io/v1', 'Certificate'),
          o('monitoring.coreos.com/v1', 'PodMonitor', { 'argocd.argoproj.io/sync-options': 'Prune=false' }),
          o('monitoring.coreos.com/v1', 'PrometheusRule'),
          o('multicluster.x-k8s.io/v1alpha1', 'ServiceExport'),
          o('management.project-flotta.io/v1alpha1', 'EdgeDeviceSet', { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' }),
          o('apps/v1', 'Deployment'),
          o('v1', 'Service'),
        ],
      },
    ]);
    expect(m.objects.map((x) => x.metadata.annotations?.['argocd.argoproj.io/sync-options'])).toEqual([
      'SkipDryRunOnMissingResource=true',
      'Prune=false,SkipDryRunOnMissingResource=true',
      'SkipDryRunOnMissingResource=true',
      'SkipDryRunOnMissingResource=true',
      'SkipDryRunOnMissingResource=true',
      undefined,
      undefined,
    ]);
  });

  test('every Application retries long enough for the slowest operator start-up the waves wait on', () => {
    // flotta-operator v0.2.0 config/edge-api/server.yaml: startupProbe failureThreshold 30 x periodSeconds 10.
    const edgeApiStartup = 30 * 10;
    // cert-manager v1.21.1 values.yaml: startupapicheck.timeout 1m, backoffLimit 4 (5 tries), a PostSync hook.
    const certManagerApiCheck = 60 * (4 + 1);
    const all = [...demo.files.keys()].filter((f) => /\/argocd\/application-/.test(f)).map((f) => objectAt(demo, f));
    all.push(...[...demo.bootstrap].filter(([f]) => f.startsWith('application-')).map(([, t]) => parse(t)));
    for (const a of all) {
      const retry = a.spec.syncPolicy.retry;
      expect(retryBudgetSeconds(retry)).toBeGreaterThanOrEqual(edgeApiStartup + certManagerApiCheck);
      // Capped so a fixed problem is retried within minutes.
      expect(retry.backoff.maxDuration).toBe('3m');
    }
    // The old policy (5 tries from 10s) gave up after 310 s: not even both start-ups back to back.
    expect(retryBudgetSeconds({ limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } })).toBe(310);
  });

  test('a large fleet stays within the shard limits with the annotation counted', () => {
    const s = clone(demoStack()) as any;
    s.fleet.devices = Array.from({ length: 1200 }, (_, i) => ({ name: `dev-${String(i).padStart(5, '0')}`, set: 'cameras', address: '10.20.0.11', labels: { site: 'seoul' } }));
    s.iomt.pipelines[0].things[0].device = 'dev-00000';
    s.fleet.powerExporter = false;
    const r = synthesize(s);
    const dev = objectAt(r, [...r.files.keys()].find((f) => /\/edgedevicesignedrequest-dev-00000\.yaml$/.test(f))!);
    expect(dev.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
  });
});
