import { readFile } from 'node:fs/promises';
import { createServer, type TLSSocket } from 'node:tls';
import { listen } from './tcp.js';
import type { ConnectionHandler, Listener } from './types.js';

/** MQTT over TLS (MQTT 3.1.1 section 5.4.3): certificate chain and key from PEM files, read at start. */
export async function listenTls(host: string, port: number, certFile: string, keyFile: string, handle: ConnectionHandler): Promise<Listener> {
  const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
  const server = createServer({ cert, key, minVersion: 'TLSv1.2'}, (socket: TLSSocket) => handle(socket, socket.remoteAddress ?? 'unknown', 'tls'));
  // a failed handshake is the client's problem; without a listener it would be an unhandled 'error'
  server.on('tlsClientError', () => {});
  return listen(server, host, port, 'tls');
}
