import * as fs from 'fs';
import * as path from 'path';
import { findingsToProblems } from '../../lib/validate';
import { schemaCheckFor } from '../../lib/validate/validate';
import { entries } from '../support/objects';
import { sharedPath } from '../support/shared';
import { tmpDir } from '../support/tmp';

/**
 * A process that synthesizes again (`synth --watch`, a library user's loop) checks with the schema files as they are
 * now: the validation cache keys its verdicts by their content, so a SchemaCheck compiled from older files must not
 * be used under the newer key.
 */
describe('schemaCheckFor', () => {
  test('keeps one check while the files stay the same, and loads them again once one changed', () => {
    const crds = path.join(tmpDir(), 'crds');
    fs.cpSync(sharedPath('crds/mcs-api'), crds, { recursive: true });
    const sources = { k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [crds] };
    const exportObject = { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: { name: 'prometheus', namespace: 'monitoring' } };
    const problems = () => findingsToProblems(schemaCheckFor(sources).check(entries([exportObject]))).map((p) => p.message);

    const first = schemaCheckFor(sources);
    expect(schemaCheckFor(sources)).toBe(first);
    expect(problems()).toEqual([]);

    // The ServiceExport CRD taken away: the next check has no schema for the kind, as a fresh process would.
    fs.rmSync(path.join(crds, 'multicluster.x-k8s.io_serviceexports.yaml'));
    expect(schemaCheckFor(sources)).not.toBe(first);
    expect(problems()).toEqual([expect.stringMatching(/^no schema for multicluster\.x-k8s\.io\/v1alpha1 ServiceExport/)]);
  });
});
