import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTree, synthesize } from '../../lib/internal';
import { ROOT } from '../support/shared';

/**
 * The package as a user gets it: `npm pack`, then a fresh project outside the repository (so nothing resolves to
 * the repository's node_modules) laid out as `cdk8s init typescript-app` makes it (cdk8s-team/cdk8s-cli
 * templates/typescript-app/.hooks.sscaff.js and tsconfig.json: cdk8s ^2.70.104 and constructs ^10.8.1 as
 * cdk8s-cli 2.207.60 pins them, @types/node 14, the stock tsconfig — strict, module CommonJS, lib es2016, no
 * skipLibCheck). The template's TypeScript 4.9.5 cannot compile constructs 10.8 itself (TS1383 on its
 * `export type *`), so TypeScript is the version this project supports and builds with (~5.9).
 * Then `npm install` of the tarball from the registry, `tsc` under module commonjs and node16, run.
 * The construct path's output must equal synthesize() of the same stack, and a bad stack must fail listing every
 * problem. Needs the build (`npm test` runs `tsc -p .` first) and the npm registry.
 */
const STACK = {
  name: 'lab',
  gitops: { repoURL: 'https://git.example.com/platform/lab.git' },
  clusters: [{ name: 'edge' }, { name: 'site-2' }],
  energy: {},
  monitoring: {
    cluster: 'edge',
    // site-2's agent writes to the hub: its transport and credentials are declared (Secrets made outside Git).
    receiver: { exposure: { transport: 'mcs', remotePodCIDRs: ['10.52.0.0/16'] }, auth: { webConfigSecret: 'prometheus-web', passwordSecret: { name: 'remote-write' } } },
  },
  dashboards: {},
};

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ['es2016'],
    module: 'CommonJS',
    noEmit: false,
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: 'ES2017',
  },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
};

const MAIN = `import { App } from 'cdk8s';
import { EdgewattStack, StackProps, SpecError } from 'edgewatt';

declare const process: { argv: string[]; exitCode?: number };
const stack: StackProps = ${JSON.stringify(STACK)};
const mode = process.argv[2];
const app = new App({ outdir: 'dist' });
try {
  if (mode === 'bad-props') {
    new EdgewattStack(app, 'lab', { name: 'Lab', clusters: [{ name: 'edge', platform: 'k3s' }, { name: 'Edge' }] });
  } else {
    new EdgewattStack(app, 'lab', mode === 'bad-refs' ? { ...stack, monitoring: { cluster: 'nowhere' }, dashboards: { cluster: 'elsewhere' } } : stack);
  }
  app.synth();
} catch (e) {
  console.log(e instanceof SpecError ? 'SpecError ' + e.problems.length : 'Error');
  console.log((e as Error).message);
  process.exitCode = 1;
}
`;

function run(cmd: string, args: string[], cwd: string, timeout = 90_000): string {
  try {
    return exec(cmd, args, cwd, timeout);
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw Object.assign(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`), { status: (e as { status?: number }).status, stdout: err.stdout });
  }
}

function exec(cmd: string, args: string[], cwd: string, timeout: number): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
}

describe('a cdk8s app that installs the packed package', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'build/lib/index.js'))) throw new Error('build/ is missing: run `npx tsc -p .` (npm test does) first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-consumer-'));
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as Array<{ filename: string }>;
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        version: '1.0.0',
        private: true,
        license: 'Apache-2.0',
        dependencies: { cdk8s: '^2.70.104', constructs: '^10.8.1', edgewatt: `file:../${packed[0].filename}` },
        devDependencies: { typescript: '~5.9.3', '@types/node': '^14' },
      }),
    );
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    const node16 = { ...CONSUMER_TSCONFIG, compilerOptions: { ...CONSUMER_TSCONFIG.compilerOptions, module: 'node16', moduleResolution: 'node16', noEmit: true } };
    fs.writeFileSync(path.join(app, 'tsconfig.node16.json'), JSON.stringify(node16));
    fs.writeFileSync(path.join(app, 'main.ts'), MAIN);
    // README's "Library API" example is compiled with the same tsconfigs (not run: it names schema files).
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const example = /## Library API[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
    if (!example) throw new Error('README.md has no ts example under "Library API"');
    fs.writeFileSync(path.join(app, 'readme-example.ts'), example[1]);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], app, 170_000);
  }, 180_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const app = () => path.join(dir, 'app');
  const node = (arg?: string) => {
    try {
      return { code: 0, out: run(process.execPath, ['main.js', ...(arg ? [arg] : [])], app()) };
    } catch (e) {
      const err = e as { status: number; stdout: string };
      return { code: err.status, out: err.stdout };
    }
  };

  test('installs one copy of cdk8s and constructs, and compiles with strict, no skipLibCheck, module commonjs and node16', () => {
    expect(fs.existsSync(path.join(app(), 'node_modules/edgewatt/node_modules/cdk8s'))).toBe(false);
    expect(fs.existsSync(path.join(app(), 'node_modules/edgewatt/node_modules/constructs'))).toBe(false);
    expect(fs.existsSync(path.join(app(), 'node_modules/edgewatt/LICENSE'))).toBe(true);
    expect(fs.readdirSync(path.join(app(), 'node_modules/edgewatt/build/lib')).filter((f) => f.endsWith('.map'))).toEqual([]);
    run(path.join(app(), 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app());
    run(path.join(app(), 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node16.json'], app());
    expect(fs.existsSync(path.join(app(), 'main.js'))).toBe(true);
    expect(fs.existsSync(path.join(app(), 'readme-example.js'))).toBe(true);
  }, 60_000);

  test('app.synth() writes what synthesize() gives for the same stack', () => {
    const r = node();
    expect(r).toEqual({ code: 0, out: '' });
    const expected = synthesize(STACK as never);
    const text = (m: ReadonlyMap<string, Buffer>) => new Map([...m].map(([k, v]) => [k, v.toString('utf8')]));
    expect(text(readTree(path.join(app(), 'dist')))).toEqual(expected.files);
    expect(text(readTree(path.join(app(), 'argocd')))).toEqual(expected.bootstrap);
  }, 30_000);

  test('a bad stack fails with every problem listed', () => {
    const props = node('bad-props');
    expect(props.code).toBe(1);
    expect(props.out).toMatch(/^SpecError 2\n/);
    expect(props.out).toContain('lab: clusters[1].name: must be a DNS label');
    expect(props.out).toContain('lab: name: must be a DNS label');
    const refs = node('bad-refs');
    // Cross-reference problems come at construction too, with the schema's (as `edgewatt synth` names them).
    expect(refs.code).toBe(1);
    expect(refs.out).toMatch(/^SpecError 2\n/);
    expect(refs.out).toContain('lab: monitoring.cluster: no cluster named "nowhere"');
    expect(refs.out).toContain('lab: dashboards.cluster: no cluster named "elsewhere"');
  }, 30_000);
});
