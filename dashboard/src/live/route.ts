import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '@tianwang/core/errors';
import { scopeOf, type ApiContext } from '../api/context.js';
import { route } from '../api/route.js';
import type { LiveClient } from './fanout.js';

/** A browser shows 20–60 rows at once; a watch of more is refused (400), not truncated. */
export const MAX_WATCHED = 200;

const WatchBody = z.object({
  stream: z.string().min(1).max(64).meta({ description: 'the stream id from the `ready` event' }),
  ids: z.array(z.string().min(1).max(64)).max(MAX_WATCHED).meta({ description: 'the devices whose telemetry the stream receives (the rows on screen); replaces the previous set' }),
});

/**
 * GET /api/v1/live: Server-Sent Events of the board, in the caller's scope only.
 *   event: ready    data {serverTime, stream}: (re)connected; a client reloads the list (GET /devices) on every
 *                   ready and says again which rows it shows (POST /live/watch with the new stream id)
 *   event: patch    data [patch, …]: one event per flush (every second): the status changes of every row in scope
 *                   ({id, ...changed fields}; the whole row when a device comes into scope; {id, removed: true}
 *                   when it leaves the scope or the registry) and the telemetry of the watched rows
 *                   ({id, telemetryTs, lastSeen, tm: changed keys} or the whole `telemetry`) (wire.ts)
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
    const stream = randomBytes(12).toString('base64url');
    res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ serverTime: Date.now(), stream })}\n\n`);
    let open = true;
    const client: LiveClient = {
      stream,
      watch: new Set(),
      scope,
      userId: session.user.id,
      sessionHash: session.hash,
      backlog: () => res.writableLength,
      write: (...chunks) => {
        if (!open) return;
        if (chunks.length === 1) {
          res.write(chunks[0]!);
          return;
        }
        // one writev for the pieces of one event (the group's shared head, the client's own rows)
        res.cork();
        for (const chunk of chunks) res.write(chunk);
        res.uncork();
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

  route(app, {
    method: 'POST', url: '/live/watch', summary: 'Set the rows whose telemetry a live stream receives (its viewport)', tags: ['live'], body: WatchBody, response: null,
    description: `Replaces the stream's watched rows (at most ${MAX_WATCHED}); ids outside the caller's scope or unknown are ignored. The newly watched rows' telemetry is sent on the stream at once. 404 TW_NOT_FOUND: no such stream of this session.`,
  }, async (req, reply) => {
    const client = ctx.live.fanout.stream(req.body.stream, req.session.hash);
    if (!client) throw new NotFoundError('live stream');
    ctx.live.fanout.setWatch(client, req.body.ids, (id) => ctx.live.board.get(id));
    return reply.code(204).send();
  });
}
