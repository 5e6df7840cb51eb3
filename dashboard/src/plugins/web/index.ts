import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { appCsp } from './csp.js';

export interface WebPluginOptions {
  /** the built app (Vite's outDir); default dashboard/dist/web (the same path from src/ and from dist/) */
  root?: string;
  /** extra connect-src sources (the stream relay's origin, relayCspOrigins) */
  connectOrigins?: string[];
}

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

/** Paths the app never owns: API, SMS acknowledgement links, probes. An unknown one stays a JSON 404. */
const NOT_APP = /^\/(?:api(?:\/|$)|a\/|healthz$|metrics$|assets\/)/;

/**
 * Serves the Vue app built by `vite build`: hashed files under /assets/ are immutable and cached for a year,
 * index.html is revalidated on every load (no-cache) so a deployment takes effect at the next navigation, and every
 * other GET path (the app's client-side routes: /login, /board, /devices/:id …) answers index.html, whose router
 * then shows the view or its own 404 page. These responses carry the app's CSP instead of the strict one the
 * server-rendered pages get: this plugin's onSend hook runs after the root's, so its header wins.
 */
export async function webPlugin(app: FastifyInstance, opts: WebPluginOptions): Promise<void> {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  const csp = appCsp(opts.connectOrigins);
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('content-security-policy', csp);
    return payload;
  });
  const built = existsSync(join(root, 'index.html'));
  if (!built) app.log.warn({ root }, 'web app not built (npm run build -w @tianwang/dashboard): app pages answer 503');
  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/assets/',
    // Vite puts a content hash in every file name under assets/: a changed file is a new URL
    maxAge: '365d',
    immutable: true,
    index: false,
    // a missing root only warns: the API keeps working when the app was not built
    suppressWarning: !built,
  });
  const sendIndex = (reply: FastifyReply) => {
    if (!built) return reply.code(503).type('text/plain; charset=utf-8').send('web app not built: npm run build -w @tianwang/dashboard\n');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };
  app.get('/', (_req, reply) => sendIndex(reply));
  app.get('/*', (req, reply) => {
    const path = req.url.split('?', 1)[0] ?? '/';
    // a path with an extension is a file request (favicon.ico, a stale asset), not an app route
    if (NOT_APP.test(path) || /\.[a-z0-9]+$/i.test(path)) return reply.code(404).send({ code: 'TW_NOT_FOUND', message: `no route GET ${path}` });
    return sendIndex(reply);
  });
}
