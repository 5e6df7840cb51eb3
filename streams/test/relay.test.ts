import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { signPlay } from '../src/access/play-signing.js';
import { deriveKey, issueSessionToken } from '@tianwang/core/crypto';
import { runFfmpeg } from '../src/ffmpeg/run-ffmpeg.js';
import { SECRET_KEY, playUrls, publicUrls, publish, readFrames, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// Real ffmpeg publishers and players against one relay. cam-a shows red, cam-b blue, so a snapshot can be
// matched to its camera by colour.
let f: Fixture;
const pubs: ReturnType<typeof publish>[] = [];

beforeAll(async () => {
  f = await startFixture();
  pubs.push(publish(f.publishUrl('cam-a'), 'color=c=red:size=320x180:rate=10'));
  pubs.push(publish(f.publishUrl('cam-b'), 'color=c=blue:size=320x180:rate=10'));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a') && f.streams.internals.nms!.isLive('/live/cam-b'), 15_000);
});

afterAll(async () => {
  pubs.forEach((p) => p.kill('SIGKILL'));
  await f?.stop();
});

describe('publish', () => {
  it('accepts a camera with its own secret and serves its picture over signed HTTP-FLV', async () => {
    const urls = await playUrls(f, 'cam-a');
    const r = await readFrames(urls.flv, 5);
    expect(r.frames).toBe(5);
  });

  it('refuses a wrong, a missing, another camera’s secret, a disabled and an unknown camera', async () => {
    const attempts = [
      f.publishUrl('cam-priv', 'wrong-secret-0123456789'),
      f.publishUrl('cam-priv', ''),
      f.publishUrl('cam-priv', 'secret-a-0123456789abcdef'), // cam-a's secret on cam-priv's path
      f.publishUrl('cam-off'),
      `rtmp://127.0.0.1:${f.rtmpPort}/live/cam-nobody?token=x`,
      `rtmp://127.0.0.1:${f.rtmpPort}/other/cam-priv?token=secret-priv-0123456789abc`,
    ];
    const children = attempts.map((u) => publish(u));
    const codes = await Promise.all(children.map((c) => Promise.race([c.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 8000))])));
    children.forEach((c) => c.kill('SIGKILL'));
    expect(codes.every((c) => c !== 0 && c !== 'still running')).toBe(true);
    for (const path of ['/live/cam-priv', '/live/cam-off', '/live/cam-nobody']) expect(f.streams.internals.nms!.isLive(path)).toBe(false);
    expect(await f.streams.metrics.getSingleMetricAsString('tw_streams_publish_refused_total')).toMatch(/ [6-9]$|\d\d$/m);
  });
});

describe('play access', () => {
  it('answers 401 without a signature and 403 with a bad or expired one, never an empty 200', async () => {
    const key = deriveKey(SECRET_KEY, 'play-url');
    const expired = signPlay(key, 'cam-a', 10, 'i', Date.now() - 60_000).query;
    const otherCamera = signPlay(key, 'cam-b', 60, 'i').query;
    const none = await fetch(`${f.base}/play/cam-a.flv`);
    expect(none.status).toBe(401);
    for (const q of [expired, otherCamera, 'exp=9999999999&aud=i&sig=AAAA', expired.replace('aud=i', 'aud=p')]) {
      const res = await fetch(`${f.base}/play/cam-a.flv?${q}`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('TW_FORBIDDEN');
    }
    expect((await fetch(`${f.base}/hls/cam-a/index.m3u8`)).status).toBe(401);
    expect((await fetch(`${f.base}/hls/cam-a/index.m3u8?${expired}`)).status).toBe(403);
  });

  it('refuses WS-FLV and RTMP play without a valid signature', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${f.httpPort}/ws/cam-a.flv`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(200));
      ws.on('error', () => {});
    });
    expect(status).toBe(401);
    const rtmp = await readFrames(`rtmp://127.0.0.1:${f.rtmpPort}/live/cam-a`, 3, 6000);
    expect(rtmp.frames).toBe(0);
  });

  it('gives late-joining RTMP and HTTP-FLV players the stream headers and GOP through batched writes', async () => {
    // players join a stream that has run for seconds: they decode at once only if the sequence header and the
    // cached GOP reached them (queued in the write batcher like every later packet, in order)
    const key = deriveKey(SECRET_KEY, 'play-url');
    const rtmpUrl = `rtmp://127.0.0.1:${f.rtmpPort}/live/cam-b?${signPlay(key, 'cam-b', 60, 'i').query}`;
    const [rtmp, flv] = await Promise.all([readFrames(rtmpUrl, 5, 10_000), readFrames((await playUrls(f, 'cam-b')).flv, 5, 10_000)]);
    expect(rtmp.frames).toBe(5);
    expect(flv.frames).toBe(5);
    // cam-b is blue: 32×18 grey of blue is dark but not black
    expect(rtmp.raw[0]).toBeGreaterThan(10);
    expect(rtmp.raw[0]).toBeLessThan(80);
  });

  it('plays WS-FLV with a signed URL', async () => {
    const urls = await playUrls(f, 'cam-b');
    const bytes = await new Promise<number>((resolve, reject) => {
      let n = 0;
      const ws = new WebSocket(urls.wsFlv);
      ws.on('message', (d: Buffer) => {
        n += d.length;
        if (n > 3000) {
          ws.close();
          resolve(n);
        }
      });
      ws.on('error', reject);
      setTimeout(() => (ws.close(), resolve(n)), 8000);
    });
    expect(bytes).toBeGreaterThan(3000);
  });

  it('issues play URLs only to signed-in inspectors of the district', async () => {
    const post = (token?: string, camera = 'cam-a') =>
      fetch(`${f.base}/api/play-urls`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ camera }) });
    expect((await post()).status).toBe(401);
    expect((await post('garbage.token')).status).toBe(401);
    expect((await post(issueSessionToken(SECRET_KEY, { sub: 'u1', role: 'unit', unit: 'x' }))).status).toBe(403);
    expect((await post(f.inspectorToken, 'cam-priv')).status).toBe(404); // other district: answers like an unknown id
    expect((await post(issueSessionToken(SECRET_KEY, { sub: 'admin', role: 'admin' }), 'cam-priv')).status).toBe(200);
  });

  it('has no public endpoint of its own: public URLs come only from the dashboard’s public kitchen page', async () => {
    // it handed anyone a public kitchen's camera ids and play URLs, past business hours, time limit, quota and audit
    for (const kitchen of ['k-pub', 'k-priv']) {
      const res = await fetch(`${f.base}/api/public/kitchens/${kitchen}/play-urls`);
      expect(res.status).toBe(404);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'TW_NOT_FOUND' });
      expect(text).not.toMatch(/cam-|sig=/);
    }
  });

  it('plays a public grant, at most TW_PUBLIC_VIEWERS_PER_IP (4) streams at once per address', async () => {
    const url = publicUrls(f, 'cam-a').flv;
    const open = await Promise.all([1, 2, 3, 4].map(() => fetch(url)));
    expect(open.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await fetch(url)).status).toBe(429);
    for (const r of open) await r.body?.cancel();
    await waitFor(async () => {
      const r = await fetch(url);
      await r.body?.cancel();
      return r.status === 200;
    });
  });
});

describe('HLS', () => {
  it('packages on demand and plays through signed segment URLs', async () => {
    const urls = await playUrls(f, 'cam-a');
    const playlist = await fetch(urls.hls);
    expect(playlist.status).toBe(200);
    const text = await playlist.text();
    expect(text).toMatch(/#EXTM3U/);
    expect(text).toMatch(/seg-\d+\.ts\?exp=\d+&aud=i&sig=/);
    const segment = text.split('\n').find((l) => l.startsWith('seg-'))!;
    expect((await fetch(`${f.base}/hls/cam-a/${segment.split('?')[0]}`)).status).toBe(401);
    const r = await readFrames(urls.hls, 10, 15_000);
    expect(r.frames).toBe(10);
    expect(f.streams.internals.hls!.isRunning('cam-a')).toBe(true);
  });
});

describe('snapshots', () => {
  it('returns a JPEG of the right camera within 2 s, stored with its SHA-256', async () => {
    for (const [camera, colour] of [['cam-a', 'red'], ['cam-b', 'blue']] as const) {
      const t = Date.now();
      const res = await fetch(`${f.base}/api/cameras/${camera}/snapshots`, { method: 'POST', headers: { authorization: `Bearer ${f.inspectorToken}` } });
      const ms = Date.now() - t;
      expect(res.status).toBe(201);
      expect(ms).toBeLessThan(2000);
      const meta = (await res.json()) as { id: number; sha256: string; cameraId: string; takenBy: string; width: number; height: number; bytes: number };
      expect(meta).toMatchObject({ cameraId: camera, takenBy: 'u-insp', width: 320, height: 180 });
      const jpeg = Buffer.from(await (await fetch(`${f.base}/api/snapshots/${meta.id}`, { headers: { authorization: `Bearer ${f.inspectorToken}` } })).arrayBuffer());
      expect(createHash('sha256').update(jpeg).digest('hex')).toBe(meta.sha256);
      expect(jpeg.length).toBe(meta.bytes);
      // decode to one RGB pixel: the camera's colour
      const px = await runFfmpeg(['-f', 'image2pipe', '-i', '-', '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'].slice(0, 0).concat(['-i', `${f.dataDir}/${(await f.registry.db.query<{ path: string }>('SELECT path FROM snapshots WHERE id = $1', [meta.id]))[0]!.path}`, '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']), 5000);
      const [r, , b] = [...px.stdout];
      if (colour === 'red') expect(r! - b!).toBeGreaterThan(100);
      else expect(b! - r!).toBeGreaterThan(100);
    }
    expect((await fetch(`${f.base}/api/cameras/cam-a/snapshots`, { method: 'POST' })).status).toBe(401);
  });
});

describe('metrics', () => {
  it('counts publishers, viewers and bytes', async () => {
    const text = await f.streams.metrics.metrics();
    expect(text).toMatch(/tw_streams_publishers\{service="streams"\} 2/);
    expect(Number(/tw_streams_in_bytes\{service="streams"\} (\d+)/.exec(text)?.[1])).toBeGreaterThan(10_000);
  });
});
