/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { freePort } from '@tianwang/core/testing';
import { playUrls, publish, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// A live camera played in Chromium with mpegts.js over WS-FLV (what the dashboard's video wall does).
const require = createRequire(import.meta.url);
let f: Fixture;
let pub: ReturnType<typeof publish>;
let page: Server;
let pagePort: number;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  f = await startFixture();
  pub = publish(f.publishUrl('cam-a'));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a'), 15_000);
  const mpegts = await readFile(require.resolve('mpegts.js/dist/mpegts.js'));
  pagePort = await freePort();
  page = createServer((req, res) => {
    if (req.url === '/mpegts.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(mpegts);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><video id="v" muted autoplay playsinline></video><script src="/mpegts.js"></script>');
  });
  await new Promise<void>((r) => page.listen(pagePort, '127.0.0.1', () => r()));
  profile = await mkdtemp(join(tmpdir(), 'tw-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
});

afterAll(async () => {
  await browser?.close();
  await rm(profile, { recursive: true, force: true });
  page?.close();
  pub?.kill('SIGKILL');
  await f?.stop();
});

describe('browser playback', () => {
  it('plays a live camera with mpegts.js over WS-FLV and the video advances', async () => {
    const urls = await playUrls(f, 'cam-a');
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${pagePort}/`);
    await tab.evaluate((url) => {
      const w = window as unknown as { mpegts: { createPlayer(m: object, c: object): { attachMediaElement(e: Element): void; load(): void; play(): Promise<void> } } };
      const player = w.mpegts.createPlayer({ type: 'flv', isLive: true, hasAudio: false, url }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
      player.attachMediaElement(document.getElementById('v')!);
      player.load();
      void player.play();
    }, urls.wsFlv);
    const t0 = await waitForTime(tab, 0.3);
    // it keeps playing: a further second of video arrives and is shown
    await waitForTime(tab, t0 + 1);
    const size = await tab.evaluate(() => [(document.getElementById('v') as HTMLVideoElement).videoWidth, (document.getElementById('v') as HTMLVideoElement).videoHeight]);
    expect(size).toEqual([320, 180]);
  });
});

async function waitForTime(tab: import('playwright-core').Page, min: number): Promise<number> {
  let t = 0;
  await waitFor(async () => (t = await tab.evaluate(() => (document.getElementById('v') as HTMLVideoElement).currentTime)) > min, 20_000, 200);
  return t;
}
