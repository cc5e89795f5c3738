import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEpisode } from '../../sim/episode';
import { episodesOf, type RegressionFile } from '../../sim/regression-file';

const dir = join(import.meta.dirname, 'regressions');
const regressions: RegressionFile[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RegressionFile);

describe('Saved simulator counterexamples replay without a violation', () => {
  it.each(regressions.map((r) => [r.name, r] as const))('%s', async (_name, regression) => {
    for (const episode of episodesOf(regression)) {
      const result = await runEpisode(episode);
      expect(result.violations, JSON.stringify(episode)).toEqual([]);
    }
  });
});
