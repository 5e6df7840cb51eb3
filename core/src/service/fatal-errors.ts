import type { Logger } from '../log/index.js';

/**
 * What a service process does with an error nothing caught: an exception thrown out of an event handler
 * or timer (`uncaughtException`), or a rejected promise nobody awaited (`unhandledRejection`). Either means
 * the process is in a state its code did not plan for, so it is never swallowed: one `fatal` log line with
 * the service, the kind and the error, then exit with EXIT_FATAL so a supervisor (systemd, Kubernetes, the
 * platform runner) restarts it from a clean state. No graceful stop is attempted: its steps would run on
 * that unplanned state; children (ffmpeg) are killed by their own exit hooks, sockets close with the process.
 * Known bad input must never get here (it is refused where it arrives); this is the backstop.
 */
export const EXIT_FATAL = 70; // EX_SOFTWARE (sysexits.h): an internal error, distinct from 1 (start failed) and 2 (config)

export function installFatalErrorPolicy(service: string, log: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let exiting = false;
  const handler = (kind: 'uncaughtException' | 'unhandledRejection') => (err: unknown) => {
    if (exiting) return; // a second error while leaving: the first is the one that matters
    exiting = true;
    try {
      log.fatal({ err, kind, service }, `${kind}: ${service} exits so that it is restarted clean`);
      log.flush();
    } catch {
      process.stderr.write(`${service}: ${kind}: ${String((err as Error)?.stack ?? err)}\n`);
    }
    exit(EXIT_FATAL);
  };
  const onException = handler('uncaughtException');
  const onRejection = handler('unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
