import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { Transport } from '../client-state.js';

/** What a listener hands each accepted connection to. */
export type ConnectionHandler = (stream: Duplex, source: string, transport: Transport, req?: IncomingMessage) => void;

export interface Listener {
  readonly transport: Transport;
  readonly port: number;
  close(): Promise<void>;
}
