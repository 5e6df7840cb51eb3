import { createServer, type Server, type Socket } from 'node:net';
import type { ConnectionHandler, Listener } from './types.js';

/** MQTT over plain TCP. */
export async function listenTcp(host: string, port: number, handle: ConnectionHandler): Promise<Listener> {
  const server = createServer((socket: Socket) => handle(socket, socket.remoteAddress ?? 'unknown', 'tcp'));
  return listen(server, host, port, 'tcp');
}

/**
 * Connections the kernel completes and queues before the broker accepts them (Node's default is 511; Linux caps it
 * at net.core.somaxconn, 4096 on current kernels). A fleet reconnecting at once after an outage, or a login storm,
 * overflows 511: the kernel then drops SYNs and the clients, everyone's included, retry only after 1 s, 3 s, ….
 */
export const LISTEN_BACKLOG = 4096;

export async function listen(server: Server, host: string, port: number, transport: Listener['transport']): Promise<Listener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    transport,
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
