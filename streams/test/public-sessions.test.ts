import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deriveKey, signPlay } from '@tianwang/core/crypto';
import { publicUrls, publish, readFrames, SECRET_KEY, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// The public rules on long sessions: a public grant's HTTP-FLV, WS-FLV or RTMP session is ended by the relay at the
// grant's expiry (it used to play on for as long as the client kept the connection) and when its kitchen stops showing
// its live view; a fresh grant plays again; an inspector's session is not cut.
let f: Fixture;
let camera: ReturnType<typeof publish>;

beforeAll(async () => {
  // cameras and kitchens re-read every 0.5 s: a kitchen that stops showing its live view is seen within that
  f = await startFixture({ tuning: { cacheRefreshMs: 500 } });
  camera = publish(f.publishUrl('cam-a'));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a'), 15_000);
});

afterAll(async () => {
  camera?.kill('SIGKILL');
  await f?.stop();
});

/** Public sessions the relay ended, by protocol and reason (tw_streams_play_ended_total). */
async function ended(protocol: string, reason: string): Promise<number> {
  const m = new RegExp(`tw_streams_play_ended_total\\{(?=[^}]*protocol="${protocol}")(?=[^}]*reason="${reason}")[^}]*\\} (\\d+)`).exec(await f.streams.metrics.metrics());
  return Number(m?.[1] ?? 0);
}

/** When a stream's bytes arrived: the first and the last, and whether the relay ended it before `giveUpAt`. */
interface Received {
  bytes: number;
  firstAt: number;
  lastAt: number;
  ended: boolean;
}

async function readHttp(url: string, giveUpAt: number): Promise<Received> {
  const r: Received = { bytes: 0, firstAt: 0, lastAt: 0, ended: false };
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const giveUp = setTimeout(() => void reader.cancel(), giveUpAt - Date.now());
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      r.bytes += value.length;
      r.firstAt ||= Date.now();
      r.lastAt = Date.now();
    }
    r.ended = Date.now() < giveUpAt;
  } catch {
    r.ended = Date.now() < giveUpAt; // the connection closed under the reader
  } finally {
    clearTimeout(giveUp);
  }
  return r;
}

function readWs(url: string, giveUpAt: number): Promise<Received & { code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const r = { bytes: 0, firstAt: 0, lastAt: 0, ended: false, code: 0, reason: '' };
    const ws = new WebSocket(url);
    const giveUp = setTimeout(() => ws.terminate(), giveUpAt - Date.now());
    ws.on('message', (d: Buffer) => {
      r.bytes += d.length;
      r.firstAt ||= Date.now();
      r.lastAt = Date.now();
    });
    ws.on('error', reject);
    ws.on('close', (code, reason) => {
      clearTimeout(giveUp);
      resolve({ ...r, ended: Date.now() < giveUpAt, code, reason: reason.toString() });
    });
  });
}

describe('a public grant’s session ends at its expiry', () => {
  it('over HTTP-FLV and WS-FLV: no byte later than ~1 s after it; an inspector’s session plays on; a fresh grant plays again', async () => {
    // 4 s grants: exp is in whole seconds, so 3–4 s from now
    const pub = publicUrls(f, 'cam-a', 4);
    const inspector = `${f.base}/play/cam-a.flv?${signPlay(deriveKey(SECRET_KEY, 'play-url'), 'cam-a', 4, 'i').query}`;
    const expMs = pub.exp * 1000;
    const giveUpAt = expMs + 4000;
    const [flv, ws, insp] = await Promise.all([readHttp(pub.flv, giveUpAt), readWs(pub.wsFlv, giveUpAt), readHttp(inspector, giveUpAt)]);
    for (const r of [flv, ws]) {
      expect(r.bytes).toBeGreaterThan(10_000);
      expect(r.ended).toBe(true);
      // it played up to the limit (10 fps, batched every 100 ms), and nothing came after it
      expect(r.lastAt).toBeGreaterThan(expMs - 1000);
      expect(r.lastAt - expMs).toBeLessThan(1000);
    }
    expect(ws.code).toBe(1008);
    expect(ws.reason).toBe('play URL expired');
    // the inspector's URL expired at the same second: the wall's stream is not cut (it renews its viewing instead)
    expect(insp.ended).toBe(false);
    expect(insp.lastAt).toBeGreaterThan(giveUpAt - 1000);
    expect([await ended('http-flv', 'expired'), await ended('ws-flv', 'expired')]).toEqual([1, 1]);
    // the expired URL is refused from now on, a fresh grant plays
    expect((await fetch(pub.flv)).status).toBe(403);
    const fresh = publicUrls(f, 'cam-a', 60);
    expect((await readFrames(fresh.flv, 5, 15_000)).frames).toBe(5);
    // the ended sessions released their slots in the per-address limit (4): four fresh streams open at once
    const open = await Promise.all([1, 2, 3, 4].map(() => fetch(fresh.flv)));
    expect(open.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const r of open) await r.body?.cancel();
  }, 30_000);

  it('over RTMP', async () => {
    const key = deriveKey(SECRET_KEY, 'play-url');
    const { query, exp } = signPlay(key, 'cam-a', 4, 'p');
    // ffmpeg reads until the relay cuts the connection (or 1,000 frames, 100 s at 10 fps)
    const r = await readFrames(`rtmp://127.0.0.1:${f.rtmpPort}/live/cam-a?${query}`, 1000, 15_000);
    expect(r.frames).toBeGreaterThan(10);
    expect(Date.now()).toBeGreaterThan(exp * 1000 - 1000);
    expect(Date.now() - exp * 1000).toBeLessThan(3000);
    expect(await ended('rtmp', 'expired')).toBe(1);
  }, 30_000);

  it('when its kitchen stops showing its live view (within a camera refresh), and no new one starts', async () => {
    const kitchen = { address: '', riskClass: 'B' as const, contactName: '', contactPhone: '', businessHours: '00:00-23:59', id: 'k-pub', name: 'Public kitchen', licenceNo: 'JY1', districtId: 'd1' };
    const grant = publicUrls(f, 'cam-a', 60);
    const giveUpAt = Date.now() + 15_000;
    const flv = readHttp(grant.flv, giveUpAt);
    const ws = readWs(grant.wsFlv, giveUpAt);
    await waitFor(async () => (await ended('http-flv', 'withdrawn')) === 0 && f.streams.internals.nms!.counts().viewers >= 2, 5000);
    const off = Date.now();
    await f.registry.kitchens.upsert({ ...kitchen, publicViewing: false });
    try {
      const [a, b] = await Promise.all([flv, ws]);
      for (const r of [a, b]) {
        expect(r.bytes).toBeGreaterThan(1000);
        expect(r.ended).toBe(true);
        expect(r.lastAt - off).toBeLessThan(5000);
      }
      expect([b.code, b.reason]).toEqual([1008, 'camera no longer public']);
      expect([await ended('http-flv', 'withdrawn'), await ended('ws-flv', 'withdrawn')]).toEqual([1, 1]);
      // the same, still unexpired grant opens nothing now
      expect((await fetch(grant.flv)).status).toBe(404);
      expect((await fetch(grant.hls)).status).toBe(404);
    } finally {
      await f.registry.kitchens.upsert({ ...kitchen, publicViewing: true });
    }
  }, 30_000);
});
