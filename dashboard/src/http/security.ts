import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    /** per-response nonce for the one inline <style> of server-rendered pages */
    cspNonce: string;
  }
}

/**
 * Security headers on every response. Pages are plain server-rendered HTML without scripts or external assets,
 * so the default policy can be strict: nothing loads from anywhere, styles only with this response's nonce,
 * forms only post to us, no framing. no-referrer matters most: acknowledgement URLs are capabilities. A route
 * that serves scripts (the web app, the Swagger UI) sets its own content-security-policy, which is kept.
 */
export function securityHeaders(app: FastifyInstance): void {
  app.decorateReply('cspNonce', '');
  app.addHook('onRequest', async (_req, reply) => {
    reply.cspNonce = randomBytes(16).toString('base64');
  });
  app.addHook('onSend', async (_req, reply: FastifyReply, payload) => {
    // a route that serves something else (the web app, the Swagger UI) sets its own policy; the default is the strictest
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', `default-src 'none'; style-src 'nonce-${reply.cspNonce}'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('cross-origin-resource-policy')) reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

/** application/x-www-form-urlencoded bodies (plain HTML forms), small. */
export function formBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

export const escapeHtml = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
