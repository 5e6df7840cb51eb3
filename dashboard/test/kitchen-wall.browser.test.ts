import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sleep } from '@tianwang/core/testing';
import { publish } from '../../streams/test/helpers/relay-fixture.js';
import { setVisibility, shot, unresolved } from './browser/chromium.js';
import { WALL_CAMERAS } from './browser/kitchen-stack.js';
import { liveKitchenPerFile } from './browser/live-kitchen.js';
import { signIn } from './browser/session.js';

/**
 * The video wall (视频巡查) in Chromium against a real relay: four demo cameras (ffmpeg pushing test pictures over
 * RTMP, as streams' own tests do) on a 4-tile wall over WS-FLV through mpegts.js; every tile's video advances; a
 * hidden tab pauses them and releases their streams at the relay; visible again, they play again. Screenshot
 * docs/img/kitchen-wall.png when TW_SCREENSHOT_DIR is set.
 */
const live = liveKitchenPerFile({ width: 1366, height: 800 });
const { cameras } = live;

/** currentTime of every tile's <video>, in tile order */
const times = (p: Page) => p.locator('[data-test=wall] .tile video').evaluateAll((vs) => vs.map((v) => (v as unknown as { currentTime: number }).currentTime));
const states = (p: Page) => p.locator('[data-test=wall] .tile').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-state')));
const relayViewers = () => live.stack.relayViewers();
const openViewings = () => live.stack.openViewings();
const allViewings = async () => (await live.stack.registry.db.query<{ n: number }>('SELECT count(*)::int AS n FROM camera_viewings'))[0]!.n;

/** The inspector's 4-tile wall of the four cameras, every tile live. */
async function liveWall(): Promise<Page> {
  const page = await live.browser.page();
  await signIn(page, live.stack.base, 'insp1');
  await page.goto(`${live.stack.base}/kitchens/wall?layout=4&cameras=${WALL_CAMERAS.join(',')}`);
  await expect.poll(() => states(page), { timeout: 60_000 }).toEqual(['live', 'live', 'live', 'live']);
  return page;
}

describe('the video wall in Chromium', () => {
  it('plays four cameras on a 4-tile wall: every tile live and its currentTime advancing', async () => {
    // the app's CSP lets the page connect to the relay's origin (WS-FLV) and nowhere else but its own
    const csp = (await fetch(`${live.stack.base}/kitchens/wall`)).headers.get('content-security-policy');
    const relayHost = new URL(live.stack.relayBase).host;
    expect(csp).toContain(`connect-src 'self' http://${relayHost} ws://${relayHost};`);
    const page = await liveWall();
    const t0 = await times(page);
    await expect.poll(async () => (await times(page)).map((t, i) => t - t0[i]! >= 1), { timeout: 20_000 }).toEqual([true, true, true, true]);
    expect(await page.locator('[data-test=wall] .tile').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-camera')))).toEqual([...WALL_CAMERAS]);
    // WS-FLV straight from the relay: one player per tile, each an audited viewing
    await expect.poll(relayViewers).toBe('4');
    expect(await openViewings()).toBe(4);
    expect(await unresolved(page)).toEqual([]);
    await shot(page, 'kitchen-wall');
  });

  it('a hidden tab pauses every tile and releases its stream; visible again, they play again', async () => {
    // headless Chromium keeps every page visible (another tab in front, a minimised window, CDP focus emulation off:
    // still 'visible'), so the test overrides what the page reads and fires the event a real tab switch fires
    const page = await liveWall();
    await expect.poll(relayViewers).toBe('4');
    await setVisibility(page, 'hidden');
    await expect.poll(() => states(page)).toEqual(['paused', 'paused', 'paused', 'paused']);
    await expect.poll(relayViewers).toBe('0');
    await expect.poll(openViewings).toBe(0);
    const frozen = await times(page);
    // a pause in which nothing may happen: the players are gone, time stands still
    await sleep(1500);
    expect(await times(page)).toEqual(frozen);
    await setVisibility(page, 'visible');
    await expect.poll(() => states(page), { timeout: 60_000 }).toEqual(['live', 'live', 'live', 'live']);
    const t1 = await times(page);
    await expect.poll(async () => (await times(page)).map((t, i) => t - t1[i]! >= 1), { timeout: 20_000 }).toEqual([true, true, true, true]);
    await expect.poll(relayViewers).toBe('4');
  });
});

describe('placing cameras', () => {
  it('a click puts the tree’s camera on the selected tile, a drag onto any tile; a camera shows once', async () => {
    const page = await liveWall();
    await page.locator('[data-test=layout]').getByText('9 画面').click();
    await expect.poll(() => page.locator('[data-test=wall] .tile').count()).toBe(9);
    const cameraAt = (i: number) => page.locator('[data-test=wall] .tile').nth(i).getAttribute('data-camera');
    // select tile 5, click 凉菜间 (CAM-1B) in the tree: it moves there from tile 2
    await page.locator('[data-test=wall] .tile').nth(4).click();
    await page.locator('[data-test=kitchen-tree] [data-camera="CAM-1B"]').click();
    await expect.poll(() => cameraAt(4)).toBe('CAM-1B');
    expect(await cameraAt(1)).toBe('');
    await page.locator('[data-test=kitchen-tree] [data-camera="CAM-1D"]').dragTo(page.locator('[data-test=wall] .tile').nth(8));
    await expect.poll(() => cameraAt(8)).toBe('CAM-1D');
    expect(await cameraAt(3)).toBe('');
    await expect.poll(() => page.locator('[data-test=wall] .tile').nth(8).getAttribute('data-state'), { timeout: 60_000 }).toBe('live');
    // the two emptied tiles released their streams: four cameras, four players
    await expect.poll(relayViewers).toBe('4');
  });
});

describe('a camera that stops', () => {
  it('keeps its last frame with the stalled badge, retries with backoff, and plays again when the camera is back', async () => {
    const page = await liveWall();
    const tile = page.locator('[data-test=wall] .tile').nth(3);
    expect(await tile.getAttribute('data-camera')).toBe('CAM-1D');
    cameras[3]!.kill('SIGKILL');
    await expect.poll(() => tile.getAttribute('data-state'), { timeout: 30_000 }).toBe('stalled');
    // the last frame stays on screen: the canvas holds the picture at the stream's size, the <video> is hidden
    const still = tile.locator('canvas');
    await expect.poll(() => still.evaluate((c) => [(c as unknown as { width: number }).width, c.classList.contains('hidden')])).toEqual([320, false]);
    cameras[3] = publish(live.stack.publishUrl('CAM-1D'), 'testsrc2=size=320x180:rate=10');
    // the next retry (1 s, 2 s, 4 s … after the failures so far) finds the camera again
    await expect.poll(() => tile.getAttribute('data-state'), { timeout: 60_000 }).toBe('live');
    await expect.poll(() => still.evaluate((c) => c.classList.contains('hidden'))).toBe(true);
  });
});

describe('the viewing audit in Chromium (admins)', () => {
  it('lists who watched which kitchen’s camera, when and how long; an inspector has no such page', async () => {
    // the inspector watches the four cameras, and CAM-1B moved to another tile (a viewing of its own)
    const before = await allViewings();
    const page = await liveWall();
    await page.locator('[data-test=layout]').getByText('9 画面').click();
    await page.locator('[data-test=wall] .tile').nth(4).click();
    await page.locator('[data-test=kitchen-tree] [data-camera="CAM-1B"]').click();
    await expect.poll(() => page.locator('[data-test=wall] .tile').nth(4).getAttribute('data-state'), { timeout: 60_000 }).toBe('live');
    // the inspector's menu has no audit entry, and the route is its 404 page; leaving the wall (a full navigation:
    // no unmount, the viewings end from pagehide) ended its viewings
    expect(await page.locator('.side').first().innerText()).not.toContain('观看记录');
    await page.goto(`${live.stack.base}/kitchens/viewings`);
    await page.locator('[data-test=not-found]').waitFor();
    await expect.poll(openViewings).toBe(0);
    await signIn(page, live.stack.base, 'admin');
    await page.goto(`${live.stack.base}/kitchens/viewings`);
    // the wall's four and the moved camera's, ended when the page was left (the list's first page holds 50)
    expect(await allViewings()).toBe(before + 5);
    const rows = page.locator('[data-test=viewings] .el-table__body tr');
    await expect.poll(() => rows.count()).toBe(Math.min(before + 5, 50));
    const text = await page.locator('[data-test=viewings]').innerText();
    expect(text).toContain('insp1 用户 (insp1)');
    expect(text).toContain('1号食堂');
    expect(text).toContain('CAM-1B');
    expect(text).not.toContain('观看中');
  });
});

describe('轮巡 rotation', () => {
  it('cycles the ticked kitchen’s cameras through a 1-tile wall every N seconds', async () => {
    const page = await live.browser.page();
    await signIn(page, live.stack.base, 'insp1');
    await page.goto(`${live.stack.base}/kitchens/wall?layout=1`);
    const tile = page.locator('[data-test=wall] .tile').first();
    // tick the kitchen: its four cameras in tree order (粗加工区, 凉菜间, 烹饪区, 洗消间)
    await page.locator('[data-test=kitchen-tree] .el-tree-node', { hasText: '1号食堂' }).locator('.el-checkbox').first().click();
    await page.locator('.secs input').fill('5');
    await page.locator('.secs input').blur();
    await page.locator('[data-test=rotate]').click();
    await expect.poll(() => tile.getAttribute('data-camera')).toBe('CAM-1C');
    await expect.poll(() => tile.getAttribute('data-state'), { timeout: 30_000 }).toBe('live');
    await expect.poll(() => tile.getAttribute('data-camera'), { timeout: 15_000 }).toBe('CAM-1B');
    await expect.poll(() => tile.getAttribute('data-camera'), { timeout: 15_000 }).toBe('CAM-1');
  });
});
