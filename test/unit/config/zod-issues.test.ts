import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, formatPath, show } from '../../../shared/config/zod-issues';

function issuesOf(
  schema: z.ZodType,
  input: unknown,
  options?: Parameters<typeof describeIssues>[2],
): string[] {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected the input to be refused');
  return describeIssues(parsed.error, input, options);
}

const Node = z.strictObject({
  id: z.string().min(1),
  priority: z.int().min(0).max(1000),
  weight: z.number().gt(0).optional(),
  tags: z.array(z.string()).min(1).optional(),
});
const Config = z.strictObject({ nodes: z.array(Node) });

describe('describeIssues', () => {
  it('names the path and the value of each bad field', () => {
    expect(
      issuesOf(Config, {
        nodes: [
          { id: 'a', priority: 1 },
          { id: '', priority: 5000 },
        ],
      }),
    ).toEqual(['nodes[1].id = "": must not be empty', 'nodes[1].priority = 5000: must be at most 1000']);
  });

  it('says when a field is missing or of the wrong type', () => {
    expect(issuesOf(Node, { priority: 'high' })).toEqual([
      'id = missing: is required (a string)',
      'priority = "high": must be a number',
    ]);
    expect(issuesOf(Node, { id: 'a', priority: 2.5 })).toEqual(['priority = 2.5: must be a whole number']);
  });

  it('tells exclusive bounds and list lengths apart from inclusive ones', () => {
    expect(issuesOf(Node, { id: 'a', priority: 1, weight: 0, tags: [] })).toEqual([
      'weight = 0: must be more than 0',
      'tags = []: must have at least 1 item(s)',
    ]);
  });

  it('names unknown keys by path, with the valid keys when the caller knows them', () => {
    expect(issuesOf(Config, { nodes: [{ id: 'a', priority: 1, prio: 2 }] })).toEqual([
      'nodes[0].prio: unknown key (check the spelling)',
    ]);
    expect(issuesOf(Node, { id: 'a', priority: 1, wieght: 1 }, { validKeys: ['id', 'priority'] })).toEqual([
      'wieght: unknown key (valid keys: id, priority)',
    ]);
  });

  it('keeps only the first issue of a field when asked', () => {
    const Name = z.strictObject({
      name: z
        .string()
        .min(3)
        .regex(/^[a-z]+$/),
    });
    expect(issuesOf(Name, { name: 'A' })).toHaveLength(2);
    expect(issuesOf(Name, { name: 'A' }, { firstPerField: true })).toEqual([
      'name = "A": must be at least 3 characters',
    ]);
  });
});

describe('show and formatPath', () => {
  it('cuts a long value short and says what JSON cannot', () => {
    expect(show('x'.repeat(200))).toBe(`"${'x'.repeat(76)}...`);
    expect(show(Number.POSITIVE_INFINITY)).toBe('Infinity (not a finite number)');
    expect(show(undefined)).toBe('missing');
  });

  it('renders paths with dots and indexes', () => {
    expect(formatPath(['groups', 0, 'nodes', 1, 'priority'])).toBe('groups[0].nodes[1].priority');
    expect(formatPath([])).toBe('(root)');
  });
});
