import type { Duplex } from 'node:stream';

/**
 * Coalesces a connection's writes into one system call per event-loop turn. aedes delivers each message in
 * its own setImmediate and mqtt-packet corks only until the next tick, so a subscriber receiving 100,000
 * messages/s would otherwise cost 100,000 writev calls/s. Holding the cork until the next turn's check phase
 * batches everything written in between (a few hundred messages under load) into one writev; an idle
 * connection's single packet waits at most one turn.
 */
export function coalesceWrites(stream: Duplex): void {
  if (typeof stream.cork !== 'function') return;
  const write = stream.write;
  let held = false;
  const release = () => {
    held = false;
    if (!stream.destroyed) stream.uncork();
  };
  stream.write = function coalescedWrite(this: Duplex, ...args: Parameters<Duplex['write']>) {
    if (!held) {
      held = true;
      stream.cork();
      setImmediate(release);
    }
    return write.apply(this, args);
  } as Duplex['write'];
}
