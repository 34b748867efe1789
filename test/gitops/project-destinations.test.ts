import { parse } from 'yaml';
import { helmTree, synthesize } from '../../lib/internal';
import { checkGitops } from '../../lib/validate/gitops-check';
import { checkProjectDestinations } from '../../lib/validate/project-destinations';
import { clone, demoStack } from '../support/stacks';
import { referenceSchemas, synthChecked } from '../support/synth';

/**
 * Every Application's destination is one its AppProject permits (argo-cd v3.5.1 isDestinationMatched): a review
 * against Argo CD's source found 11 of the demo's 13 Applications without a destination namespace, which a project
 * without `*` refuses, so nothing edgewatt writes was deployed.
 */
describe('Applications and their AppProject destinations', () => {
  const project = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p' }, spec: { destinations: [{ server: 'https://a', namespace: 'monitoring' }, { server: 'https://b', namespace: 'team-*' }] } };
  const app = (destination: Record<string, string>, project = 'p') => ({ file: 'x.yaml', cluster: 'a', object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x' }, spec: { project, destination } } as never });
  const check = (destination: Record<string, string>) => checkProjectDestinations([{ file: 'p.yaml', cluster: 'a', object: project as never }, app(destination)]).map((f) => f.message);

  test('an empty namespace matches only "*", another namespace or server none; globs match', () => {
    expect(check({ server: 'https://a' })).toEqual([expect.stringMatching(/^destination server "https:\/\/a" and namespace "" match no destination of AppProject p: Argo CD refuses the Application and deploys nothing of it; give the Application a destination namespace the project lists/)]);
    expect(check({ server: 'https://a', namespace: 'kepler' })).toEqual([expect.stringContaining('list that namespace in the project')]);
    expect(check({ server: 'https://c', namespace: 'monitoring' })).toHaveLength(1);
    expect(check({ server: 'https://a', namespace: 'monitoring' })).toEqual([]);
    expect(check({ server: 'https://b', namespace: 'team-x' })).toEqual([]);
    // Left to Argo CD: a templated destination, a cluster by name (resolved from its cluster secrets); a tree without
    // AppProjects.
    expect(check({ server: '{{.server}}' })).toEqual([]);
    expect(check({ name: 'hub' })).toEqual([]);
    expect(checkProjectDestinations([app({ server: 'https://a' }, 'other')])).toEqual([]);
    // A project the tree's bootstrap does not define (a root app-of-apps would deploy it under any project it names).
    expect(checkProjectDestinations([{ file: 'p.yaml', cluster: 'a', object: project as never }, app({ server: 'https://a' }, 'other')])).toEqual([
      { file: 'x.yaml', pointer: '/spec/project', message: expect.stringMatching(/^names AppProject other, which the stack's Argo CD bootstrap does not define \(p\).*fix: set spec.project to the stack's project$/) },
    ]);
    // The GitOps gate runs it over the tree (so synth and synth --check fail on such an Application).
    expect(checkGitops([{ file: 'p.yaml', cluster: 'a', object: project as never }, app({ server: 'https://a' })], 'dist').map((f) => f.message)).toEqual(check({ server: 'https://a' }));
  });

  test('every Application the demo stack gives is permitted by its project; each names its component\'s namespace', () => {
    const r = synthChecked(demoStack());
    const entries = [...r.files, ...r.bootstrap].filter(([f]) => f.endsWith('.yaml')).map(([file, text]) => ({ file, cluster: file.split('/')[0], object: parse(text) }));
    const apps = entries.filter((e) => e.object.kind === 'Application');
    expect(apps.length).toBeGreaterThanOrEqual(13);
    expect(checkProjectDestinations(entries)).toEqual([]);
    // A child Application of a root app-of-apps that names `default` escapes the stack's project: it fails.
    const child = entries.find((e) => e.file === 'hub/argocd/application-smart-factory-hub-energy.yaml')!;
    child.object = { ...child.object, spec: { ...child.object.spec, project: 'default' } };
    expect(checkProjectDestinations(entries).map((f) => `${f.file} ${f.pointer}`)).toEqual(['hub/argocd/application-smart-factory-hub-energy.yaml /spec/project']);
    child.object = { ...child.object, spec: { ...child.object.spec, project: 'smart-factory' } };
    expect(apps.every((e) => typeof e.object.spec.destination.namespace === 'string' && e.object.spec.destination.namespace !== '')).toBe(true);
    expect(parse(r.files.get('hub/argocd/application-smart-factory-hub-monitoring.yaml')!).spec.destination.namespace).toBe('monitoring');
    expect(parse(r.files.get('hub/argocd/application-smart-factory-hub-energy.yaml')!).spec.destination.namespace).toBe('energy');
  });

  test('the chart Applications of synth --format helm are permitted too', () => {
    const tree = helmTree(synthesize(demoStack(), { validation: { schemas: referenceSchemas() } }));
    const entries = [...tree.files, ...tree.bootstrap].filter(([f]) => f.endsWith('.yaml') && !f.includes('/chart/')).map(([file, text]) => ({ file, cluster: file.split('/')[0], object: parse(text) }));
    const charts = entries.filter((e) => e.object.kind === 'Application' && e.object.spec.source?.path?.endsWith('/chart'));
    expect(charts).toHaveLength(2);
    expect(charts.map((e) => e.object.spec.destination.namespace)).toEqual(['dashboards', 'iomt-object-detection']);
    expect(checkProjectDestinations(entries)).toEqual([]);
  });

  test('applicationset mode: each generated Application gets its cluster\'s namespace through the template', () => {
    const s = clone(demoStack()) as any;
    s.gitops.mode = 'applicationset';
    const set = parse(synthChecked(s).bootstrap.get('applicationset-smart-factory.yaml')!);
    expect(set.spec.template.spec.destination).toEqual({ name: '{{index .path.segments 1}}', namespace: '{{ get (dict "hub" "dashboards" "line-1" "iomt-object-detection") (index .path.segments 1) }}' });
  });
});
