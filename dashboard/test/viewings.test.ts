import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { freePort, tempDir } from '@tianwang/core/testing';
import { silentLogger } from '@tianwang/core/log';
import { createHash } from 'node:crypto';
import { hashSecret, issueSessionToken } from '@tianwang/core/crypto';
import { createStreams, type Streams } from '@tianwang/streams';
import { publish } from '../../streams/test/helpers/relay-fixture.js';
import { canonicalJson } from '../src/kitchens/canonical.js';
import { PASSWORD, SECRET, login, startWorld, type Login, type World } from './helpers/world.js';

/**
 * Live viewing through a real relay (streams' createStreams on the same registry and secret): the dashboard
 * issues the relay's signed URLs for cameras in scope and records who watched what, when, how long.
 */
let w: World;
let relay: Streams;
let relayBase: string;
let admin: Login;
let insp1: Login;
let insp2: Login;
let rtmpPort: number;
const CAM_SECRET = 'cam-1-secret-0123456789abcdef';

beforeAll(async () => {
  const httpPort = await freePort();
  rtmpPort = await freePort();
  relayBase = `http://127.0.0.1:${httpPort}`;
  w = await startWorld({ env: { TW_STREAMS_API_URL: relayBase } });
  const { loadConfig } = await import('@tianwang/core/config');
  const config = loadConfig({
    TW_DATA_DIR: await tempDir('dash-relay'), TW_SECRET_KEY: SECRET, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: String(rtmpPort), TW_STREAMS_HTTP_PORT: String(httpPort),
    TW_STREAMS_METRICS_PORT: String(await freePort()), TW_CAMERA_HEALTH_MODE: 'off', TW_KEY_PREFIX: `dr${process.pid}`, TW_REDIS_URL: w.redis.url,
  });
  // CAM-1 pushes with a publish secret; a second D1 inspector so that a draw can give K1 two inspectors
  const cam = (await w.registry.kitchens.listCameras()).find((c) => c.id === 'CAM-1')!;
  await w.registry.kitchens.upsertCamera({ ...cam, publishCredentialHash: hashSecret(CAM_SECRET) });
  await w.registry.users.upsert({ id: 'insp1b', username: 'insp1b', displayName: '东区检查员乙', role: 'inspector', phone: null, districtId: 'D1', unitId: null, maintenanceCompanyId: null, password: PASSWORD });
  relay = createStreams(config, { registry: w.registry, log: silentLogger() });
  await relay.start();
  admin = await login(w.dashboard, 'admin');
  insp1 = await login(w.dashboard, 'insp1');
  insp2 = await login(w.dashboard, 'insp2');
}, 120_000);
afterAll(async () => {
  await relay?.stop();
  await w?.close();
});

const call = (s: Login | null, method: InjectOptions['method'], url: string, csrf = true) =>
  w.dashboard.app.inject({ method, url, headers: s ? s.headers(csrf && method !== 'GET') : {} });

describe('audited viewing through the relay', () => {
  it('issues the relay’s signed URLs for a camera in scope; the relay accepts them and refuses the unsigned one', async () => {
    const res = await call(insp1, 'POST', '/api/v1/cameras/CAM-1/play');
    expect(res.statusCode, res.body).toBe(200);
    const play = res.json() as { viewingId: number; flv: string; wsFlv: string; hls: string };
    expect(play.wsFlv).toMatch(/^ws:\/\//);
    expect(play.flv).toContain('CAM-1');
    const flv = new URL(play.flv);
    flv.protocol = 'http:';
    flv.host = new URL(relayBase).host;
    // signed: the relay checks the signature first, then finds no publisher (404); unsigned: 401 before anything
    const signed = await fetch(flv);
    expect(signed.status).toBe(404);
    await signed.body?.cancel();
    const unsigned = await fetch(`${relayBase}${flv.pathname}`);
    expect(unsigned.status).toBe(401);
    await unsigned.body?.cancel();
  });

  it('records who watched which camera, when and how long; renew moves it, end closes it; admins read the audit', async () => {
    const { viewingId } = (await call(insp1, 'POST', '/api/v1/cameras/CAM-1/play')).json() as { viewingId: number };
    const renewed = await call(insp1, 'POST', `/api/v1/viewings/${viewingId}/renew`);
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().viewingId).toBe(viewingId);
    // another user's viewing is not found, nor is an ended one
    expect((await call(admin, 'POST', `/api/v1/viewings/${viewingId}/renew`)).statusCode).toBe(404);
    expect((await call(insp1, 'POST', `/api/v1/viewings/${viewingId}/end`)).statusCode).toBe(204);
    expect((await call(insp1, 'POST', `/api/v1/viewings/${viewingId}/renew`)).statusCode).toBe(404);
    const audit = await call(admin, 'GET', '/api/v1/viewings?userId=insp1');
    expect(audit.statusCode).toBe(200);
    const row = (audit.json().items as { id: number }[]).find((v) => v.id === viewingId);
    expect(row).toMatchObject({ userId: 'insp1', cameraId: 'CAM-1', kitchenId: 'K1', kitchenName: '1号食堂', endedAt: expect.any(String), durationS: expect.any(Number) });
    expect((await call(insp1, 'GET', '/api/v1/viewings')).statusCode).toBe(403);
    const xlsx = await call(admin, 'GET', '/api/v1/viewings?format=xlsx');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });

  it('answers a camera’s health from the relay’s monitor (unknown before a check); out of scope 404', async () => {
    const h = await call(insp1, 'GET', '/api/v1/cameras/CAM-1/health');
    expect(h.statusCode, h.body).toBe(200);
    expect(h.json()).toMatchObject({ cameraId: 'CAM-1', state: 'unknown', checkedAt: null });
    expect((await call(insp2, 'GET', '/api/v1/cameras/CAM-1/health')).statusCode).toBe(404);
    expect((await call(insp1, 'GET', '/api/v1/cameras/CAM-404/health')).statusCode).toBe(404);
  });

  it('scope: another district’s camera is 404 (and no viewing recorded), a unit 403, no session 401, no CSRF 403', async () => {
    const before = await w.registry.db.query<{ n: number }>('SELECT count(*)::int AS n FROM camera_viewings');
    expect((await call(insp2, 'POST', '/api/v1/cameras/CAM-1/play')).statusCode).toBe(404);
    expect((await call(insp2, 'POST', '/api/v1/cameras/CAM-404/play')).statusCode).toBe(404);
    expect(await w.registry.db.query('SELECT count(*)::int AS n FROM camera_viewings')).toEqual(before);
    expect((await call(insp2, 'POST', '/api/v1/cameras/CAM-3/play')).statusCode).toBe(200);
    const unit1 = await login(w.dashboard, 'unit1');
    expect((await call(unit1, 'POST', '/api/v1/cameras/CAM-1/play')).statusCode).toBe(403);
    expect((await call(null, 'POST', '/api/v1/cameras/CAM-1/play')).statusCode).toBe(401);
    expect((await call(insp1, 'POST', '/api/v1/cameras/CAM-1/play', false)).statusCode).toBe(403);
  });
});

describe('online spot-check from a draw, with snapshot evidence through the relay', () => {
  it('draw → task → snapshot (its hash matches the relay’s bytes) → signed record; a failed item needs evidence', async () => {
    const drawRes = await w.dashboard.app.inject({ method: 'POST', url: '/api/v1/draws', headers: insp1.headers(true), payload: { period: '2026-12', count: 1 } });
    expect(drawRes.statusCode, drawRes.body).toBe(201);
    const drawId = drawRes.json().id as number;
    const tasks = (await call(insp1, 'GET', '/api/v1/spot-checks?mine=true')).json().items as { id: number; drawId: number; kitchenId: string; status: string }[];
    const task = tasks.find((t) => t.drawId === drawId)!;
    expect(task).toMatchObject({ kitchenId: 'K1', status: 'assigned' });
    expect((await call(insp2, 'GET', `/api/v1/spot-checks/${task.id}`)).statusCode).toBe(404);

    const camera = publish(`rtmp://127.0.0.1:${rtmpPort}/live/CAM-1?token=${CAM_SECRET}`);
    try {
      let snap: { snapshotId: number; sha256: string; cameraId: string } | undefined;
      const until = Date.now() + 30_000;
      while (!snap && Date.now() < until) {
        const res = await w.dashboard.app.inject({ method: 'POST', url: `/api/v1/spot-checks/${task.id}/snapshots`, headers: insp1.headers(true), payload: { cameraId: 'CAM-1' } });
        if (res.statusCode === 201) snap = res.json();
        else await new Promise((r) => setTimeout(r, 200));
      }
      expect(snap, 'a snapshot within 30 s of publishing').toBeDefined();
      const jpeg = await fetch(`${relayBase}/api/snapshots/${snap!.snapshotId}`, { headers: { authorization: `Bearer ${issueSessionToken(SECRET, { sub: 'insp1', role: 'inspector', district: 'D1' })}` } });
      const bytes = Buffer.from(await jpeg.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(snap!.sha256);
      // the same JPEG through the dashboard (same origin for the browser), with its recorded hash; out of scope: 404
      const viaDash = await call(insp1, 'GET', `/api/v1/snapshots/${snap!.snapshotId}`);
      expect([viaDash.statusCode, viaDash.headers['content-type'], viaDash.headers['x-content-sha256']]).toEqual([200, 'image/jpeg', snap!.sha256]);
      expect(createHash('sha256').update(viaDash.rawPayload).digest('hex')).toBe(snap!.sha256);
      expect((await call(insp2, 'GET', `/api/v1/snapshots/${snap!.snapshotId}`)).statusCode).toBe(404);

      const noEvidence = await w.dashboard.app.inject({ method: 'POST', url: `/api/v1/spot-checks/${task.id}/record`, headers: insp1.headers(true), payload: { items: [{ key: 'hats_masks', pass: false }] } });
      expect(noEvidence.statusCode).toBe(400);
      const rec = await w.dashboard.app.inject({
        method: 'POST', url: `/api/v1/spot-checks/${task.id}/record`, headers: insp1.headers(true),
        payload: { items: [{ key: 'hats_masks', pass: false, snapshotIds: [snap!.snapshotId] }, { key: 'no_pests', pass: true }], notes: '后厨人员未戴口罩' },
      });
      expect(rec.statusCode, rec.body).toBe(200);
      const r = rec.json();
      expect(r).toMatchObject({ status: 'rectifying', result: 'fail', recordedBy: 'insp1' });
      expect(r.items[0].evidence[0]).toMatchObject({ snapshotId: snap!.snapshotId, sha256: snap!.sha256 });
      // the record hash is the SHA-256 of the record's canonical JSON, and the append-only audit log holds it
      const record = { spotCheckId: task.id, drawId, kitchenId: 'K1', inspector: 'insp1', inspectorName: 'insp1 用户', recordedAt: r.recordedAt, items: r.items, result: 'fail', notes: '后厨人员未戴口罩' };
      expect(createHash('sha256').update(canonicalJson(record)).digest('hex')).toBe(r.recordHash);
      const audit = await w.registry.audit.forSubject('spot_check', String(task.id));
      expect(audit[0]!.detail).toMatchObject({ recordHash: r.recordHash, evidence: [snap!.sha256] });
      // recorded once; another district's inspector cannot touch it
      expect((await w.dashboard.app.inject({ method: 'POST', url: `/api/v1/spot-checks/${task.id}/record`, headers: insp1.headers(true), payload: { items: [{ key: 'no_pests', pass: true }] } })).statusCode).toBe(409);
      expect((await w.dashboard.app.inject({ method: 'POST', url: `/api/v1/spot-checks/${task.id}/record`, headers: insp2.headers(true), payload: { items: [{ key: 'no_pests', pass: true }] } })).statusCode).toBe(404);
      expect((await w.dashboard.app.inject({ method: 'POST', url: `/api/v1/spot-checks/${task.id}/record`, headers: insp1.headers(false), payload: { items: [{ key: 'no_pests', pass: true }] } })).statusCode).toBe(403);
    } finally {
      camera.kill('SIGKILL');
      await camera.exited;
    }
  }, 60_000);
});
