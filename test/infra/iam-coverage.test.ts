import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EC2_MUTATING_ACTIONS, EC2_READ_ACTIONS } from '../../infra/iam/ec2';
import { TableActions } from '../../infra/iam/statements';
import { SERVICE_DIR } from './helpers/osls';

/**
 * The generated policies list actions one by one, so they must follow the code: every SDK
 * command the runtime code imports must be granted. This reads the imports of shared/ and fails
 * when a new call appears that the policies do not know about.
 */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function commandsFrom(pkg: string, files: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const pattern = new RegExp(`import\\s*{([^}]*)}\\s*from\\s*'${pkg}'`, 'g');
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      for (const name of (match[1] ?? '').split(',').map((n) => n.trim())) {
        if (!name.endsWith('Command')) continue;
        const action = name.replace(/Command$/, '');
        found.set(action, [...(found.get(action) ?? []), relative(SERVICE_DIR, file)]);
      }
    }
  }
  return found;
}

const shared = sourceFiles(join(SERVICE_DIR, 'shared'));
// Preflight gets ec2:Describe* and the mutating calls (for DryRun), so it can read anything.
const runtime = shared.filter((f) => !f.includes(`${join('shared', 'preflight')}`));

describe('Generated IAM follows the code', () => {
  it('grants every EC2 call the arbiter side makes', () => {
    const known = new Set<string>([...EC2_READ_ACTIONS, ...EC2_MUTATING_ACTIONS]);
    const used = commandsFrom('@aws-sdk/client-ec2', runtime);
    expect(used.has('AssociateAddress')).toBe(true);
    const missing = [...used]
      .filter(([action]) => !known.has(`ec2:${action}`))
      .map(([action, files]) => `ec2:${action} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('grants every preflight EC2 call through Describe* or the mutating list', () => {
    const preflight = shared.filter((f) => !runtime.includes(f));
    for (const [action] of commandsFrom('@aws-sdk/client-ec2', preflight)) {
      expect(
        action.startsWith('Describe') ||
          (EC2_MUTATING_ACTIONS as readonly string[]).includes(`ec2:${action}`),
        action,
      ).toBe(true);
    }
  });

  it('grants every DynamoDB call the store makes', () => {
    const granted = new Set<string>([...TableActions.write, ...TableActions.groupRead]);
    const missing = [...commandsFrom('@aws-sdk/client-dynamodb', runtime)]
      .filter(([action]) => !granted.has(`dynamodb:${action}`))
      .map(([action, files]) => `dynamodb:${action} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });
});
