import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scopeOf, type ApiContext } from '../api/context.js';
import { route } from '../api/route.js';
import type { LiveClient } from './fanout.js';

/**
 * GET /api/v1/live: Server-Sent Events of the board, in the caller's scope only.
 *   event: ready    data {serverTime}: (re)connected; a client reloads the list (GET /devices) on every ready
 *   event: device   data {id, ...changed fields}: a board row's changes, at most one per device per second
 *                   (the whole row when a device comes into scope)
 *   event: remove   data {id}: the device left the caller's scope or the registry
 *   event: end      data {code}: the server ends the stream (session ended: TW_UNAUTHENTICATED; too slow to
 *                   follow: TW_RATE_LIMITED; shutdown); EventSource reconnects by itself after `retry`
 *   : ping          every 15 s, so proxies keep the connection
 */
export function liveRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/live', summary: 'Live board updates (Server-Sent Events)', tags: ['live'], produces: ['text/event-stream'],
    description: 'text/event-stream with events ready, device, remove, end (docs/dashboard.md "Live updates")',
    response: z.string().meta({ description: 'text/event-stream' }),
  }, async (req, reply) => {
    const scope = await scopeOf(ctx, req);
    const session = req.session;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // nginx and similar proxies would otherwise buffer the stream
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ serverTime: Date.now() })}\n\n`);
    let open = true;
    const client: LiveClient = {
      scope,
      userId: session.user.id,
      sessionHash: session.hash,
      backlog: () => res.writableLength,
      write: (chunk) => {
        if (open) res.write(chunk);
      },
      close: (reason) => {
        if (!open) return;
        open = false;
        if (reason) res.write(`event: end\ndata: ${JSON.stringify({ code: reason })}\n\n`);
        res.end();
      },
    };
    ctx.live.fanout.add(client);
    res.on('close', () => {
      open = false;
      ctx.live.fanout.remove(client);
    });
    return reply;
  });
}
