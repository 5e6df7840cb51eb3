import mqttPacket from 'mqtt-packet';
import type { ClientState, TwClient } from './client-state.js';

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

/**
 * Refuses a packet whose Remaining Length (read from the fixed header, [MQTT-2.2.3]) is over the limit,
 * before its body is buffered: a client cannot make the broker hold a 256 MB packet in memory. One shared
 * function, with the limit and the reaction on the parser: no closure per connection (20,000 idle devices).
 */
type LimitedParser = TwClient['_parser'] & { _twMax: number; _twOnTooBig: (client: TwClient, length: number) => void; client: TwClient };
const parseLength = Object.getPrototypeOf(mqttPacket.parser()) as { _parseLength: () => boolean };

function parseLengthWithLimit(this: LimitedParser): boolean {
  const ok = parseLength._parseLength.call(this);
  if (ok && this.packet.length > this._twMax) {
    this._twOnTooBig(this.client, this.packet.length);
    this._emitError(new Error(`packet of ${this.packet.length} bytes is over the limit of ${this._twMax}`));
    return false;
  }
  return ok;
}

export function limitPacketSize(client: TwClient, maxBytes: number, onTooBig: (client: TwClient, length: number) => void): void {
  const parser = client._parser as LimitedParser;
  parser._twMax = maxBytes;
  parser._twOnTooBig = onTooBig;
  parser._parseLength = parseLengthWithLimit;
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
