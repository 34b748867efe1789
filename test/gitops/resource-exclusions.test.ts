import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import {
  ARGOCD_DEFAULT_EXCLUSIONS,
  ArgoExclusions,
  checkExcludedObjects,
  DEFAULT_ARGO_EXCLUSIONS,
  Entry,
  escapeGlob,
  exclusionsFromPatch,
  isExcluded,
  RESOURCE_EXCLUSIONS_PATCH_FILE,
  runCli,
  synthesize,
  ValidationError,
} from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { ROOT, sharedPath } from '../support/shared';
import { referenceSchemas, synthChecked } from '../support/synth';
import { captureIO, tmpDir } from '../support/tmp';

const HUB = 'https://kubernetes.default.svc';
const LINE1 = 'https://line-1.factory.example:6443';
const SLICE = 'dist/line-1/iomt/endpointslice-camera-device.yaml';

/** The demo's output as the gates see it (files under dist/, the bootstrap under argocd/). */
function entriesOf(r: ReturnType<typeof synthChecked>): Entry[] {
  return [...r.files].filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => ({ file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }));
}

describe('Argo CD resource exclusions: the EndpointSlices of things on devices are applied', () => {
  const demo = synthChecked(demoStack());

  test("Argo CD's matching, as filtered_resource.go: groups and clusters by glob, kinds exact or *, an empty list matches all", () => {
    expect(isExcluded(ARGOCD_DEFAULT_EXCLUSIONS, 'discovery.k8s.io', 'EndpointSlice', LINE1)).toBe(true);
    expect(isExcluded(ARGOCD_DEFAULT_EXCLUSIONS, '', 'Endpoints', HUB)).toBe(true);
    expect(isExcluded(ARGOCD_DEFAULT_EXCLUSIONS, '', 'Service', HUB)).toBe(false);
    expect(isExcluded(ARGOCD_DEFAULT_EXCLUSIONS, 'cert-manager.io', 'Certificate', HUB)).toBe(false);
    expect(isExcluded([{ apiGroups: ['*.k8s.io'], kinds: ['EndpointSlice'], clusters: ['https://line-*'] }], 'discovery.k8s.io', 'EndpointSlice', LINE1)).toBe(true);
    expect(isExcluded([{ apiGroups: ['*.k8s.io'], kinds: ['EndpointSlice'], clusters: ['https://line-*'] }], 'discovery.k8s.io', 'EndpointSlice', HUB)).toBe(false);
    expect(isExcluded([{ apiGroups: [], kinds: ['Endpoint*'] }], '', 'EndpointSlice', HUB)).toBe(false); // kinds are not globs
    expect(isExcluded([{ apiGroups: [], kinds: ['*'] }], 'apps', 'Deployment', HUB)).toBe(true);
    // gobwas/glob syntax: classes, alternatives, escapes; a server URL is written escaped, so an IPv6 literal matches itself.
    const on = (c: string, server: string) => isExcluded([{ apiGroups: ['*'], kinds: ['*'], clusters: [c] }], 'discovery.k8s.io', 'EndpointSlice', server);
    expect([on('https://{hub,line-1}.x', 'https://line-1.x'), on('https://[!h]ub', 'https://hub'), on('https://[fd00::1]:6443', 'https://[fd00::1]:6443')]).toEqual([true, false, false]);
    expect(escapeGlob('https://[fd00::1]:6443')).toBe('https://\\[fd00::1\\]:6443');
    expect(on(escapeGlob('https://[fd00::1]:6443'), 'https://[fd00::1]:6443')).toBe(true);
  });

  test('the demo writes the patch: the default list, with EndpointSlice synced on line-1, whose camera runs on a device', () => {
    const text = demo.bootstrap.get(RESOURCE_EXCLUSIONS_PATCH_FILE)!;
    expect(text).toContain(`EndpointSlice synced on ${LINE1}`);
    expect(text).toContain(`kubectl -n argocd patch configmap argocd-cm --type merge --patch-file argocd/${RESOURCE_EXCLUSIONS_PATCH_FILE}`);
    expect(Object.keys(parse(text))).toEqual(['data']); // a merge patch, not an argocd-cm object
    const x = exclusionsFromPatch(text, 'p') as ArgoExclusions;
    expect(isExcluded(x.rules, 'discovery.k8s.io', 'EndpointSlice', LINE1)).toBe(false);
    expect(isExcluded(x.rules, 'discovery.k8s.io', 'EndpointSlice', HUB)).toBe(true);
    // Everything else Argo CD excludes by default stays excluded on both clusters.
    for (const r of ARGOCD_DEFAULT_EXCLUSIONS) {
      for (const g of r.apiGroups) {
        for (const k of r.kinds) {
          if (k === 'EndpointSlice' || (g === 'discovery.k8s.io' && k === 'Endpoints') || (g === '' && k === 'EndpointSlice')) continue;
          for (const server of [HUB, LINE1]) expect({ g, k, server, excluded: isExcluded(x.rules, g, k, server) }).toEqual({ g, k, server, excluded: true });
        }
      }
    }
    expect(fs.readFileSync(path.join(ROOT, 'argocd', RESOURCE_EXCLUSIONS_PATCH_FILE), 'utf8')).toBe(text);
  });

  test("with Argo CD's default exclusions, the gate finds the device thing's EndpointSlice, naming its Service and the fix", () => {
    const entries = entriesOf(demo);
    expect(checkExcludedObjects(entries, 'dist', exclusionsFromPatch(demo.bootstrap.get(RESOURCE_EXCLUSIONS_PATCH_FILE)!, 'p') as any)).toEqual([]);
    const found = checkExcludedObjects(entries, 'dist', DEFAULT_ARGO_EXCLUSIONS);
    expect(found).toEqual([
      {
        file: SLICE,
        pointer: '',
        message: `Argo CD v3.5.1's default resource.exclusions (the argocd-cm its install manifests ship) exclude discovery.k8s.io/EndpointSlice on ${LINE1}: Argo CD never applies this object, and its Application still reports Synced (Service camera gets no endpoints); fix: merge argocd/${RESOURCE_EXCLUSIONS_PATCH_FILE}, which edgewatt synth writes, into argocd-cm, or drop that exclusion from yours`,
      },
    ]);
    // A tree without Applications (gitops off) is not Argo CD's to sync.
    expect(checkExcludedObjects(entries.filter((e) => e.object.kind !== 'Application'), 'dist', DEFAULT_ARGO_EXCLUSIONS)).toEqual([]);
  });

  test('in applicationset mode (no folder Applications) the gate takes each cluster folder\'s server from the stack', () => {
    const a = clone(demoStack()) as any;
    a.gitops.mode = 'applicationset';
    const entries = entriesOf(synthChecked(a));
    expect(entries.some((e) => e.object.kind === 'Application' && e.file.startsWith('dist/'))).toBe(false);
    expect(checkExcludedObjects(entries, 'dist', DEFAULT_ARGO_EXCLUSIONS)).toEqual([]); // no servers known: nothing to judge
    const servers = new Map([['hub', HUB], ['line-1', LINE1]]);
    expect(checkExcludedObjects(entries, 'dist', { ...DEFAULT_ARGO_EXCLUSIONS, servers }).map((f) => f.file)).toEqual([SLICE]);
  });

  test('a patch that is not a list of exclusions is a finding', () => {
    expect(exclusionsFromPatch('data:\n  resource.exclusions: "nope"\n', 'argocd/x.yaml')).toMatchObject({ file: 'argocd/x.yaml', pointer: '/data/resource.exclusions', message: expect.stringMatching(/is not a list of resource exclusions/) });
    expect(exclusionsFromPatch('data:\n  resource.exclusions: |\n    - kinds: [1]\n', 'argocd/x.yaml')).toHaveProperty('message');
  });

  test('no patch without EndpointSlices, and one in applicationset mode too', () => {
    const s = clone(demoStack()) as any;
    for (const t of s.iomt.pipelines[0].things) delete t.device;
    expect([...synthChecked(s).bootstrap.keys()].filter((f) => f.startsWith('argocd-cm/'))).toEqual(['argocd-cm/application-health-check.yaml']);
    const a = clone(demoStack()) as any;
    a.gitops.mode = 'applicationset';
    expect([...synthChecked(a).bootstrap.keys()].filter((f) => f.startsWith('argocd-cm/'))).toEqual([RESOURCE_EXCLUSIONS_PATCH_FILE]);
  });

  test('edgewatt validate reads the patch beside the tree: without it, the default excludes the slice (exit 1)', async () => {
    const root = tmpDir();
    fs.cpSync(path.join(ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'argocd'), path.join(root, 'argocd'), { recursive: true });
    const dist = path.join(root, 'dist');
    const run = async () => {
      const c = captureIO();
      const code = await runCli(['validate', dist, '--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')], c.io);
      return { code, err: c.err() };
    };
    expect((await run()).code).toBe(0);
    const patch = path.join(root, 'argocd', RESOURCE_EXCLUSIONS_PATCH_FILE);
    // The patch edited to exclude EndpointSlice on line-1 too.
    const text = fs.readFileSync(patch, 'utf8');
    expect(text).toContain(`      clusters:\n        - ${HUB}\n`);
    fs.writeFileSync(patch, text.replace(`      clusters:\n        - ${HUB}\n`, `      clusters:\n        - ${HUB}\n        - ${LINE1}\n`));
    const edited = await run();
    expect(edited.code).toBe(1);
    expect(edited.err).toContain('validation failed (1 problem)');
    expect(edited.err).toMatch(new RegExp(`${dist}/line-1/iomt/endpointslice-camera-device.yaml: the resource.exclusions of \\S*argocd/argocd-cm/resource-exclusions.yaml exclude discovery.k8s.io/EndpointSlice on ${LINE1.replace(/[.]/g, '\\.')}`));
    // The edited patch is the cause: the fix is to regenerate it, not to merge it.
    expect(edited.err).toMatch(/fix: regenerate \S*argocd\/argocd-cm\/resource-exclusions.yaml with edgewatt synth, and merge it into argocd-cm/);
    fs.rmSync(patch);
    const without = await run();
    expect(without.code).toBe(1);
    expect(without.err).toContain(`${dist}/line-1/iomt/endpointslice-camera-device.yaml: Argo CD v3.5.1's default resource.exclusions`);
  });

  test('the error a library user sees is a ValidationError naming the slice', () => {
    // validate() with the default exclusions, as a stack whose bootstrap lost its patch would be judged.
    let error: unknown;
    try {
      synthesize(demoStack(), { validation: { schemas: referenceSchemas(), argocdExclusions: DEFAULT_ARGO_EXCLUSIONS } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual([SLICE]);
  });
});
