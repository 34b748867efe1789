import Ajv, { ValidateFunction } from 'ajv';

/** A Kubernetes quantity: `500m`, `1Gi`, `2`, `1e3`. */
export const QUANTITY = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][-+]?[0-9]+)?$/;

/**
 * Compiles the patterns of Kubernetes schemas, which are Go RE2 syntax: a leading `(?i)` (also after `^`) becomes the `i` flag
 * (JavaScript has no inline flags).
 */
function re2Compatible(source: string, flags: string): RegExp {
  const m = /^(\^?)\(\?([ims]+)\)/.exec(source);
  if (!m) return new RegExp(source, flags);
  const extra = [...new Set(m[2])].filter((f) => !flags.includes(f)).join('');
  return new RegExp(m[1] + source.slice(m[0].length), flags + extra);
}
re2Compatible.code = 'new RegExp';

/**
 * An ajv instance with what Kubernetes schemas need: `x-` keywords ignored, the OpenAPI formats, and two
 * keywords with plain messages, `intOrString` and `quantity`.
 */
export function kubeAjv(): Ajv {
  // `optimize: false`: no pass over the generated code before it is compiled (ajv 8.20.0, lib/compile/index.ts
  // `gen.optimize(this.opts.code.optimize)`; lib/compile/codegen/index.ts: it drops unused names and folds constant
  // ones, and recomputes each block's names at every level). The code checks the same; the pass took ~0.3 s of
  // the bundled example's ~1.06 s of schema checks (compiling its kinds' validators), while the validators it
  // leaves run ~0.5 µs slower per object (3.1 against 2.6 µs over the bundled example's objects): ~0.06 s over the
  // 116,000 objects of a 100,000-device synth, whose validators are compiled once too.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, code: { regExp: re2Compatible, optimize: false } });
  const isInt = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;
  ajv.addFormat('int32', { type: 'number', validate: isInt(-(2 ** 31), 2 ** 31 - 1) });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', { type: 'string', validate: (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addKeyword({
    keyword: 'intOrString',
    schemaType: 'boolean',
    errors: true,
    validate: function check(this: unknown, _schema: boolean, data: unknown): boolean {
      const ok = (typeof data === 'number' && Number.isInteger(data)) || typeof data === 'string';
      if (!ok) (check as unknown as { errors: unknown[] }).errors = [{ keyword: 'intOrString', message: 'must be an integer or a string', params: {} }];
      return ok;
    },
  });
  ajv.addKeyword({
    keyword: 'quantity',
    schemaType: 'boolean',
    errors: true,
    validate: function check(_schema: boolean, data: unknown): boolean {
      const ok = typeof data === 'number' || (typeof data === 'string' && QUANTITY.test(data));
      if (!ok) (check as unknown as { errors: unknown[] }).errors = [{ keyword: 'quantity', message: 'must be a quantity such as 500m, 128Mi or 2', params: {} }];
      return ok;
    },
  });
  // A subschema compiled only when an object has the field it checks (see LAZY_SUBSCHEMA).
  const lazy = new WeakMap<object, ValidateFunction>();
  ajv.addKeyword({
    keyword: LAZY_SUBSCHEMA,
    schemaType: 'object',
    errors: true,
    validate: function check(schema: object, data: unknown, _parent?: unknown, cxt?: { instancePath?: string }): boolean {
      let v = lazy.get(schema);
      if (!v) lazy.set(schema, (v = ajv.compile(schema)));
      if (v(data)) return true;
      // The field's own errors, at their place in the whole object (ajv keeps an instancePath it is given).
      const at = cxt?.instancePath ?? '';
      (check as unknown as { errors: unknown[] }).errors = (v.errors ?? []).map((e) => ({ ...e, instancePath: at + e.instancePath }));
      return false;
    },
  });
  return ajv;
}

/**
 * The keyword of a subschema ajv compiles only when an object has the field, then keeps: a custom resource's
 * top-level fields other than its metadata (strictCrdSchema). The schemas of fields Git never sets are large —
 * the Argo CD Application's `status` is three quarters of its schema, and compiling it took about 0.6 s of a 3 s
 * synth of the bundled example — while an object that does set one is checked exactly as before.
 */
export const LAZY_SUBSCHEMA = 'x-edgewatt-lazy';

/** Formats a schema may name that edgewatt does not check (Kubernetes ignores unknown formats too). */
export function allowFormat(ajv: Ajv, format: string): void {
  if (!ajv.formats[format]) ajv.addFormat(format, true);
}
