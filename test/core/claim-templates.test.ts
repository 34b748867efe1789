import { parse } from 'yaml';
import { withTypedClaimTemplates } from '../../lib/core/claim-templates';
import { demoStack } from '../support/stacks';
import { synthChecked } from '../support/synth';

/**
 * Claim templates written with apiVersion and kind, as the API server stores them: with ServerSideApply=true,
 * Argo CD's structured-merge diff of the atomic volumeClaimTemplates list would otherwise never be in sync (found by
 * a review against Argo CD's and Kubernetes' source).
 */
describe('StatefulSet claim templates', () => {
  test('every StatefulSet of the demo stack types each claim template, and passes the strict schema gate', () => {
    const r = synthChecked(demoStack());
    const sets = [...r.files].filter(([f]) => /\/statefulset-[^/]+\.yaml$/.test(f)).map(([f, text]) => [f, parse(text)] as const);
    expect(sets.length).toBeGreaterThanOrEqual(6);
    for (const [f, o] of sets) {
      for (const c of o.spec.volumeClaimTemplates ?? []) expect([f, c.apiVersion, c.kind]).toEqual([f, 'v1', 'PersistentVolumeClaim']);
    }
  });

  test('typed templates, other kinds and StatefulSets without claims are left as they are', () => {
    const typed = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'd' } }] } };
    expect(withTypedClaimTemplates(typed as never)).toBe(typed);
    const none = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: {} };
    expect(withTypedClaimTemplates(none as never)).toBe(none);
    const bare = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'd' } }] } };
    expect((withTypedClaimTemplates(bare as never) as unknown as typeof typed).spec.volumeClaimTemplates).toEqual([{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'd' } }]);
    expect(bare.spec.volumeClaimTemplates[0]).toEqual({ metadata: { name: 'd' } }); // not changed in place
  });
});
