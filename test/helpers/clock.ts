/** A clock that moves only when told to; `sleep` advances it instead of waiting. */
export interface FakeClock {
  now: () => number;
  advance: (ms: number) => void;
  sleep: (ms: number) => Promise<void>;
}

/** Starts a fake clock at `start` (epoch ms). */
export function fakeClock(start = Date.UTC(2025, 0, 1, 12, 0, 0)): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    sleep: async (ms) => {
      t += ms;
    },
  };
}
