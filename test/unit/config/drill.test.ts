import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/domain/errors';
import { makeConfig } from '../../helpers/config';

function withDrill(drill: unknown) {
  return makeConfig((raw) => {
    raw.groups[0]!.drill = drill;
  });
}

function issuesOf(drill: unknown): readonly string[] {
  try {
    withDrill(drill);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe('The drill field of a group', () => {
  it('is absent unless the group opts in', () => {
    expect(makeConfig().groups[0]?.drill).toBeUndefined();
  });

  it('takes a Scheduler cron expression with a window of 30 minutes and a move back by default', () => {
    expect(withDrill({ schedule: 'cron(0 3 ? * TUE *)' }).groups[0]?.drill).toEqual({
      schedule: 'cron(0 3 ? * TUE *)',
      windowMinutes: 30,
      stay: false,
    });
    expect(
      withDrill({ schedule: 'rate(7 days)', timezone: 'Europe/Berlin' }).groups[0]?.drill?.timezone,
    ).toBe('Europe/Berlin');
  });

  it.each([
    [
      { schedule: 'cron(0 3 * * TUE *)' },
      'groups[0].drill.schedule = "cron(0 3 * * TUE *)": one of day-of-month and day-of-week must be ?',
    ],
    [
      { schedule: '0 3 * * 2' },
      'groups[0].drill.schedule = "0 3 * * 2": must be cron(minutes hours day-of-month month day-of-week year) or rate(N days)',
    ],
    [{ schedule: 'rate(0 days)' }, 'groups[0].drill.schedule = "rate(0 days)": a rate must be at least 1'],
    [{ schedule: 'rate(7 days)', windowMinutes: 0 }, 'groups[0].drill.windowMinutes = 0: must be at least 1'],
  ])('refuses %j, naming the field and the value', (drill, issue) => {
    expect(issuesOf(drill)).toContain(issue);
  });

  it('refuses an unknown key, such as a misspelt window', () => {
    expect(issuesOf({ schedule: 'rate(7 days)', window: 30 }).join('\n')).toMatch(/window/);
  });
});
