import type { ClientState } from './client-state.js';

/**
 * Per-client limits. A client that breaks one is disconnected (MQTT 3.1.1 has no other way to refuse a
 * packet, [MQTT-4.8.0-1] lets the server close the connection on a protocol violation) and counted; the
 * other clients keep flowing because the broker never waits on the offender.
 */

/** Token bucket: `rate` publishes per second sustained, bursts of 2 s worth. Returns false when exhausted. */
export function takePublishToken(st: ClientState, rate: number, now: number): boolean {
  const burst = rate * 2;
  const elapsed = now - st.refilledAt;
  if (elapsed > 0) {
    st.tokens = Math.min(burst, st.tokens + (elapsed * rate) / 1000);
    st.refilledAt = now;
  }
  if (st.tokens < 1) return false;
  st.tokens -= 1;
  return true;
}

export function initialTokens(rate: number): number {
  return rate * 2;
}

/** Counts open sockets across all listeners; refuses new ones at the cap before any MQTT parsing. */
export class ConnectionGate {
  open = 0;
  constructor(private readonly max: number) {}
  tryOpen(): boolean {
    if (this.open >= this.max) return false;
    this.open++;
    return true;
  }
  release(): void {
    this.open--;
  }
}
