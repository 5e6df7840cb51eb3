import { createServer, type Server, type Socket } from 'node:net';
import type { ConnectionHandler, Listener } from './types.js';

/** MQTT over plain TCP. */
export async function listenTcp(host: string, port: number, handle: ConnectionHandler): Promise<Listener> {
  const server = createServer((socket: Socket) => handle(socket, socket.remoteAddress ?? 'unknown', 'tcp'));
  return listen(server, host, port, 'tcp');
}

export async function listen(server: Server, host: string, port: number, transport: Listener['transport']): Promise<Listener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
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
