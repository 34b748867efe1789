import { z } from 'zod';
import { stackSchema } from '../spec/stack';

/**
 * Generates lib/api/stack-props.ts: plain TypeScript interfaces of the stack contract, with the JSDoc and
 * `@default` of each field, from the JSON Schema zod derives from `stackSchema` (inputs: fields with a default
 * are optional; outputs, the `*Spec` types: every defaulted field is present). The public types of the package
 * use these interfaces so a user's project needs neither zod's types nor its compiler settings.
 * test/api/props.test.ts proves the file is current and that both directions agree with zod's own types.
 */

type Json = { [key: string]: unknown };

/** Names of the object types, by the path of keys from the root (`[]` is an array item). */
const NAMES: Readonly<Record<string, string>> = {
  '': 'Stack',
  gitops: 'GitOps',
  helm: 'HelmPackaging',
  'clusters[]': 'Cluster',
  energy: 'Energy',
  'energy.kepler': 'Kepler',
  'energy.kepler.redfish': 'KeplerRedfish',
  'energy.kepler.tolerations[]': 'Toleration',
  'energy.kepler.resources': 'Resources',
  'energy.kepler.resources.requests': 'ResourceAmounts',
  'energy.kepler.resources.limits': 'ResourceAmounts',
  'energy.modelServer': 'ModelServer',
  monitoring: 'Monitoring',
  'monitoring.selection': 'MonitoringSelection',
  'monitoring.alerts': 'AlertThresholds',
  'monitoring.alertmanager': 'Alertmanager',
  'monitoring.alertmanager.receivers[]': 'AlertReceiver',
  'monitoring.alertmanager.receivers[].webhook': 'WebhookReceiver',
  'monitoring.alertmanager.receivers[].webhook.tokenSecret': 'SecretKeyRef',
  'monitoring.alertmanager.receivers[].slack': 'SlackReceiver',
  'monitoring.alertmanager.receivers[].slack.apiURLSecret': 'SecretKeyRef',
  'monitoring.alertmanager.routes[]': 'AlertRoute',
  dashboards: 'Dashboards',
  fleet: 'Fleet',
  'fleet.deviceSets[]': 'DeviceSet',
  'fleet.deviceSets[].metrics': 'DeviceSetMetrics',
  'fleet.deviceSets[].power': 'DevicePower',
  'fleet.deviceSets[].power.profile': 'DevicePowerProfile',
  'fleet.defaultPower': 'DevicePower',
  'fleet.defaultPower.profile': 'DevicePowerProfile',
  'fleet.devices[]': 'Device',
  'fleet.workloads[]': 'Workload',
  'fleet.workloads[].ports[]': 'WorkloadPort',
  'fleet.workloads[].metrics': 'WorkloadMetrics',
  iomt: 'Iomt',
  'iomt.pipelines[]': 'Pipeline',
  'iomt.pipelines[].things[]': 'Thing',
  'iomt.pipelines[].things[].gpu|1': 'ThingGpu',
  'iomt.pipelines[].things[].resources': 'Resources',
  'iomt.pipelines[].things[].resources.requests': 'ResourceAmounts',
  'iomt.pipelines[].things[].resources.limits': 'ResourceAmounts',
  'iomt.pipelines[].links[]': 'Link',
  'fleet.certManager': 'FleetCertManager',
  'fleet.edgeAPI': 'EdgeApi',
  'fleet.receiver.exposure|1': 'LoadBalancerExposure',
  'fleet.receiver.exposure|0': 'IngressExposure',
  'fleet.receiver': 'FleetReceiver',
  'monitoring.events.resources.limits': 'ResourcesLimits',
  'monitoring.events.resources.requests': 'ResourcesRequests',
  'monitoring.events.resources': 'EventsResources',
  'monitoring.events': 'MonitoringEvents',
  'monitoring.receiver.auth.passwordSecret': 'PasswordSecretRef',
  'monitoring.receiver.auth': 'ReceiverAuth',
  'monitoring.receiver.exposure|2': 'LoadBalancerExposure',
  'monitoring.receiver.exposure|1': 'IngressExposure',
  'monitoring.receiver.exposure|0': 'McsExposure',
  'monitoring.receiver': 'MonitoringReceiver',
  'monitoring.operator': 'MonitoringOperator',
  'energy.modelServer.exposure|1': 'IngressExposure',
  'energy.modelServer.exposure|0': 'McsExposure',
};

class Emitter {
  private readonly decls = new Map<string, string>();
  private readonly shapes = new Map<string, string>();

  constructor(private readonly suffix: string, private readonly output: boolean) {}

  public declarations(): string[] {
    return [...this.decls.values()];
  }

  public type(node: Json, at: string, indent: string): string {
    if (Array.isArray(node.oneOf)) return (node.oneOf as Json[]).map((n, i) => this.type(n, `${at}|${i}`, indent)).join(' | ');
    if (Array.isArray(node.anyOf)) return (node.anyOf as Json[]).map((n, i) => this.type(n, `${at}|${i}`, indent)).join(' | ');
    if (Array.isArray(node.enum)) return (node.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
    switch (node.type) {
      case 'string':
        return node.const !== undefined ? JSON.stringify(node.const) : 'string';
      case 'number':
      case 'integer':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array':
        return `ReadonlyArray<${this.type(node.items as Json, `${at}[]`, indent)}>`;
      case 'object':
        if (node.properties === undefined) {
          const value = this.type((node.additionalProperties as Json) ?? {}, `${at}{}`, indent);
          return `{ readonly [key: string]: ${value} }`;
        }
        return this.object(node, at);
      default:
        throw new Error(`props-codegen: no TypeScript type for the schema at "${at}": ${JSON.stringify(node).slice(0, 120)}`);
    }
  }

  private object(node: Json, at: string): string {
    const base = NAMES[at];
    if (base === undefined) throw new Error(`props-codegen: name the object type at "${at}" in NAMES`);
    const name = `${base}${this.suffix}`;
    const required = new Set((node.required as string[] | undefined) ?? []);
    const lines: string[] = [];
    for (const [key, child] of Object.entries(node.properties as Record<string, Json>)) {
      const childAt = at === '' ? key : `${at}.${key}`;
      const optional = !required.has(key) && !(this.output && child.default !== undefined);
      lines.push(...doc(child, '  ', optional));
      lines.push(`  readonly ${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}${optional ? '?' : ''}: ${this.type(child, childAt, '  ')};`);
    }
    const body = lines.join('\n');
    const seen = this.shapes.get(name);
    if (seen !== undefined && seen !== body) throw new Error(`props-codegen: two different shapes named ${name} (at "${at}")`);
    if (seen === undefined) {
      this.shapes.set(name, body);
      const what = at === '' ? 'The whole stack (the shape of stack.yaml)' : `\`${at}\` in the stack`;
      const note = this.output ? 'after parsing, with every default applied' : 'as you write it; fields with a default may be left out';
      this.decls.set(name, [`/** ${what}, ${note}. */`, `export interface ${name} {`, body, '}'].join('\n'));
    }
    return name;
  }
}

function doc(node: Json, indent: string, optional: boolean): string[] {
  const description = typeof node.description === 'string' ? node.description : '';
  const hasDefault = /@default\b/.test(description);
  const text = hasDefault ? description.replace(/\s*@default\b/, '\n@default') : description;
  const lines = text === '' ? [] : text.split('\n');
  if (!hasDefault && node.default !== undefined) lines.push(`@default ${JSON.stringify(node.default)}`);
  else if (!hasDefault && optional) lines.push('@default - not set');
  if (lines.length === 0) return [];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l.replace(/\*\//g, '*\\/')}`.trimEnd()), `${indent} */`];
}

/** The text of lib/api/stack-props.ts. */
export function generateStackProps(): string {
  const header = [
    '// Generated from the stack contract (lib/spec) by lib/api/props-codegen.ts: do not edit by hand.',
    '// Regenerate with `npm run synth` (or `node build/lib/api/props-codegen.js > lib/api/stack-props.ts`).',
    '',
  ];
  const out: string[] = [];
  for (const [io, suffix] of [['input', 'Props'], ['output', 'Spec']] as const) {
    const schema = z.toJSONSchema(stackSchema, { target: 'draft-7', io }) as Json;
    const e = new Emitter(suffix, io === 'output');
    e.type(schema, '', '');
    out.push(...e.declarations());
  }
  return `${header.join('\n')}${out.join('\n\n')}\n`;
}

if (require.main === module) process.stdout.write(generateStackProps());
