import type { Client } from 'aedes';
import type { Principal } from './acl.js';

export type Transport = 'tcp' | 'tls' | 'ws';

/** Why a session ended, as written in the presence entry (kind 'x') and the disconnect counter. */
export type CloseReason = 'disconnect' | 'keepalive' | 'lwt' | 'lost' | 'kicked' | 'refused' | 'revoked' | 'takeover' | 'shutdown';

/**
 * A connection's slot in the per-source login limit (login-limiter.ts): `held` until a CONNECT is judged (closing
 * the connection gives it back), `judging` from then until the verdict is answered (whatever happens to the
 * connection meanwhile), `free` once given back.
 */
export type LoginSlot = 'held' | 'judging' | 'free';

/** What the broker keeps per connection, next to aedes' own client fields. */
export interface ClientState {
  source: string;
  /** what the login limit counts this connection under (sourceKey of `source`) */
  sourceKey: string;
  loginSlot: LoginSlot;
  transport: Transport;
  /** set once authentication succeeded */
  principal?: Principal;
  /** the CONNECT carried a will (for the presence reason 'lwt') */
  hadWill: boolean;
  /** the CONNECT's client ID was empty (the broker assigned one) */
  emptyClientId: boolean;
  /** set by whoever ends the session on purpose, before closing it */
  closeReason?: CloseReason;
  revoked?: boolean;
  /** publish rate limit: token bucket */
  tokens: number;
  refilledAt: number;
}

/** The aedes client plus the internals the broker reads (present in aedes 1.2; see docs/broker.md). */
export type TwClient = Client & {
  tw: ClientState;
  _disconnected?: boolean;
  _parser: { _parseLength: () => boolean; packet: { length: number }; _emitError(err: Error): void; settings: unknown };
  close(done?: () => void): void;
};

export function stateOf(client: Client | null | undefined): ClientState | undefined {
  return (client as TwClient | null | undefined)?.tw;
}

/**
 * Whether a packet may be written to the client now: aedes' own rule (lib/write.js), so the broker's write paths
 * and aedes' agree. `connecting` counts: aedes sends CONNACK and reads the socket again before it has read the
 * session's queued messages from the persistence and set `connected`, and a PUBLISH in that window must be answered.
 */
export function mayWrite(client: Client): boolean {
  return client.connecting || client.connected;
}
