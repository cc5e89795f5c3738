import { EC2_MUTATING_ACTIONS } from '../../../infra/iam/ec2';

/** A statement as it appears in the template (JSON). */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every IAM role in a template's Resources, with its role's logical id. */
export function roleStatements(
  resources: Record<string, Resource>,
): { role: string; statement: Statement }[] {
  const out: { role: string; statement: Statement }[] = [];
  for (const [role, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const policies = (r.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
    for (const p of policies)
      for (const statement of p.PolicyDocument.Statement) out.push({ role, statement });
  }
  return out;
}

/** The statements of one role. */
export function statementsOf(resources: Record<string, Resource>, role: string): Statement[] {
  return roleStatements(resources)
    .filter((s) => s.role === role)
    .map((s) => s.statement);
}

/** An ARN as text: a literal, or the template of an Fn::Sub / the reference of a GetAtt. */
export function arnText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const r = resource as Record<string, unknown>;
  if (typeof r['Fn::Sub'] === 'string') return r['Fn::Sub'];
  if (Array.isArray(r['Fn::GetAtt'])) return `GetAtt:${(r['Fn::GetAtt'] as string[]).join('.')}`;
  if (typeof r.Ref === 'string') return `Ref:${r.Ref}`;
  return JSON.stringify(resource);
}

export const resourcesOf = (s: Statement): string[] => asArray(s.Resource as unknown[] | string).map(arnText);

export const isMutatingEc2 = (action: string): boolean =>
  (EC2_MUTATING_ACTIONS as readonly string[]).includes(action);

/** The Allow statements that grant `action`, in one role. */
export function grants(statements: Statement[], action: string): Statement[] {
  return statements.filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes(action));
}
