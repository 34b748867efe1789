import { credentialIn, findCredentials } from '../../lib/core/credentials';
import { checkSecrets } from '../../lib/validate/secrets';

/**
 * The output scan's detector on credentials in unusual places. credentialIn rules out most strings with one
 * literal pre-test before its patterns run, and findCredentials walks with one shared path: these cases fail
 * if either drops a credential or names the wrong place.
 */

/** One value of every shape credentialIn knows, each with its description. */
const SHAPES: Array<[string, string]> = [
  ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', 'a PEM private key'],
  ['-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----', 'a PEM private key'],
  ['id=AKIAIOSFODNN7EXAMPLE;', 'an AWS access key id'],
  ['ASIAIOSFODNN7EXAMPLE', 'an AWS access key id'],
  ['Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'a JSON Web Token'],
  ['users:\n- user:\n    token: abcdefghijklmnopqrstuvwxyz', 'kubeconfig credentials'],
  ['  client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t', 'kubeconfig credentials'],
  ['apiVersion: v1\nkind: Config\nusers:\n- name: admin\n', 'a kubeconfig'],
  ['gho_' + 'a1B2c3D4e5F6g7H8i9J0', 'a GitHub or GitLab token'],
  ['github_pat_' + '11ABCDEFG0123456789_abcdef', 'a GitHub or GitLab token'],
  ['glpat-x glpat_' + 'Zz9Yy8Xx7Ww6Vv5Uu4', 'a GitHub or GitLab token'],
  ['xoxp-' + '1234567890-abcdef', 'a Slack token'],
  ['https://hooks.slack.com/services/' + 'T0000/B0000/' + 'abcdefghijklmnop1234', 'a Slack webhook URL'],
  ['sk_live_' + '0123456789abcdefABCD', 'a Stripe secret key'],
  ['AIza' + 'SyA1234567890abcdefghijklmnopqrstuv', 'a Google API key'],
  ['postgres://app:s3cret@db.example:5432/app', 'credentials in a URL (user information before @)'],
  ['see HTTPS://deploy@git.example.com/org/repo', 'credentials in a URL (user information before @)'],
];

describe('credentialIn: every shape is still found (the literal pre-test drops none)', () => {
  test.each(SHAPES)('%s', (value, what) => {
    expect(credentialIn(value)).toBe(what);
  });

  test('strings without a credential, including near misses, are not flagged', () => {
    for (const v of ['ssh://git@git.example.com/org/repo.git', 'git@github.com:org/repo', 'https://git.example.com/org/repo', 'token', 'AKIA', 'eyJhbGciOi', 'a_b_c', 'kind: Config\n', 'ghp_short']) {
      expect(credentialIn(v)).toBeUndefined();
    }
  });
});

describe('findCredentials walks every string, naming its path', () => {
  test('in nested arrays, maps of arrays and env pairs', () => {
    const root = {
      a: [[['x', 'postgres://u:p@h/db']], { b: [{ c: ['AKIAIOSFODNN7EXAMPLE'] }] }],
      env: [
        { name: 'CONFIG', value: 'x' },
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'SIGNING_AUTH', value: 'Zk9xR2VkN3B1cTlhWmIxY2Q0ZTVmNmc3aDhpOWo' },
        { name: 'API_TOKEN', value: '$(API_TOKEN)' },
        { name: 'password', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      ],
      deep: { list: [{ apiToken: 'AKIAIOSFODNN7EXAMPLE' }, { 'client-secret': 'abc' }, { authHeader: 'short' }] },
    };
    const hits = findCredentials(root).map((h) => [h.path.join('/'), h.what]);
    expect(hits).toEqual([
      ['a/0/0/1', 'holds credentials in a URL (user information before @)'],
      ['a/1/b/0/c/0', 'holds an AWS access key id'],
      ['env/1/value', 'DB_PASSWORD is a credential given as a literal value'],
      ['env/2/value', 'SIGNING_AUTH is a credential given as a literal value'],
      ['deep/list/0/apiToken', 'holds an AWS access key id'],
      ['deep/list/1/client-secret', 'client-secret is a credential given as a literal value'],
    ]);
    // Each hit has its own path (the walk's shared path array is copied).
    const paths = findCredentials(root).map((h) => h.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  test('a pruned subtree is not read; the rest is', () => {
    const root = { data: { password: 'x' }, meta: { password: 'y' } };
    expect(findCredentials(root, (p) => p.length === 1 && p[0] === 'data').map((h) => h.path)).toEqual([['meta', 'password']]);
  });

  test('the output scan finds each shape anywhere in an object, by pointer', () => {
    const object = {
      apiVersion: 'example.com/v1',
      kind: 'Anything',
      metadata: { name: 'a', annotations: { 'x/y': SHAPES[0][0] } },
      spec: { items: SHAPES.map(([v]) => ({ nested: [[v]] })) },
    };
    const got = checkSecrets([{ file: 'f.yaml', cluster: 'c', object }]).map((f) => `${f.pointer}: ${f.message.split(':')[0]}`);
    expect(got).toEqual([`/metadata/annotations/x~1y: holds ${SHAPES[0][1]}`, ...SHAPES.map(([, what], i) => `/spec/items/${i}/nested/0/0: holds ${what}`)]);
  });
});
