/**
 * Runs `task` every `ms`, skipping a tick while the previous run is still going (a slow database must not
 * pile up overlapping scans). Errors go to `onError`; the timer keeps running.
 */
export function everyInTurn(ms: number, task: () => Promise<unknown>, onError: (err: unknown) => void): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => (running = false));
  }, ms);
}
