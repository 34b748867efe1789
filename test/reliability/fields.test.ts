import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { checkNames } from '../../lib/validate/k8s-names';
import { checkTemplates, goTemplateProblem } from '../../lib/validate/templates';
import { fitLabelValue } from '../../lib/core/labels';
import { parseStack, SpecError, synthesize } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { tmpDir } from '../support/tmp';
import { cli, lsnap, stackFile } from './support';

function problems(s: unknown): string[] {
  try {
    parseStack(s);
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

/** Runs promtool on a rule file text; true when it accepts it (promtool is a Debian package, see .ci/run). */
function promtoolAccepts(rulesYaml: string): boolean {
  const f = path.join(tmpDir(), 'rules.yaml');
  fs.writeFileSync(f, rulesYaml);
  try {
    execFileSync('promtool', ['check', 'rules', f], { stdio: 'pipe', timeout: 30000 });
    return true;
  } catch {
    return false;
  }
}

describe('item 4: label values, label and annotation keys, names', () => {
  const long = (c: string) => `${c}${'x'.repeat(62)}`.slice(0, 63);

  test('63-character pipeline and thing names: the instance label is shortened with a stable hash, and synth passes every gate', () => {
    const s = clone(demoStack()) as any;
    const p = s.iomt.pipelines[0];
    const oldThing = p.things[0].name;
    p.name = long('p');
    p.namespace = 'iomt-long';
    p.things[0].name = long('t');
    for (const l of p.links) {
      if (l.from === oldThing) l.from = p.things[0].name;
      if (l.to === oldThing) l.to = p.things[0].name;
    }
    const r = synthesize(s);
    const text = [...r.files.values()].join('\n');
    const want = fitLabelValue(`${p.name}-${p.things[0].name}`);
    expect(want).toHaveLength(63);
    expect(want).toMatch(/^px+-[0-9a-f]{8}$/);
    expect(text).toContain(`app.kubernetes.io/instance: ${want}`);
    expect(fitLabelValue(`${p.name}-${p.things[0].name}`)).toBe(want); // deterministic
    expect(fitLabelValue(`${p.name}-${p.things[0].name}y`)).not.toBe(want);
  });

  test('the gate names every bad label key, label value, annotation key and name', () => {
    const bad = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'Bad_Name', labels: { 'app.kubernetes.io/instance': 'x'.repeat(64), 'bad key!': 'v' }, annotations: { ['a'.repeat(64)]: 'v' } },
      spec: { selector: { matchLabels: { app: 'y'.repeat(70) } }, template: { metadata: { labels: { app: '-bad' } }, spec: {} } },
    };
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's'.repeat(64) }, spec: {} };
    const got = checkNames([{ file: 'f.yaml', cluster: 'c', object: bad as any }, { file: 's.yaml', cluster: 'c', object: svc as any }]).map((f) => `${f.file}: ${f.pointer}: ${f.message}`);
    expect(got).toEqual([
      'f.yaml: /metadata/labels/app.kubernetes.io~1instance: label value is 64 characters: a label value is at most 63: shorten the stack name that it is made of (k8s-names)',
      'f.yaml: /metadata/labels/bad key!: label key must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit (k8s-names)',
      `f.yaml: /metadata/annotations/${'a'.repeat(64)}: annotation key has a name part of 64 characters: it must be 1 to 63 (k8s-names)`,
      'f.yaml: /metadata/name: a Deployment name must be a DNS subdomain (at most 253 characters of lower-case letters, digits and "-" or "."): shorten the stack names it is made of (k8s-names)',
      'f.yaml: /spec/selector/matchLabels/app: selector label is 70 characters: a label value is at most 63 (k8s-names)',
      'f.yaml: /spec/template/metadata/labels/app: label value must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit: shorten the stack name that it is made of (k8s-names)',
      's.yaml: /metadata/name: a Service name must be a DNS label (at most 63 characters of lower-case letters, digits and "-"): shorten the stack names it is made of (k8s-names)',
    ]);
  });
});

describe('item 5: Go template injection', () => {
  test('runbookBaseURL with {{ is rejected at parse time, naming the field', () => {
    const s = clone(demoStack()) as any;
    s.monitoring.runbookBaseURL = 'https://x.example/{{$labels.x}}{{';
    expect(problems(s)).toEqual([expect.stringContaining('monitoring.runbookBaseURL: must not contain "{" or "}"')]);
  });

  test('a repository URL with {{ (it reaches runbook_url annotations) is escaped, and promtool accepts the rules', () => {
    const s = clone(demoStack()) as any;
    s.gitops.repoURL = 'https://git.example.com/org/{{fleet.git';
    const r = synthesize(s);
    const rules = [...r.files].find(([f]) => f.endsWith('configmap-prometheus-rules.yaml'))!;
    const obj = require('yaml').parse(rules[1]);
    const file = Object.entries(obj.data as Record<string, string>).find(([k]) => /\.ya?ml$/.test(k))![1];
    expect(file).toContain('%7B%7Bfleet');
    expect(promtoolAccepts(file)).toBe(true);
  });

  test('the gate parses templates as Prometheus does, and agrees with promtool', () => {
    const cases: Array<[string, boolean]> = [
      ['{{ $labels.instance }} is down', true],
      ['{{ if gt $value 1.0 }}high{{ else }}low{{ end }}', true],
      ['value {{ printf "%.1f" $value }}', true],
      ['https://x.example/{{$labels.x}}{{', false],
      ['{{ "unterminated }}', false],
      ['{{ if true }}no end', false],
      ['{{ (len "x" }}', false],
      ['a }} b', true],
      // Comments are whole actions (found by a new-user trial: they were "empty actions").
      ['#a-{{/* x */}}', true],
      ['#a-{{- /* x */ -}} b', true],
      ['{{/* x */ $labels.x }}', false],
      ['{{/* unclosed', false],
    ];
    for (const [text, ok] of cases) {
      expect([text, goTemplateProblem(text) === undefined]).toEqual([text, ok]);
      const rule = stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', annotations: { summary: text } }] }] });
      expect([text, promtoolAccepts(rule)]).toEqual([text, ok]);
    }
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' }, data: { 'r.yaml': stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', annotations: { runbook_url: 'https://x/{{$labels.x}}{{' } }] }] }) } };
    expect(checkTemplates([{ file: 'f.yaml', cluster: 'c', object: cm as any }]).map((f) => `${f.pointer}: ${f.message}`)).toEqual([
      '/data/r.yaml: groups[0].rules[0].annotations.runbook_url: unclosed action: a "{{" without its "}}": Prometheus and Alertmanager would refuse this template; escape "{{" as {{ "{{" }} or remove it (go-template)',
    ]);
  });
});

describe('item 6: regular expressions are RE2, checked at parse time', () => {
  test.each([
    ['severity=~"(("', 'missing )'],
    ['team!~"a(?=b)"', 'invalid perl operator'],
    ['x=~"(a)\\\\1"', 'invalid escape sequence'],
  ])('matcher %s is rejected naming the field; amtool rejects it too', (matcher, said) => {
    const s = clone(demoStack()) as any;
    s.monitoring.alertmanager = { receivers: [{ name: 'ops', webhook: { url: 'https://hooks.example.com/a' } }], routes: [{ receiver: 'ops', matchers: [matcher] }] };
    const got = problems(s);
    expect(got).toEqual([expect.stringMatching(new RegExp(`^monitoring\\.alertmanager\\.routes\\[0\\]\\.matchers\\[0\\]: has a regular expression Alertmanager cannot compile \\(.*${said.replace(/[()]/g, '\\$&')}.*\\): write RE2 syntax`))]);
    const f = path.join(tmpDir(), 'am.yaml');
    fs.writeFileSync(f, stringify({ route: { receiver: 'null', routes: [{ receiver: 'null', matchers: [matcher.replace(/\\\\/g, '\\')] }] }, receivers: [{ name: 'null' }] }));
    expect(() => execFileSync('amtool', ['check-config', f], { stdio: 'pipe', timeout: 30000 })).toThrow();
  });

  test('RE2 syntax Prometheus accepts passes', () => {
    const s = clone(demoStack()) as any;
    s.monitoring.alertmanager = { receivers: [{ name: 'ops', webhook: { url: 'https://hooks.example.com/a' } }], routes: [{ receiver: 'ops', matchers: ['severity=~"critical|warning"', 'team!~"(?i)ops.*"'] }] };
    expect(problems(s)).toEqual([]);
  });
});

describe('item 11: free-text fields', () => {
  test.each([
    ['iomt.pipelines[0].things[0].gpu.resource', (s: any) => (s.iomt.pipelines[0].things[0].gpu = { count: 1, resource: 'nvidia.com/gpu; rm -rf' }), 'must be letters, digits'],
    ['iomt.pipelines[0].things[0].gpu.product', (s: any) => (s.iomt.pipelines[0].things[0].gpu = { count: 1, product: 'Tesla T4 "x"' }), '(a Kubernetes label value)'],
    ['iomt.pipelines[0].things[0].healthPath', (s: any) => (s.iomt.pipelines[0].things[0].healthPath = '/health z\n'), 'must be a URL path'],
    ['gitops.targetRevision', (s: any) => (s.gitops.targetRevision = 'main\u0007 --force'), 'must be a branch, tag or commit'],
    ['fleet.workloads[0].metrics.path', (s: any) => (s.fleet.workloads = [{ name: 'w', image: 'registry.example/w:1.0.0', devices: [s.fleet.devices[0].name], metrics: { port: 9100, path: '/m etrics' } }]), 'must be a URL path'],
  ])('%s', (field, set, said) => {
    const s = clone(demoStack()) as any;
    set(s);
    expect(problems(s)).toEqual([expect.stringContaining(`${field}: `)]);
    expect(problems(s)[0]).toContain(said);
  });

  test('a synth with such a field exits 2 and leaves the tree byte-identical', async () => {
    const dir = tmpDir();
    const dist = path.join(dir, 'dist');
    const ok = clone(demoStack()) as any;
    expect((await cli('synth', '-c', stackFile(dir, 'ok', ok), '-o', dist)).code).toBe(0);
    const before = lsnap(dir);
    ok.gitops.targetRevision = 'main branch';
    const f = stackFile(dir, 'bad', ok);
    const r = await cli('synth', '-c', f, '-o', dist);
    expect(r.code).toBe(2);
    expect(r.err).toContain('gitops.targetRevision: must be a branch, tag or commit');
    fs.rmSync(f);
    expect(lsnap(dir)).toEqual(before);
  });
});
