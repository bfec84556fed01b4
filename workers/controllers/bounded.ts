/**
 * @module
 * Runs many writes a bounded number at a time (the scheduler binds with a
 * parallelism, as upstream's binding cycles run concurrently), collecting
 * failures instead of stopping at the first.
 */

/** Runs `tasks` with at most `limit` in flight; resolves to the errors they threw. */
export async function runBounded(tasks: readonly (() => Promise<void>)[], limit: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (!task) continue;
      try {
        await task();
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return errors;
}
