import type { Aedes } from 'aedes';

/**
 * Counts publishes between aedes accepting them and their last step (retained store, offline queues, routing).
 * aedes writes a QoS 1 PUBACK *before* it runs those steps, so a stop must let them finish before the Redis
 * persistence closes; otherwise a message acknowledged a moment before the stop would miss the queue of an
 * offline persistent session. (It is in the uplink stream already: that is written before the PUBACK.)
 */
export function trackPublishes(broker: Aedes): { idle(timeoutMs: number): Promise<void> } {
  let inflight = 0;
  let waiters: (() => void)[] = [];
  const target = broker as unknown as { publish: (packet: unknown, client: unknown, done?: (err?: Error) => void) => void };
  const publish = target.publish.bind(broker);
  target.publish = (packet, client, done) => {
    if (typeof client === 'function') {
      done = client as (err?: Error) => void;
      client = null;
    }
    inflight++;
    publish(packet, client, (err?: Error) => {
      if (--inflight === 0) {
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      }
      done?.(err);
    });
  };
  return {
    idle(timeoutMs) {
      if (inflight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
