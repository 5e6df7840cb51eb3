import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Registry } from '@tianwang/core/registry';
import { publicDraws } from '../../api/kitchens/public-draws.js';
import type { AddressLimit } from '../../public/address-limit.js';
import { districts, inspections, kitchenByCode, searchKitchens } from '../../public/kitchen-facts.js';
import { liveGrant, type LiveGrantDeps } from '../../public/live-grant.js';
import { CSS, JS } from './assets.js';
import { drawsPage, kitchenPage, listPage, shell } from './view.js';

export interface PublicKitchensOptions {
  registry: Registry;
  publicUrl: string;
  timezone: string;
  limit: AddressLimit;
  live: Omit<LiveGrantDeps, 'db' | 'timezone'>;
  /** where browsers reach the relay (TW_STREAMS_PUBLIC_URL); unset: this request's host on TW_STREAMS_HTTP_PORT */
  relayPublicUrl?: string | undefined;
  relayPort: number;
}

type Code = { code: string };
const PAGE_CACHE = 'public, max-age=60';
const ASSET_CACHE = 'public, max-age=86400';

/**
 * 阳光厨房 / 外卖放心点: the public kitchen pages, server-rendered (no sign-in, no web-app bundle: a phone loads one
 * HTML page, one small stylesheet and one small script; mpegts.js only where the browser has no native HLS). Pages
 * and QR codes are the same for everyone and cacheable (a CDN or the browser keeps them a minute, QR codes a day);
 * only the live grant is per viewer and never cached. Every route is rate limited per client address.
 *   GET /k                    list, searchable by district (its whole tree) and name or address
 *   GET /k/draws              published 双随机 draws
 *   GET /k/<code>             one kitchen; <code> is its random public code (kitchens.public_code)
 *   GET /k/<code>/qr.png|svg  QR code of the page's short URL, for the door and the delivery listing
 *   POST /k/<code>/live       the live grant (live-grant.ts)
 */
export async function publicKitchensPlugin(app: FastifyInstance, o: PublicKitchensOptions): Promise<void> {
  const db = o.registry.db;
  const mpegtsFile = createRequire(import.meta.url).resolve('mpegts.js/dist/mpegts.js');
  let mpegts: Buffer | undefined;
  const urlOf = (code: string) => `${o.publicUrl.replace(/\/+$/, '')}/k/${code}`;
  const relayBase = (req: FastifyRequest) => o.relayPublicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.hostname.replace(/:\d+$/, '')}:${o.relayPort}`;
  // the pages load only our own stylesheet and script, and media from the relay
  const csp = (req: FastifyRequest) => {
    const relay = new URL(relayBase(req)).origin;
    return `default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; media-src ${relay} blob:; connect-src 'self' ${relay}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
  };
  const html = (req: FastifyRequest, reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', status === 200 ? PAGE_CACHE : 'public, max-age=10').header('content-security-policy', csp(req)).send(body);
  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    html(req, reply, shell('未找到', '<section class="card"><h1>未找到该餐饮单位</h1><p class="en">No such kitchen.</p><p><a href="/k">全部阳光厨房 <span class="en">All open kitchens</span></a></p></section>'), 404);

  app.addHook('onRequest', async (req, reply) => {
    const wait = await o.limit.hit(req.ip);
    if (wait) return reply.code(429).header('retry-after', String(wait)).header('cache-control', 'no-store').send({ code: 'TW_RATE_LIMITED', message: `too many requests from this address; retry in ${wait} s` });
  });

  app.get('/k/assets/kitchen.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', ASSET_CACHE).send(CSS));
  app.get('/k/assets/kitchen.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', ASSET_CACHE).send(JS));
  app.get('/k/assets/mpegts.js', async (_req, reply) => {
    mpegts ??= await readFile(mpegtsFile);
    return reply.type('text/javascript; charset=utf-8').header('cache-control', ASSET_CACHE).send(mpegts);
  });

  app.get<{ Querystring: { district?: string; q?: string } }>('/k', async (req, reply) => {
    const district = typeof req.query.district === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(req.query.district) ? req.query.district : undefined;
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 40) || undefined : undefined;
    const limit = 50;
    return html(req, reply, listPage({ districts: await districts(db), district, q, kitchens: await searchKitchens(db, { district, q, limit }), limit }));
  });

  app.get('/k/draws', async (req, reply) => html(req, reply, drawsPage(await publicDraws(db, 20), o.timezone)));

  app.get<{ Params: Code }>('/k/:code', async (req, reply) => {
    const k = await kitchenByCode(db, req.params.code);
    if (!k) return notFound(req, reply);
    return html(req, reply, kitchenPage(k, await inspections(db, k.id), o.timezone));
  });

  app.get<{ Params: Code & { format: string } }>('/k/:code/qr.:format', async (req, reply) => {
    const k = await kitchenByCode(db, req.params.code);
    if (!k || (req.params.format !== 'png' && req.params.format !== 'svg')) return notFound(req, reply);
    // error correction M: still readable from a scuffed sticker on a door; margin 2 modules
    const opts = { errorCorrectionLevel: 'M' as const, margin: 2 };
    // a delivery platform may show the image on its own pages
    reply.header('cache-control', ASSET_CACHE).header('cross-origin-resource-policy', 'cross-origin').header('content-disposition', `inline; filename="kitchen-${k.code}.${req.params.format}"`);
    if (req.params.format === 'svg') return reply.type('image/svg+xml').send(await QRCode.toString(urlOf(k.code), { ...opts, type: 'svg' }));
    return reply.type('image/png').send(await QRCode.toBuffer(urlOf(k.code), { ...opts, type: 'png', width: 512 }));
  });

  app.post<{ Params: Code }>('/k/:code/live', async (req, reply) => {
    // a grant takes a viewer place: another site's page does not get to spend them
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return reply.code(403).send({ code: 'TW_FORBIDDEN', message: 'cross-site request' });
    const k = await kitchenByCode(db, req.params.code);
    if (!k) return reply.code(404).send({ code: 'TW_NOT_FOUND', message: 'no such kitchen' });
    const g = await liveGrant({ ...o.live, db, timezone: o.timezone }, k, relayBase(req));
    return reply.code(g.state === 'full' ? 429 : 200).header('cache-control', 'no-store').send(g);
  });
}
