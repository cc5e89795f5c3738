import * as ec2 from '@aws-sdk/client-ec2';
import { NormalizedSchema } from '@smithy/core/schema';
import { Ec2Error } from '../../../ec2-model/errors';
import { escapeXml } from '../util/xml';

/**
 * The EC2 Query/XML wire, read from the SDK's own schemas (`DescribeInstances$` ...
 * in `@aws-sdk/client-ec2`): form parameters become the SDK-shaped request the
 * model takes, and the model's SDK-shaped output becomes the XML the SDK parses.
 * Key names follow the EC2 protocol: a request member is named by its
 * `ec2QueryName` (else its capitalized `xmlName` or member name) and lists are
 * flattened (`InstanceId.1`); a response element is named by its `xmlName` and
 * list members are `<item>`.
 */

type Schema = Parameters<typeof NormalizedSchema.of>[0];

/** The input and output schemas of an EC2 operation, or undefined for an unknown action. */
function operation(action: string): { input: Schema; output: Schema } | undefined {
  const op = (ec2 as unknown as Record<string, unknown>)[`${action}$`];
  if (!Array.isArray(op) || op[0] !== 9) return undefined;
  return { input: op[4] as Schema, output: op[5] as Schema };
}

function queryKey(memberName: string, traits: Record<string, unknown>): string {
  const ec2Name = traits.ec2QueryName;
  if (typeof ec2Name === 'string') return ec2Name;
  const name = typeof traits.xmlName === 'string' ? traits.xmlName : memberName;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

class FormReader {
  readonly used = new Set<string>();
  constructor(private readonly form: ReadonlyMap<string, string>) {}

  read(ns: NormalizedSchema, key: string): unknown {
    if (ns.isStructSchema()) {
      const out: Record<string, unknown> = {};
      for (const [memberName, member] of ns.structIterator()) {
        const name = queryKey(memberName, member.getMergedTraits() as Record<string, unknown>);
        const value = this.read(member, key ? `${key}.${name}` : name);
        if (value !== undefined) out[memberName] = value;
      }
      return key && Object.keys(out).length === 0 ? undefined : out;
    }
    if (ns.isListSchema()) {
      const indexes = new Set<number>();
      for (const k of this.form.keys()) {
        if (!k.startsWith(`${key}.`)) continue;
        const index = k.slice(key.length + 1).split('.')[0] ?? '';
        if (/^[1-9]\d*$/.test(index)) indexes.add(Number(index));
      }
      if (indexes.size === 0) return undefined;
      const member = ns.getValueSchema();
      return [...indexes].sort((a, b) => a - b).map((i) => this.read(member, `${key}.${i}`));
    }
    const text = this.form.get(key);
    if (text === undefined) return undefined;
    this.used.add(key);
    if (ns.isBooleanSchema()) {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower === 'true';
      throw invalidValue(key, text, 'a boolean');
    }
    if (ns.isNumericSchema()) {
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw invalidValue(key, text, 'a number');
      return Number(text);
    }
    if (ns.isTimestampSchema()) {
      const at = new Date(text);
      if (Number.isNaN(at.getTime())) throw invalidValue(key, text, 'a timestamp');
      return at;
    }
    return text;
  }
}

function invalidValue(key: string, text: string, expected: string): Ec2Error {
  return new Ec2Error(
    'InvalidParameterValue',
    `Value (${text}) for parameter ${key} is invalid. Expected ${expected}.`,
  );
}

/** Form parameters that are the envelope, not the request. */
const ENVELOPE = new Set(['Action', 'Version']);

/**
 * The SDK-shaped request of `action` from its Query form parameters.
 * @throws Ec2Error `InvalidAction` for an action EC2 does not have, `UnknownParameter`
 * for a parameter the action does not take, `InvalidParameterValue` for a badly typed value.
 */
export function requestFromForm(action: string, form: ReadonlyMap<string, string>): Record<string, unknown> {
  const op = operation(action);
  if (!op) throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
  const reader = new FormReader(form);
  const input = reader.read(NormalizedSchema.of(op.input), '') as Record<string, unknown>;
  for (const key of form.keys()) {
    if (ENVELOPE.has(key) || reader.used.has(key)) continue;
    throw new Ec2Error('UnknownParameter', `The parameter ${key.split('.')[0]} is not recognized`);
  }
  return input;
}

function writeValue(ns: NormalizedSchema, name: string, value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (ns.isListSchema()) {
    const items = value as unknown[];
    if (items.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    const member = ns.getValueSchema();
    const itemName = (member.getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    out.push(`<${name}>`);
    for (const item of items) writeValue(member, itemName, item, out);
    out.push(`</${name}>`);
    return;
  }
  if (ns.isStructSchema()) {
    out.push(`<${name}>`);
    writeMembers(ns, value as Record<string, unknown>, out);
    out.push(`</${name}>`);
    return;
  }
  const text = value instanceof Date ? value.toISOString() : String(value);
  out.push(`<${name}>${escapeXml(text)}</${name}>`);
}

function writeMembers(ns: NormalizedSchema, value: Record<string, unknown>, out: string[]): void {
  for (const [memberName, member] of ns.structIterator()) {
    const xmlName = (member.getMemberTraits() as { xmlName?: string }).xmlName ?? memberName;
    writeValue(member, xmlName, value[memberName], out);
  }
}

/** EC2 API version and XML namespace the SDK expects. */
export const EC2_VERSION = '2016-11-15';
const EC2_XMLNS = `http://ec2.amazonaws.com/doc/${EC2_VERSION}/`;

/** `<ActionResponse xmlns=..><requestId>..</requestId>...</ActionResponse>` from an SDK-shaped output. */
export function responseXml(action: string, requestId: string, output: object): string {
  const op = operation(action);
  if (!op) throw new Error(`no EC2 operation ${action}`);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<${action}Response xmlns="${EC2_XMLNS}">`,
    `<requestId>${escapeXml(requestId)}</requestId>`,
  ];
  const ns = NormalizedSchema.of(op.output);
  if (ns.isStructSchema()) writeMembers(ns, output as Record<string, unknown>, out);
  out.push(`</${action}Response>`);
  return out.join('');
}

/** `<Response><Errors><Error>..</Error></Errors><RequestID>..</RequestID></Response>`, as EC2 sends. */
export function errorXml(code: string, message: string, requestId: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors>`,
    `<RequestID>${escapeXml(requestId)}</RequestID></Response>`,
  ].join('');
}
