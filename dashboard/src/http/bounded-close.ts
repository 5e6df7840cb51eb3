import type { IncomingMessage, Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@tianwang/core/log';

/** How long a stopping dashboard waits for requests in progress before it cuts their connections. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * Which requests the server is answering right now ("POST /api/v1/auth/login"; the path only: a query may hold a
 * signed token). Read when a shutdown has to cut connections, so the log says what was cut.
 */
export function trackRequests(server: Server): () => string[] {
  const open = new Map<IncomingMessage, string>();
  server.on('request', (req, res) => {
    open.set(req, `${req.method} ${(req.url ?? '').split('?')[0]}`);
    res.once('close', () => open.delete(req));
  });
  return () => [...open.values()];
}

/**
 * Closes the app: idle keep-alive connections at once (fastify's default), requests in progress get `graceMs` to
 * finish, then their connections are cut and logged. Without the bound a request that never completes (a client
 * that sent half a body and went quiet, a response a client stopped reading) held stop() until the peer gave up:
 * a test teardown once waited 30–40 s, a service manager would have killed the process instead.
 */
export async function closeWithin(app: FastifyInstance, open: () => string[], log: Logger, graceMs = CLOSE_GRACE_MS): Promise<void> {
  const timer = setTimeout(() => {
    log.warn({ requests: open(), graceMs }, 'http: requests still in progress at shutdown; closing their connections');
    app.server.closeAllConnections();
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}
