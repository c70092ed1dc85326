import { createRateLimiter } from '../../src/providers/invoicing/rate-limiter.js';

test('never more than `concurrency` in flight', async () => {
  const limiter = createRateLimiter({ concurrency: 10, perWindow: 1000, windowMs: 60_000 });
  let inFlight = 0;
  let peak = 0;
  const job = () =>
    limiter(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
    });
  await Promise.all(Array.from({ length: 35 }, job));
  expect(peak).toBe(10);
});

test('the window budget holds requests back until the oldest start leaves the window', async () => {
  let clock = 0;
  const waits: number[] = [];
  const limiter = createRateLimiter({
    concurrency: 10,
    perWindow: 3,
    windowMs: 60_000,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      const at = clock;
      await new Promise((r) => setTimeout(r, 0));
      // Waiters sleeping side by side wake at the same moment: time moves to the latest wake-up.
      clock = Math.max(clock, at + ms);
    },
  });
  const started: number[] = [];
  await Promise.all(Array.from({ length: 5 }, () => limiter(async () => void started.push(clock))));
  expect(started).toEqual([0, 0, 0, 60_000, 60_000]);
  expect(waits[0]).toBe(60_000);
});

test('every hold-back is told to onWait with its length (the rate-limit metrics)', async () => {
  let clock = 0;
  const told: number[] = [];
  const limiter = createRateLimiter({
    concurrency: 1,
    perWindow: 2,
    windowMs: 1_000,
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    onWait: (ms) => told.push(ms),
  });
  for (let i = 0; i < 3; i += 1) await limiter(async () => undefined);
  expect(told).toEqual([1_000]);
});
