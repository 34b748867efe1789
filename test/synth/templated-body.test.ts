import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { JsonTemplate } from '../../lib/core/object-digest';
import { requestRenderer } from '../../lib/fleet/request-renderer';
import { BodyStore } from '../../lib/synth/body-store';
import { sortKeys, templatedBody, yamlBody } from '../../lib/synth/serialize';

/** What the `yaml` library writes for `value`, with yamlBody's options (a copy, so no template is involved). */
const library = (value: unknown): string =>
  stringify(sortKeys(JSON.parse(JSON.stringify(value))), { aliasDuplicateObjects: false, lineWidth: 0, minContentWidth: 0 });

/** A device request as the fleet chart renders it (lib/fleet/flotta.ts), generic: keys in cdk8s's order. */
const generic = (name: string, targetSet: string) => ({
  apiVersion: 'management.project-flotta.io/v1alpha1',
  kind: 'EdgeDeviceSignedRequest',
  metadata: {
    annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
    labels: { 'app.kubernetes.io/part-of': 'bench', 'edgewatt.io/device': name },
    name,
    namespace: 'default',
  },
  spec: { approved: true, targetNamespace: 'fleet', targetSet },
});

describe('YAML bodies put together from a template (lib/synth/serialize.ts templatedBody)', () => {
  test('a Kubernetes-like name longer than 5 characters is written plain by the library, wherever it stands', () => {
    // plainSafe's rule, checked against the library itself: such a string goes into a template's hole as it is.
    const plain = fc.stringMatching(/^[a-z][-a-z0-9]{5,40}$/);
    fc.assert(
      fc.property(plain, (s) => {
        expect(library({ s })).toBe(`s: ${s}\n`);
        expect(library({ a: { b: [s] } })).toBe(`a:\n  b:\n    - ${s}\n`);
      }),
      { numRuns: 500 },
    );
  });

  test('requests made by the request renderer get the library\'s bytes, from the template or, for a string not written plain, from the library', () => {
    const render = requestRenderer(generic, 'edgewatt.io/device');
    // The template's first body is compared with the library's: a usual name first, so the later ones test plainSafe.
    const first = render('dev-00001', 'set-001');
    expect(templatedBody(first)).toBe(library(first));
    const tricky = ['true', 'null', 'yes', 'off', 'y', '123', '1e3', '0x1f', '-dev', 'dev: x', 'dev #1', 'Dev-Upper', 'dev.example', 'a', '', '~', "it's", 'two\nlines', '.inf'];
    for (const name of tricky) {
      const o = render(name, 'set-001');
      expect(yamlBody(o)).toBe(library(o));
      const made = templatedBody(o);
      if (made !== undefined) expect(made).toBe(library(o));
    }
    // Names a template takes: letters, digits and '-', from a letter on, longer than 5 characters.
    expect(templatedBody(render('dev-00002', 'set-002'))).toBeDefined();
    expect(templatedBody(render('true', 'set-002'))).toBeUndefined();
    expect(templatedBody(render('dev-00003', 'null'))).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.stringMatching(/^[a-z][-a-z0-9]{0,12}$/), (name, set) => {
        const o = render(name, set);
        expect(yamlBody(o)).toBe(library(o));
      }),
      { numRuns: 300 },
    );
  });

  test('an object not made from a template, or made from one whose probe is not shaped for it, is rendered by the library', () => {
    const plain = generic('dev-1', 'set-1');
    expect(templatedBody(plain)).toBeUndefined();
    expect(yamlBody(plain)).toBe(library(plain));
    // A marker that the library writes quoted: JsonTemplate takes it (JSON writes it as it is), the YAML template not.
    const probe = { metadata: { name: 'true' } };
    const t = JsonTemplate.of(probe, ['true']);
    expect(t).toBeDefined();
    const o = { metadata: { name: 'dev-00001' } };
    t?.mark(o, ['dev-00001']);
    expect(templatedBody(o)).toBeUndefined();
    expect(yamlBody(o)).toBe('metadata:\n  name: dev-00001\n');
  });

  test('a template whose first body differs from the library\'s is given up', () => {
    // A marked object whose content is not what the template says (never so for the request renderer, which marks
    // only what it made from the probe): the first body is checked, and the library renders it and every later one.
    const probe = { metadata: { name: 'edgewatt-probe-7f3a' } };
    const t = JsonTemplate.of(probe, ['edgewatt-probe-7f3a']) as JsonTemplate;
    const wrong = { metadata: { name: 'dev-00001', extra: 'x' } };
    t.mark(wrong, ['dev-00001']);
    expect(templatedBody(wrong)).toBeUndefined();
    expect(yamlBody(wrong)).toBe(library(wrong));
    const right = { metadata: { name: 'dev-00002' } };
    t.mark(right, ['dev-00002']);
    expect(templatedBody(right)).toBeUndefined();
    expect(yamlBody(right)).toBe(library(right));
  });

  test('render.json keeps no body put together from a template, whichever thread made it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-templated-'));
    try {
      const render = requestRenderer(generic, 'edgewatt.io/device');
      const request = render('dev-00007', 'set-007');
      const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
      // The render worker's way (body()) and the main thread's (adopt(), its `made` indexes): neither keeps the request.
      const store = BodyStore.open(dir, 'k');
      expect(store.body(request, 'request-digest')).toBe(library(request));
      expect(store.body(other, 'other-digest')).toBe(library(other));
      store.adopt(['adopted-request', 'adopted-other'], [library(request), library(other)], [0]);
      store.commit();
      const kept = JSON.parse(fs.readFileSync(path.join(dir, 'render.json'), 'utf8')) as { bodies: Record<string, string> };
      expect(Object.keys(kept.bodies).sort()).toEqual(['adopted-other', 'other-digest']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
