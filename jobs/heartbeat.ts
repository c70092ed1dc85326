/** What a heartbeat needs of a job: Agenda's Job.touch() stamps a fresh lock time on the job's row. */
export interface Touchable {
  touch(): Promise<void>;
}

/** A heartbeat beats this many times per lock lifetime, so two lost beats in a row still keep the lock. */
export const BEATS_PER_LIFETIME = 3;

/**
 * Runs `work` while keeping the job's lock alive: the lock is short (JOBS_LOCK_LIFETIME) so that a
 * process killed mid-sweep blocks the others only that long, and a live process refreshes it every
 * lifetime / 3 however long its sweep takes. A failed beat is only logged: should the lock lapse
 * anyway, a second process may start the same sweep, which is safe (every piece of due work is
 * claimed row by row), merely wasteful.
 */
export async function withHeartbeat<T>(job: Touchable, lockLifetimeMs: number, onBeatError: (err: unknown) => void, work: () => Promise<T>): Promise<T> {
  let beating: Promise<void> | null = null;
  const timer = setInterval(
    () => {
      if (beating) return; // the previous beat is still waiting on the database
      beating = job
        .touch()
        .catch(onBeatError)
        .finally(() => void (beating = null));
    },
    Math.floor(lockLifetimeMs / BEATS_PER_LIFETIME),
  );
  try {
    return await work();
  } finally {
    clearInterval(timer);
    // A beat landing after the job's own final save would lock it again: let it finish first.
    await beating;
  }
}
