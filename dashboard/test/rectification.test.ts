import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { freePort, tempDir, waitFor } from '@tianwang/core/testing';
import { startSmsWorld, type SmsWorld } from './helpers/sms-world.js';
import { PASSWORD, login, type Login } from './helpers/world.js';

/**
 * The rectification loop of a failed spot check on real parts: PGlite, Redis, the alerts workers sending through
 * the local Aliyun endpoint, the dashboard listening on a port (the restaurant's page is fetched over a socket).
 */
let w: SmsWorld;
let base: string;
let dataDir: string;
let insp1: Login;
let insp2: Login;
const PHONE = '+8613700000009';
// a 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF rectified bins'), Buffer.from([0xff, 0xd9])]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  dataDir = await tempDir('rectify');
  w = await startSmsWorld({ TW_DATA_DIR: dataDir, TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(await freePort()) });
  await w.dashboard.start();
  base = w.dashboard.address()!;
  const k1 = (await w.registry.kitchens.list()).find((k) => k.id === 'K1')!;
  await w.registry.kitchens.upsert({ ...k1, contactName: '李店长', contactPhone: PHONE });
  await w.registry.users.upsert({ id: 'insp1b', username: 'insp1b', displayName: '东区检查员乙', role: 'inspector', phone: null, districtId: 'D1', unitId: null, maintenanceCompanyId: null, password: PASSWORD });
  insp1 = await login(w.dashboard, 'insp1');
  insp2 = await login(w.dashboard, 'insp2');
}, 120_000);
afterAll(async () => {
  await w?.close();
});

const call = (s: Login, method: InjectOptions['method'], url: string, payload?: unknown) =>
  w.dashboard.app.inject({ method, url, headers: s.headers(method !== 'GET'), ...(payload !== undefined ? { payload: payload as object } : {}) });

/** a drawn spot check of K1 recorded as failed (hats and masks), with a snapshot of CAM-1 as its evidence */
async function failedCheck(): Promise<number> {
  const admin = await login(w.dashboard, 'admin');
  const d = await call(admin, 'POST', '/api/v1/draws', { period: `R-${Date.now()}`, districtId: 'D1', count: 1 });
  expect(d.statusCode, d.body).toBe(201);
  const [task] = await w.registry.db.query<{ id: number }>('SELECT id::int AS id FROM spot_checks WHERE draw_id = $1', [(d.json() as { id: number }).id]);
  const [snap] = await w.registry.db.query<{ id: number }>(
    "INSERT INTO snapshots (camera_id, taken_at, taken_by, path, sha256, bytes) VALUES ('CAM-1', now(), 'insp1', 'CAM-1/x.jpg', $1, 10) RETURNING id::int AS id", [sha(JPEG)]);
  const rec = await call(insp1, 'POST', `/api/v1/spot-checks/${task!.id}/record`, { items: [{ key: 'hats_masks', pass: false, snapshotIds: [snap!.id] }, { key: 'no_pests', pass: true }], notes: '后厨两人未戴口罩' });
  expect(rec.statusCode, rec.body).toBe(200);
  return task!.id;
}

const linkIn = (sms: { params?: Record<string, string> }) => {
  const m = /^http:\/\/tw\.test\/r\/([A-Za-z0-9]+)$/.exec(sms.params?.link ?? '');
  expect(m, JSON.stringify(sms)).toBeTruthy();
  return m![1]!;
};
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;
const page = async (id: string) => {
  const res = await fetch(`${base}/r/${id}`);
  return { status: res.status, html: await res.text(), csp: res.headers.get('content-security-policy') ?? '' };
};
const upload = (id: string, body: Buffer, type: string, csrf: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/r/${id}/photos`, { method: 'POST', headers: { 'content-type': type, 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin', ...headers }, body });
const reply = (id: string, csrf: string, note: string) =>
  fetch(`${base}/r/${id}/reply`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ csrf, note }).toString() });
const status = async (id: number) => (await w.registry.db.query<{ status: string }>('SELECT status FROM spot_checks WHERE id = $1', [id]))[0]!.status;

describe('rectification loop (整改闭环)', () => {
  it('a failed check sends the restaurant a notice by SMS; the reply with photos reaches the inspector, who sends it back, then accepts it', async () => {
    // the kitchen's SMS so far: this test reads only its own (run again, the earlier run's links are stale)
    const toKitchen = (r: { to: string }) => r.to.endsWith('13700000009');
    const before = w.aliyun.received.filter(toKitchen).length;
    const id = await failedCheck();
    // the notice: through the alerts SMS path (the registered alarm template), to the kitchen's contact
    const sms = (await w.aliyun.waitFor(before + 1, 15_000, toKitchen)).at(-1);
    expect(sms!.templateCode).toBe('SMS_ALARM');
    expect(sms!.params).toMatchObject({ unit: '1号食堂', device: '明厨亮灶线上抽检' });
    expect(sms!.params!.what).toContain('从业人员规范佩戴工作帽、口罩');
    const link1 = linkIn(sms!);
    // the re-check date: in a week by default, on the check and in the inspector's list
    const listed = (await call(insp1, 'GET', '/api/v1/spot-checks?status=rectifying')).json() as { items: { id: number; recheckDue: string; rectificationRound: number }[] };
    const mine = listed.items.find((s) => s.id === id)!;
    expect(mine.rectificationRound).toBe(1);
    expect(Date.parse(mine.recheckDue) - Date.now()).toBeGreaterThan(5 * 86_400_000);

    // the restaurant's page: no login, what failed, by when, the reply form; its own strict CSP
    const p1 = await page(link1);
    expect(p1.status).toBe(200);
    expect(p1.html).toContain('1号食堂');
    expect(p1.html).toContain('从业人员规范佩戴工作帽、口罩');
    expect(p1.html).toContain(mine.recheckDue);
    expect(p1.csp).toContain("script-src 'nonce-");
    const csrf = csrfOf(p1.html);

    // bad input is refused with a reason and stores nothing
    expect((await upload(link1, PNG, 'image/jpeg', csrf)).status).toBe(415); // the bytes are a PNG
    expect((await upload(link1, Buffer.from('<svg/>'), 'image/png', csrf)).status).toBe(415);
    expect((await upload(link1, PNG, 'image/png', 'wrong')).status).toBe(403);
    expect((await upload(link1, PNG, 'image/png', csrf, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await reply(link1, csrf, '已整改')).status).toBe(400); // no photo yet
    expect((await fetch(`${base}/r/NoSuchLink123`)).status).toBe(404);
    expect(await w.registry.db.query('SELECT id FROM rectification_photos WHERE spot_check_id = $1', [id])).toHaveLength(0);

    const up = await upload(link1, PNG, 'image/png', csrf);
    expect(up.status).toBe(201);
    const photo = (await up.json()) as { id: number; sha256: string };
    expect(photo.sha256).toBe(sha(PNG));
    expect(await readFile(join(dataDir, 'rectification-photos', photo.sha256.slice(0, 2), photo.sha256))).toEqual(PNG);
    const sent = await reply(link1, csrf, '已为后厨员工配发口罩');
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/r/${link1}?done=reply`);
    expect(await status(id)).toBe('replied');
    expect((await page(link1)).html).toContain('已提交整改');
    expect((await upload(link1, JPEG, 'image/jpeg', csrf)).status).toBe(409); // the round is answered

    // the inspector sees the reply and its photo (bytes and hash), and sends it back with a reason
    type Rounds = { rounds: { reply: { note: string; repliedBy: string; photos: { url: string; sha256: string }[] }; notice: { to: string; status: string } }[] };
    const roundsNow = async () => (await call(insp1, 'GET', `/api/v1/spot-checks/${id}/rectification`)).json() as Rounds;
    // the worker marks the notice sent once the provider has answered, a moment after the provider has the message
    const rounds = await waitFor(async () => { const r = await roundsNow(); return r.rounds[0]?.notice.status === 'sent' ? r : undefined; }, { timeoutMs: 10_000, what: 'the first notice marked sent' });
    expect(rounds.rounds[0]!.reply).toMatchObject({ note: '已为后厨员工配发口罩', repliedBy: expect.stringContaining('李店长') as string });
    expect(rounds.rounds[0]!.notice).toMatchObject({ to: '+86****0009', status: 'sent' });
    const img = await call(insp1, 'GET', rounds.rounds[0]!.reply.photos[0]!.url);
    expect(img.rawPayload).toEqual(PNG);
    expect(img.headers['x-content-sha256']).toBe(sha(PNG));
    expect((await call(insp2, 'GET', `/api/v1/spot-checks/${id}/rectification`)).statusCode).toBe(404); // out of scope
    expect((await call(insp1, 'POST', `/api/v1/spot-checks/${id}/rectification/return`, { reason: '' })).statusCode).toBe(400);
    const back = await call(insp1, 'POST', `/api/v1/spot-checks/${id}/rectification/return`, { reason: '照片中仍有员工未戴口罩' });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ status: 'rectifying', rectificationRound: 2 });

    // round 2: a second SMS with the reason and a new link; the old link says it was replaced and takes no reply
    const sms2 = (await w.aliyun.waitFor(before + 2, 15_000, toKitchen)).at(-1);
    expect(sms2!.params!.what).toContain('照片中仍有员工未戴口罩');
    const link2 = linkIn(sms2!);
    expect(link2).not.toBe(link1);
    expect((await page(link1)).html).toContain('已被新的整改通知取代');
    expect((await reply(link1, csrf, 'again')).headers.get('location')).toBe(`/r/${link1}`);
    expect(await status(id)).toBe('rectifying');
    const csrf2 = csrfOf((await page(link2)).html);
    expect((await upload(link2, JPEG, 'image/jpeg', csrf2)).status).toBe(201);
    expect((await reply(link2, csrf2, '全员已佩戴口罩，见照片')).status).toBe(303);

    // only a drawn inspector decides; accepting closes the check
    expect((await call(insp2, 'POST', `/api/v1/spot-checks/${id}/rectification/accept`, {})).statusCode).toBe(404);
    const ok = await call(insp1, 'POST', `/api/v1/spot-checks/${id}/rectification/accept`, { note: '复查合格' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'closed', closedBy: 'insp1' });
    expect((await call(insp1, 'POST', `/api/v1/spot-checks/${id}/rectification/accept`, {})).statusCode).toBe(409);
    expect((await page(link2)).html).toContain('复查通过');

    // audited, in order, with the photos' hashes
    const audit = await w.registry.audit.forSubject('spot_check', String(id));
    expect(audit.map((e) => e.action)).toEqual([
      'spot_check.recorded', 'spot_check.rectification_notice', 'spot_check.rectification_replied',
      'spot_check.rectification_returned', 'spot_check.rectification_notice', 'spot_check.rectification_replied', 'spot_check.rectification_accepted',
    ]);
    expect(audit[2]!.detail).toMatchObject({ round: 1, photos: [sha(PNG)] });
    expect(audit[2]!.actorType).toBe('contact');
  });

  it('a notice whose send job never reached the queue is still sent (the alerts workers find the row)', async () => {
    // the row as the dashboard writes it in its transaction, without queueing its job (Redis away at that moment)
    const toContact = (r: { to: string }) => r.to.endsWith('13700000008');
    const before = w.aliyun.received.filter(toContact).length;
    const id = await w.dashboard.api.rectify.actions.notices.create(w.registry.db, {
      stage: 'kitchen-rectify-test-1', recipientName: '餐饮单位联系人', recipientPhone: '+8613700000008', unit: '3号食堂',
      subject: { 'zh-CN': '明厨亮灶线上抽检', en: 'online kitchen inspection' }, what: { 'zh-CN': '不合格', en: 'failed' }, time: '12-03 10:00', link: 'http://tw.test/r/abcdefghij',
    });
    const got = (await w.aliyun.waitFor(before + 1, 15_000, toContact)).at(-1);
    expect(got!.params).toMatchObject({ unit: '3号食堂', link: 'http://tw.test/r/abcdefghij' });
    // the worker marks the row sent once the provider has answered, a moment after the provider has the message
    const status = async () => (await w.registry.db.query<{ status: string }>('SELECT status FROM notifications WHERE id = $1', [id]))[0]?.status;
    await waitFor(async () => ((await status()) === 'sent' ? true : undefined), { timeoutMs: 10_000, what: 'the notice marked sent' });
  });
});
