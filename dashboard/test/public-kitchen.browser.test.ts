import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadConfig } from '@tianwang/core/config';
import { deriveKey, hashSecret, publicAlias, signPlay } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import { freePort, tempDir, waitFor } from '@tianwang/core/testing';
import { createStreams, type Streams } from '@tianwang/streams';
import { publish } from '../../streams/test/helpers/relay-fixture.js';
import { launch, type Browser } from './browser/chromium.js';
import { hoursAround, updateK1 } from './helpers/kitchen-hours.js';
import { SECRET, startWorld, type World } from './helpers/world.js';

/**
 * The public kitchen page on a phone-sized Chromium (390 px) against a real relay with a camera publishing through
 * ffmpeg: within business hours the live view plays (currentTime advances) and stops when the view time is up (the
 * relay refuses the expired URL); outside them no video at all; an unsigned stream URL is refused by the relay.
 * TW_SCREENSHOT_DIR=docs/img writes public-kitchen.png there (full page), like every browser test's shot().
 */
let w: World;
let relay: Streams;
let relayBase: string;
let browser: Browser;
let code: string;
let camera: ReturnType<typeof publish>;
const CAM_SECRET = 'cam-1-secret-0123456789abcdef';
const VIEW_S = 30;

const setKitchen = (over: Parameters<typeof updateK1>[1]) => updateK1(w.registry, over);
const around = hoursAround;
const currentTime = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } | null } }).document.querySelector('video')?.currentTime ?? -1);

beforeAll(async () => {
  const [httpPort, rtmpPort, dashPort] = [await freePort(), await freePort(), await freePort()];
  relayBase = `http://127.0.0.1:${httpPort}`;
  w = await startWorld({
    env: {
      TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(dashPort), TW_PUBLIC_URL: `http://127.0.0.1:${dashPort}`, TW_STREAMS_PUBLIC_URL: relayBase, TW_PUBLIC_VIEW_S: String(VIEW_S),
    },
  });
  const config = loadConfig({
    TW_DATA_DIR: await tempDir('public-relay'), TW_SECRET_KEY: SECRET, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: String(rtmpPort), TW_STREAMS_HTTP_PORT: String(httpPort),
    TW_STREAMS_METRICS_PORT: String(await freePort()), TW_CAMERA_HEALTH_MODE: 'off', TW_KEY_PREFIX: `pk${process.pid}`, TW_REDIS_URL: w.redis.url,
  });
  const cam = (await w.registry.kitchens.listCameras()).find((c) => c.id === 'CAM-1')!;
  await w.registry.kitchens.upsertCamera({ ...cam, publishCredentialHash: hashSecret(CAM_SECRET) });
  await setKitchen({ publicViewing: true, businessHours: around(true), address: '东区幸福路8号' });
  // a passed online inspection: the page shows it and rates the kitchen
  const [draw] = await w.registry.db.query<{ id: number }>("INSERT INTO random_draws (period, algorithm, seed, inputs, inputs_hash, result, result_hash, created_by) VALUES ('P', 'x', 's', '{}', 'h', '{}', 'h', 'admin') RETURNING id::int AS id");
  await w.registry.db.query("INSERT INTO spot_checks (draw_id, kitchen_id, inspector_ids, status, result, recorded_at) VALUES ($1, 'K1', '[]', 'closed', 'pass', now())", [draw!.id]);
  relay = createStreams(config, { registry: w.registry, log: silentLogger() });
  await relay.start();
  await w.dashboard.start();
  camera = publish(`rtmp://127.0.0.1:${rtmpPort}/live/CAM-1?token=${CAM_SECRET}`);
  const [row] = await w.registry.db.query<{ public_code: string }>("SELECT public_code FROM kitchens WHERE id = 'K1'");
  code = row!.public_code;
  browser = await launch({ width: 390, height: 844 });
}, 120_000);
afterAll(async () => {
  camera?.kill('SIGKILL');
  await browser?.close();
  await relay?.stop();
  await w?.close();
});

describe('the public kitchen page on a phone (390 px)', () => {
  it('plays the live view within business hours, muted, and stops when the view time is up', async () => {
    const page = await browser.page();
    await page.goto(`${w.dashboard.address()}/k/${code}`);
    await expect.poll(() => page.locator('h1').innerText()).toBe('1号食堂');
    expect(await page.locator('video').count()).toBe(0); // nothing plays (and no viewer place is taken) before the tap
    await page.locator('button.watch').click();
    await waitFor(async () => (await currentTime(page)) > 1, { timeoutMs: 25_000, what: 'the live view to play' });
    const t1 = await currentTime(page);
    await waitFor(async () => (await currentTime(page)) > t1 + 1, { timeoutMs: 10_000, what: 'currentTime to advance' });
    expect(await page.locator('video').evaluate((v) => (v as unknown as { muted: boolean }).muted)).toBe(true);
    expect(await page.locator('button.watch').isVisible()).toBe(false);
    expect(await page.locator('main').innerText()).toContain('A 优秀');
    const hls = await page.locator('video').evaluate((v) => (v as unknown as { currentSrc: string }).currentSrc);
    expect(hls).toContain(`${relayBase}/hls/pub/`);
    expect(hls).not.toContain('CAM-1');
    expect(hls).toContain('aud=p');
    if (process.env.TW_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.TW_SCREENSHOT_DIR, 'public-kitchen.png'), fullPage: true });
    // the per-viewer time limit: the page stops, and the relay refuses the same URL from then on
    await expect.poll(() => page.locator('#live .msg').innerText(), { timeout: (VIEW_S + 15) * 1000, interval: 500 }).toContain('本次观看时间已到');
    expect(await page.locator('video').count()).toBe(0);
    await waitFor(async () => (await fetch(hls)).status === 403, { timeoutMs: 5000, what: 'the relay to refuse the expired URL' });
    expect(browser.problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('falls back to mpegts.js (HTTP-FLV) without native HLS; the relay ends that stream at the time limit and the page shows it', async () => {
    const page = await browser.page();
    // a browser without native HLS (desktop Firefox, older Chrome): the page takes the mpegts.js path
    await page.addInitScript({ content: `{const o=HTMLMediaElement.prototype.canPlayType;HTMLMediaElement.prototype.canPlayType=function(t){return /mpegurl/i.test(t)?'':o.call(this,t)}}` });
    let grants = 0;
    page.on('request', (r) => void (r.url().endsWith('/live') && r.method() === 'POST' && grants++));
    const cut = async () => Number(/tw_streams_play_ended_total\{(?=[^}]*protocol="http-flv")(?=[^}]*reason="expired")[^}]*\} (\d+)/.exec(await relay.metrics.metrics())?.[1] ?? 0);
    const cutBefore = await cut();
    await page.goto(`${w.dashboard.address()}/k/${code}`);
    await page.locator('button.watch').click();
    await waitFor(async () => (await currentTime(page)) > 1, { timeoutMs: 25_000, what: 'the FLV live view to play' });
    const t1 = await currentTime(page);
    await waitFor(async () => (await currentTime(page)) > t1 + 1, { timeoutMs: 10_000, what: 'currentTime to advance' });
    expect(await page.evaluate(() => typeof (globalThis as unknown as { mpegts?: unknown }).mpegts)).toBe('object');
    // a tap on a camera's tab starts its player afresh: the view's time limit runs on (it used to be cancelled)
    await page.locator('#live .tabs button').first().click();
    await waitFor(async () => (await currentTime(page)) > 1, { timeoutMs: 25_000, what: 'the FLV live view to play again' });
    await expect.poll(() => page.locator('#live .msg').innerText(), { timeout: (VIEW_S + 15) * 1000, interval: 500 }).toContain('本次观看时间已到');
    expect(await page.locator('video').count()).toBe(0);
    expect(await page.locator('button.watch').isVisible()).toBe(true);
    // the relay itself ended the FLV stream at the grant's expiry (whatever the page does), and the page asked for
    // no new grant on its own: another look is the visitor's tap, under the dashboard's rules
    await waitFor(async () => (await cut()) > cutBefore, { timeoutMs: 5000, what: 'the relay to end the expired FLV stream' });
    expect(grants).toBe(1);
    expect(browser.problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows no video outside business hours', async () => {
    await setKitchen({ publicViewing: true, businessHours: around(false) });
    const page = await browser.page();
    await page.goto(`${w.dashboard.address()}/k/${code}`);
    await page.locator('button.watch').click();
    await expect.poll(() => page.locator('#live .msg').innerText()).toContain('当前不在营业时间');
    expect(await page.locator('video').count()).toBe(0);
    await page.close();
  });

  it('the relay refuses an unsigned stream URL', async () => {
    expect((await fetch(`${relayBase}/hls/CAM-1/index.m3u8`)).status).toBe(401);
    expect((await fetch(`${relayBase}/play/CAM-1.flv`)).status).toBe(401);
    expect((await fetch(`${relayBase}/hls/CAM-1/index.m3u8?exp=9999999999&aud=p&sig=AAAA`)).status).toBe(403);
    // the public alias path: unsigned 401, an inspector's signature 403 (aliases are for public grants), an unknown alias 404
    const key = deriveKey(SECRET, 'play-url');
    const alias = publicAlias(key, 'CAM-1');
    expect((await fetch(`${relayBase}/hls/pub/${alias}/index.m3u8`)).status).toBe(401);
    expect((await fetch(`${relayBase}/play/pub/${alias}.flv`)).status).toBe(401);
    expect((await fetch(`${relayBase}/hls/pub/${alias}/index.m3u8?${signPlay(key, 'CAM-1', 60, 'i').query}`)).status).toBe(403);
    expect((await fetch(`${relayBase}/hls/pub/${'A'.repeat(22)}/index.m3u8?${signPlay(key, 'CAM-1', 60, 'p').query}`)).status).toBe(404);
    // a public grant plays over HTTP-FLV by alias too (the mpegts.js fallback)
    const flv = await fetch(`${relayBase}/play/pub/${alias}.flv?${signPlay(key, 'CAM-1', 60, 'p').query}`);
    expect(flv.status).toBe(200);
    const reader = flv.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).subarray(0, 3).toString()).toBe('FLV');
    await reader.cancel();
  });
});
