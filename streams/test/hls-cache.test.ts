import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey, publicAlias, signPlay } from '@tianwang/core/crypto';
import { publicUrls, publish, SECRET_KEY, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// HLS caching per camera: a public kitchen's camera (cam-a in k-pub) lists the same segment URLs for every consumer and
// lets shared caches keep its segments; a camera of a kitchen without public viewing (cam-priv in k-priv) never does.
// Playlists are never stored.
let f: Fixture;
const pubs: ReturnType<typeof publish>[] = [];

beforeAll(async () => {
  // cameras re-read only on demand here (an hour's period): what a refusal asks for is all that refreshes them
  f = await startFixture({ tuning: { cacheRefreshMs: 3_600_000 } });
  pubs.push(publish(f.publishUrl('cam-a')), publish(f.publishUrl('cam-priv')));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a') && f.streams.internals.nms!.isLive('/live/cam-priv'), 15_000);
});

afterAll(async () => {
  pubs.forEach((p) => p.kill('SIGKILL'));
  await f?.stop();
});

/** A playlist (after the relay's 503 while its packager starts) and the absolute URLs of its segments. */
async function playlist(url: string): Promise<{ cacheControl: string | null; segments: string[] }> {
  let res!: Response;
  await waitFor(async () => {
    res = await fetch(url);
    if (res.status === 503) return false;
    return /seg-\d+\.ts/.test(await res.clone().text());
  }, 20_000, 250);
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\n').filter((l) => l.startsWith('seg-'));
  return { cacheControl: res.headers.get('cache-control'), segments: lines.map((l) => new URL(l, url).href) };
}

describe('HLS caching, per camera', () => {
  it('a public camera: one segment URL for every consumer, cacheable by shared caches; the playlist is never stored', async () => {
    // two consumers with two different grants (different expiries, so different signatures)
    const [one, two] = [publicUrls(f, 'cam-a', 60), publicUrls(f, 'cam-a', 90)];
    expect(one.hls).not.toBe(two.hls);
    const [a, b] = [await playlist(one.hls), await playlist(two.hls)];
    expect(a.cacheControl).toBe('no-store');
    expect(b.cacheControl).toBe('no-store');
    const common = a.segments.filter((s) => b.segments.includes(s));
    expect(common.length).toBeGreaterThan(0); // the same segment, the same URL: a CDN serves both from one copy
    for (const s of common) expect(s).not.toContain(new URL(one.hls).search.slice(1)); // no viewer's grant in it
    const seg = await fetch(common.at(-1)!);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('cache-control')).toBe('public, max-age=60, immutable');
    expect((await seg.arrayBuffer()).byteLength).toBeGreaterThan(188);
    // numbered from the epoch second at each packager start: a restarted one never reuses a name a cache may hold
    expect(Number(/seg-(\d+)\.ts/.exec(common[0]!)![1])).toBeGreaterThan(Date.now() / 1000 - 600);
    // the shared token opens segments of this camera only: not its playlist, not an FLV stream, not another camera
    const token = new URL(common[0]!).search;
    const alias = new URL(one.hls).pathname.split('/')[3];
    expect((await fetch(`${f.base}/hls/pub/${alias}/index.m3u8${token}`)).status).toBe(403);
    expect((await fetch(`${f.base}/play/pub/${alias}.flv${token}`)).status).toBe(403);
    const otherAlias = publicAlias(deriveKey(SECRET_KEY, 'play-url'), 'cam-b');
    expect((await fetch(`${f.base}/hls/pub/${otherAlias}/${new URL(common[0]!).pathname.split('/').at(-1)}${token}`)).status).toBe(403);
  }, 60_000);

  it('any other camera: segments private (never in a shared cache), signed per viewer', async () => {
    // an inspector's view of the private kitchen's camera
    const key = deriveKey(SECRET_KEY, 'play-url');
    const url = `${f.base}/hls/cam-priv/index.m3u8?${signPlay(key, 'cam-priv', 60, 'i').query}`;
    const p = await playlist(url);
    expect(p.cacheControl).toBe('no-store');
    const query = new URL(url).search;
    for (const s of p.segments) expect(new URL(s).search).toBe(query); // the viewer's own grant, checked per segment
    const seg = await fetch(p.segments.at(-1)!);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('cache-control')).toBe('private, max-age=60');
    // a public grant for it (the dashboard gives none for a kitchen without public viewing) opens nothing
    expect((await fetch(`${f.base}/hls/pub/${publicAlias(key, 'cam-priv')}/index.m3u8?${signPlay(key, 'cam-priv', 60, 'p').query}`)).status).toBe(404);
  }, 60_000);

  it('a kitchen that has just opted in: a public grant refused by the stale camera cache plays on the retry (no wait for the periodic refresh)', async () => {
    const kitchen = { address: '', riskClass: 'B' as const, contactName: '', contactPhone: '', businessHours: '00:00-23:59', id: 'k-priv', name: 'Private kitchen', licenceNo: 'JY2', districtId: 'd2' };
    const key = deriveKey(SECRET_KEY, 'play-url');
    const url = `${f.base}/play/pub/${publicAlias(key, 'cam-priv')}.flv?${signPlay(key, 'cam-priv', 60, 'p').query}`;
    await f.registry.kitchens.upsert({ ...kitchen, publicViewing: true });
    try {
      const t = Date.now();
      // the refusal itself asks for a refresh (at most one per 2 s)
      await waitFor(async () => {
        const r = await fetch(url);
        await r.body?.cancel();
        return r.status === 200;
      }, 8000, 250);
      expect(Date.now() - t).toBeLessThan(5000);
    } finally {
      await f.registry.kitchens.upsert({ ...kitchen, publicViewing: false });
    }
  }, 30_000);
});
