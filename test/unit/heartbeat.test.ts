import { withHeartbeat } from '../../jobs/heartbeat.js';

/** A job whose touch() counts, fails once, and lets the work end after a given number of beats. */
function job(failOn: number) {
  let touches = 0;
  let enough: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (enough = resolve));
  return {
    touches: () => touches,
    reached,
    async touch() {
      touches += 1;
      if (touches >= 3) enough();
      if (touches === failOn) throw new Error('database unreachable');
    },
  };
}

test('the lock is refreshed while the work runs, a failed beat is reported without stopping the work, and beating stops with the work', async () => {
  const j = job(2);
  const errors: unknown[] = [];
  const result = await withHeartbeat(
    j,
    30,
    (err) => errors.push(err),
    async () => {
      await j.reached; // the work outlasts several lock lifetimes' worth of beats
      return 'done';
    },
  );
  expect(result).toBe('done');
  expect(j.touches()).toBeGreaterThanOrEqual(3);
  expect(errors).toEqual([new Error('database unreachable')]);
  const after = j.touches();
  await new Promise((r) => setTimeout(r, 100));
  expect(j.touches()).toBe(after);
});

test('work that fails still stops the heartbeat and passes its error on', async () => {
  const j = job(0);
  await expect(
    withHeartbeat(
      j,
      30,
      () => undefined,
      async () => {
        await j.reached;
        throw new Error('sweep failed');
      },
    ),
  ).rejects.toThrow('sweep failed');
  const after = j.touches();
  await new Promise((r) => setTimeout(r, 100));
  expect(j.touches()).toBe(after);
});
