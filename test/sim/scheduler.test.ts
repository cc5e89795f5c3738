import { describe, expect, it } from 'vitest';
import { newActor } from '../../sim/actors';
import { Rng } from '../../sim/rng';
import { Scheduler } from '../../sim/scheduler';

async function drain(s: Scheduler) {
  while (await s.step()) {}
}

describe('The scheduler', () => {
  it('runs events in time order, ties in the order they were scheduled, and never moves the clock back', async () => {
    const s = new Scheduler(1_000, new Rng(1));
    const seen: string[] = [];
    s.after(20, 'b', () => seen.push(`b@${s.now}`));
    s.after(10, 'a', () => seen.push(`a@${s.now}`));
    s.after(20, 'c', () => {
      seen.push(`c@${s.now}`);
      s.at(0, 'past', () => seen.push(`past@${s.now}`));
    });
    await drain(s);
    expect(seen).toEqual(['a@1010', 'b@1020', 'c@1020', 'past@1020']);
  });

  it('lets the continuations of a resolved call run before the next event', async () => {
    const s = new Scheduler(0, new Rng(1));
    const actor = newActor('arbiter', 'a');
    const seen: string[] = [];
    void s
      .call(
        actor,
        'x',
        5,
        () => 5,
        () => 'done',
      )
      .then(async (v) => {
        seen.push(`${v}@${s.now}`);
        await Promise.resolve();
        seen.push('after two hops');
      });
    s.after(11, 'later', () => seen.push(`later@${s.now}`));
    await drain(s);
    expect(seen).toEqual(['done@10', 'after two hops', 'later@11']);
  });

  it('never answers a crashed actor, though a request it already sent may still land', async () => {
    const s = new Scheduler(0, new Rng(3));
    const actor = newActor('arbiter', 'a');
    let landed = 0;
    let answered = 0;
    for (let i = 0; i < 40; i += 1) {
      void s
        .call(
          actor,
          'write',
          10,
          () => 10,
          () => {
            landed += 1;
          },
        )
        .then(() => {
          answered += 1;
        });
    }
    s.crash(actor, 'test');
    await drain(s);
    expect(answered).toBe(0);
    expect(landed).toBeGreaterThan(0);
  });

  it('crashes an actor when it starts the call it was told to crash at', async () => {
    const s = new Scheduler(0, new Rng(1));
    const actor = newActor('arbiter', 'a');
    actor.crashAtOp = 2;
    const answers: number[] = [];
    const call = (n: number) =>
      s.call(
        actor,
        `c${n}`,
        1,
        () => 1,
        () => n,
      );
    void call(1).then(async (v) => {
      answers.push(v);
      answers.push(await call(2));
    });
    await drain(s);
    expect(answers).toEqual([1]);
    expect(actor.crashed).toBe(true);
  });
});

describe('The seeded random generator', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const take = (seed: number) => Array.from({ length: 5 }, () => new Rng(seed)).map((r) => r.nextU32());
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(xs);
    expect(new Set(take(1)).size).toBe(1);
  });

  it('draws integers within the bounds, both included', () => {
    const r = new Rng(9);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i += 1) {
      const v = r.int(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });
});
