import { checkSecrets, findingsToProblems } from '../../lib/internal';
import { compliantApp, container, entries } from '../support/objects';

function messages(objects: any[]): string[] {
  return findingsToProblems(checkSecrets(entries(objects))).map((p) => `${p.path}: ${p.message}`).sort();
}

const FIX = 'keep it in a Secret created outside Git (or a SealedSecret/ExternalSecret) and reference it';

describe('no secrets in Git', () => {
  test('the compliant baseline passes', () => {
    expect(messages(compliantApp())).toEqual([]);
  });

  test('fails on env values that are credentials, by name or by content', () => {
    const app = compliantApp();
    container(app).env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'CONFIG', value: 'x' },
      { name: 'SESSION', value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
    ];
    expect(messages(app)).toEqual([
      `dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/env/0/value: DB_PASSWORD is a credential given as a literal value: ${FIX} with valueFrom.secretKeyRef (secret-in-git)`,
      `dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/env/2/value: holds a JSON Web Token: ${FIX} with valueFrom.secretKeyRef (secret-in-git)`,
    ]);
  });

  test('fails on ConfigMap entries that are credentials and on kubeconfig-like content', () => {
    const app = compliantApp();
    app[2].data = {
      MODE: 'edge',
      'api-key': 'abc123',
      'tls.key': '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n',
      kubeconfig: 'apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: admin\n  user:\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==\n',
      'aws.env': 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
    };
    expect(messages(app)).toEqual([
      `dist/edge/app/configmap-web-config.yaml: /data/api-key: is named like a credential and has a value: ${FIX} (secret-in-git)`,
      `dist/edge/app/configmap-web-config.yaml: /data/aws.env: holds an AWS access key id: ${FIX} (secret-in-git)`,
      `dist/edge/app/configmap-web-config.yaml: /data/kubeconfig: holds kubeconfig credentials: ${FIX} (secret-in-git)`,
      `dist/edge/app/configmap-web-config.yaml: /data/tls.key: holds a PEM private key: ${FIX} (secret-in-git)`,
    ]);
  });
});
