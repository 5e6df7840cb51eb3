import { get as httpGet } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import QRCode from 'qrcode';
import { deriveKey, publicAlias, verifyPlay } from '@tianwang/core/crypto';
import { freePort } from '@tianwang/core/testing';
import { hoursAround, updateK1 } from './helpers/kitchen-hours.js';
import { SECRET, login, startWorld, type World } from './helpers/world.js';

/**
 * The public kitchen pages (阳光厨房) over a real socket: what they show and never show, cache headers, QR codes,
 * the list, the live grant's rules (opt-in, business hours, viewer quota, time limit) and the per-address limit.
 */
let w: World;
let base: string;
let code: string;
const LIMIT = 60;
const RELAY = 'http://relay.test:8000';

const setKitchen = (over: Parameters<typeof updateK1>[1]) => updateK1(w.registry, over);
const around = hoursAround;
const grant = (c = code, headers: Record<string, string> = {}) => fetch(`${base}/k/${c}/live`, { method: 'POST', headers });

beforeAll(async () => {
  const port = await freePort();
  w = await startWorld({
    env: {
      TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(port), TW_PUBLIC_VIEW_S: '120', TW_PUBLIC_VIEWERS_PER_KITCHEN: '2', TW_PUBLIC_REQUESTS_PER_MIN: String(LIMIT),
      TW_STREAMS_PUBLIC_URL: RELAY,
    },
  });
  await w.dashboard.start();
  base = w.dashboard.address()!;
  await setKitchen({ address: '东区幸福路8号', contactName: '李店长', contactPhone: '+8613700000009' });
  const [row] = await w.registry.db.query<{ public_code: string }>("SELECT public_code FROM kitchens WHERE id = 'K1'");
  code = row!.public_code;
}, 120_000);
afterAll(async () => w?.close());

/** A GET over a socket bound to `localAddress` (any of 127.0.0.0/8), answering its status and retry-after. */
const getFrom = (localAddress: string, path: string) =>
  new Promise<{ status: number; retryAfter: number }>((resolve, reject) => {
    httpGet(`${base}${path}`, { localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: Number(res.headers['retry-after'] ?? NaN) }));
    }).on('error', reject);
  });

describe('public kitchen pages (阳光厨房)', () => {
  it('every kitchen has a random public code; admins see its path', async () => {
    expect(code).toMatch(/^[0-9a-f]{8}$/);
    const admin = await login(w.dashboard, 'admin');
    const res = await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/kitchens/K1', headers: admin.headers() });
    expect(res.json()).toMatchObject({ publicPath: `/k/${code}` });
  });

  it('shows name, licence, hours, inspection result and rating, the 12315 link; nothing internal; cacheable', async () => {
    const res = await fetch(`${base}/k/${code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('content-security-policy')).toContain(`media-src ${RELAY} blob:`);
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    for (const s of ['1号食堂', 'JY1310115000001', '东区幸福路8号', '06:00-19:00', 'tel:12315', '暂无线上抽检记录', '暂无评级', '本店未开放后厨直播']) expect(html).toContain(s);
    // no registry ids, cameras, contacts
    for (const s of ['K1', 'CAM-1', '李店长', '13700000009', 'G1']) expect(html).not.toContain(s);
    expect((await fetch(`${base}/k/00000000`)).status).toBe(404);
    expect((await fetch(`${base}/k/K1`)).status).toBe(404); // the registry id is not a public code

    // an inspection: the latest result and the rating follow the records (gone again after the test, whose start
    // and the other tests see K1 with none)
    onTestFinished(async () => {
      await w.registry.db.query("DELETE FROM spot_checks WHERE kitchen_id = 'K1'");
    });
    const [draw] = await w.registry.db.query<{ id: number }>("INSERT INTO random_draws (period, algorithm, seed, inputs, inputs_hash, result, result_hash, created_by) VALUES ('P', 'x', 's', '{}', 'h', '{}', 'h', 'admin') RETURNING id::int AS id");
    await w.registry.db.query("INSERT INTO spot_checks (draw_id, kitchen_id, inspector_ids, status, result, recorded_at) VALUES ($1, 'K1', '[]', 'rectifying', 'fail', now())", [draw!.id]);
    const failed = await (await fetch(`${base}/k/${code}`)).text();
    expect(failed).toContain('不合格');
    expect(failed).toContain('整改中');
    expect(failed).toMatch(/badge C">C 一般/);
    await w.registry.db.query("UPDATE spot_checks SET status = 'closed' WHERE kitchen_id = 'K1'");
    expect(await (await fetch(`${base}/k/${code}`)).text()).toMatch(/badge B">B 良好/);
  });

  it('serves the QR code of the short URL as PNG and SVG, cacheable for a day', async () => {
    const svg = await fetch(`${base}/k/${code}/qr.svg`);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('public, max-age=86400');
    // the same modules as the page's URL encoded afresh: the code points at /k/<code> under TW_PUBLIC_URL
    expect(await svg.text()).toBe(await QRCode.toString(`http://tw.test/k/${code}`, { errorCorrectionLevel: 'M', margin: 2, type: 'svg' }));
    const png = await fetch(`${base}/k/${code}/qr.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(512); // width from the IHDR chunk
    expect((await fetch(`${base}/k/${code}/qr.gif`)).status).toBe(404);
  });

  it('lists kitchens by district (its whole tree) and name', async () => {
    const all = await (await fetch(`${base}/k`)).text();
    expect(all).toContain('1号食堂');
    expect(all).toContain('3号食堂');
    const east = await (await fetch(`${base}/k?district=D1`)).text();
    expect(east).toContain(`/k/${code}`);
    expect(east).not.toContain('3号食堂');
    const named = await (await fetch(`${base}/k?q=${encodeURIComponent('3号')}`)).text();
    expect(named).toContain('3号食堂');
    expect(named).not.toContain('1号食堂');
    expect(await (await fetch(`${base}/k?q=${encodeURIComponent('%')}`)).text()).toContain('没有找到');
    expect(await (await fetch(`${base}/k/draws`)).text()).toContain('暂无公示');
  });

  it('grants a live view only when opted in and open, signed for the public for the view time; a quota per kitchen', async () => {
    // K1 as seeded again afterwards (not opted in, its usual hours), as the page test reads it
    onTestFinished(() => setKitchen({ publicViewing: false, businessHours: '06:00-19:00' }));
    expect(await (await grant()).json()).toMatchObject({ state: 'off' });
    await setKitchen({ publicViewing: true, businessHours: around(false) });
    expect(await (await grant()).json()).toMatchObject({ state: 'closed' });
    await setKitchen({ publicViewing: true, businessHours: around(true) });
    const res = await grant();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const g = (await res.json()) as { state: string; seconds: number; expiresAt: string; streams: { label: string; hls: string; flv: string }[] };
    expect(g).toMatchObject({ state: 'live', seconds: 120, streams: [{ label: '烹饪区' }] });
    const hls = new URL(g.streams[0]!.hls);
    expect(hls.origin).toBe(RELAY);
    // the camera by its public alias, never its id
    expect(hls.pathname).toBe(`/hls/pub/${publicAlias(deriveKey(SECRET, 'play-url'), 'CAM-1')}/index.m3u8`);
    expect(JSON.stringify(g)).not.toContain('CAM-1');
    // the relay's own check accepts it, with the public audience, for the view time only
    const check = verifyPlay(deriveKey(SECRET, 'play-url'), 'CAM-1', hls.searchParams);
    expect(check).toMatchObject({ ok: true, grant: { aud: 'p' } });
    expect(Math.abs(Date.parse(g.expiresAt) - Date.now() - 120_000)).toBeLessThan(5000);
    expect(verifyPlay(deriveKey(SECRET, 'play-url'), 'CAM-1', hls.searchParams, Date.now() + 125_000)).toMatchObject({ ok: false, reason: 'expired' });
    // two viewers at most (TW_PUBLIC_VIEWERS_PER_KITCHEN=2): the third waits
    expect((await grant()).status).toBe(200);
    const third = await grant();
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ state: 'full' });
    expect((await grant(code, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });

  it('limits requests per client address (429 with retry-after); another address is not affected', async () => {
    // from a loopback address of its own: the budget it spends is not the one of 127.0.0.1, which the other tests use
    const source = '127.0.0.9';
    let refused: { status: number; retryAfter: number } | undefined;
    // two windows' worth at most: a minute boundary in the middle still ends in a refusal
    for (let i = 0; i < 2 * LIMIT + 2 && !refused; i++) {
      const r = await getFrom(source, '/k/assets/kitchen.css');
      if (r.status === 429) refused = r;
      else expect(r.status).toBe(200);
    }
    expect(refused).toBeDefined();
    expect(refused!.retryAfter).toBeGreaterThan(0);
    expect(refused!.retryAfter).toBeLessThanOrEqual(60);
    expect((await getFrom(source, '/api/v1/public/draws')).status).toBe(429);
    const other = await w.dashboard.app.inject({ method: 'GET', url: '/k/assets/kitchen.css', remoteAddress: '10.9.8.7' });
    expect(other.statusCode).toBe(200);
  });
});
