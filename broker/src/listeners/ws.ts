import { createServer } from 'node:http';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { listen } from './tcp.js';
import type { ConnectionHandler, Listener } from './types.js';

/**
 * MQTT over WebSocket on path /mqtt (MQTT 3.1.1 section 6: binary frames, subprotocol "mqtt").
 * `maxPayload` caps a single frame a little above the MQTT packet limit, so an oversized frame is refused
 * by ws before the MQTT parser sees it.
 */
export async function listenWs(host: string, port: number, maxPacketBytes: number, handle: ConnectionHandler): Promise<Listener> {
  const server = createServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt\n'));
  const wss = new WebSocketServer({
    server,
    path: '/mqtt',
    maxPayload: maxPacketBytes + 8,
    perMessageDeflate: false,
    // [MQTT-6.0.0-3]/[MQTT-6.0.0-4]: the subprotocol is "mqtt"; accept clients that offer it or none
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.size === 0 ? false : [...protocols][0] ?? false),
  });
  wss.on('error', () => {});
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws);
    stream.on('error', () => {});
    handle(stream, req.socket.remoteAddress ?? 'unknown', 'ws', req);
  });
  const listener = await listen(server, host, port, 'ws');
  return {
    ...listener,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await listener.close();
    },
  };
}
