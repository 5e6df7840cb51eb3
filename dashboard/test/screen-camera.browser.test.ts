import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sleep } from '@tianwang/core/testing';
import { setVisibility, shot, unresolved } from './browser/chromium.js';
import { WALL_CAMERAS } from './browser/kitchen-stack.js';
import { liveKitchenPerFile } from './browser/live-kitchen.js';
import { signIn } from './browser/session.js';

/**
 * The big screen's camera tile (数据大屏 明厨亮灶巡查) in Chromium against a real relay and four demo cameras (ffmpeg
 * pushing test pictures over RTMP, as the video wall's test does): the tile plays the inspector's kitchen cameras live
 * and muted through the wall's player (WS-FLV, mpegts.js), one after another every `?rotate=` seconds, releasing each
 * stream and ending its viewing when it moves on or the page is hidden. Screenshot docs/img/screen-video.png when
 * TW_SCREENSHOT_DIR is set.
 */
const live = liveKitchenPerFile({ width: 1920, height: 1080 });

const tile = (p: Page) => p.locator('[data-test=screen-camera]');
const state = (p: Page) => tile(p).locator('.tile').getAttribute('data-state', { timeout: 1000 });
const video = (p: Page) => tile(p).locator('video').evaluate((v) => ({ t: (v as unknown as { currentTime: number }).currentTime, muted: (v as unknown as { muted: boolean }).muted }));
/** WS-FLV players the relay is serving now */
const relayViewers = async () => Number((await live.stack.relayViewers()) ?? NaN);
const openViewings = () => live.stack.openViewings();

async function screen(rotateS: number): Promise<Page> {
  const page = await live.browser.page();
  await signIn(page, live.stack.base, 'insp1');
  await page.goto(`${live.stack.base}/screen?rotate=${rotateS}`);
  return page;
}

describe('the big screen’s camera tile', () => {
  it('plays the first kitchen camera live and muted: its currentTime advances, one player at the relay, one audited viewing', async () => {
    const page = await screen(600);
    await expect.poll(() => state(page), { timeout: 60_000 }).toBe('live');
    expect(await tile(page).getAttribute('data-camera')).toBe(WALL_CAMERAS[0]);
    const t0 = (await video(page)).t;
    await expect.poll(async () => (await video(page)).t - t0, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect((await video(page)).muted).toBe(true);
    expect(await relayViewers()).toBe(1);
    const viewings = await live.stack.registry.db.query<{ user_id: string; camera_id: string }>('SELECT user_id, camera_id FROM camera_viewings WHERE ended_at IS NULL');
    expect(viewings).toEqual([{ user_id: 'insp1', camera_id: WALL_CAMERAS[0] }]);
    expect(await unresolved(page)).toEqual([]);
    await shot(page, 'screen-video');
  });

  it('moves on to the next camera every N seconds and releases the previous stream each time', async () => {
    const since = new Date();
    const page = await screen(5);
    await expect.poll(() => tile(page).getAttribute('data-camera'), { timeout: 15_000 }).toBe(WALL_CAMERAS[0]);
    // sampled through two rotations: never more than one player at the relay or one open viewing
    const seen = new Set<string>();
    let players = 0;
    let open = 0;
    for (let i = 0; i < 60 && seen.size < 3; i++) {
      seen.add((await tile(page).getAttribute('data-camera')) ?? '');
      players = Math.max(players, await relayViewers());
      open = Math.max(open, await openViewings());
      await sleep(250);
    }
    expect([...seen]).toEqual(WALL_CAMERAS.slice(0, 3));
    expect(players).toBeLessThanOrEqual(1);
    expect(open).toBeLessThanOrEqual(1);
    // the cameras shown before have their viewings ended (the audit's duration is what was on screen)
    const ended = await live.stack.registry.db.query<{ camera_id: string }>('SELECT DISTINCT camera_id FROM camera_viewings WHERE user_id = $1 AND ended_at IS NOT NULL AND camera_id = ANY($2) AND started_at >= $3', ['insp1', WALL_CAMERAS.slice(0, 2), since]);
    expect(ended.map((r) => r.camera_id).sort()).toEqual(WALL_CAMERAS.slice(0, 2));
  });

  it('a hidden page pauses the tile and releases its stream; visible again, it plays again', async () => {
    const page = await screen(600);
    await expect.poll(() => state(page), { timeout: 60_000 }).toBe('live');
    await setVisibility(page, 'hidden');
    await expect.poll(() => state(page)).toBe('paused');
    await expect.poll(relayViewers).toBe(0);
    await expect.poll(openViewings).toBe(0);
    await setVisibility(page, 'visible');
    await expect.poll(() => state(page), { timeout: 60_000 }).toBe('live');
    const t1 = (await video(page)).t;
    await expect.poll(async () => (await video(page)).t - t1, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(await relayViewers()).toBe(1);
  });
});
