import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@tianwang/core/testing';
import { publish } from '../../streams/test/helpers/relay-fixture.js';
import { launch, shot, unresolved, type Browser } from './browser/chromium.js';
import { startKitchenStack, type KitchenStack } from './browser/kitchen-stack.js';
import { signIn } from './browser/session.js';

/**
 * 录像回放 in Chromium against a real relay recording an ffmpeg camera in 2 s segments: the day's timeline shows the
 * recorded span, a click plays it (currentTime advances), 2× speed, and a downloaded clip whose SHA-256 (as shown,
 * as the browser computed it, in the audit log) is the hash of the downloaded file. Screenshot playback.png.
 */
let stack: KitchenStack;
let browser: Browser;
let camera: ChildProcess;

beforeAll(async () => {
  stack = await startKitchenStack({ recording: true, env: { TW_RECORDING_SEGMENT_S: '2' } });
  camera = publish(stack.publishUrl('CAM-1'), 'testsrc2=size=320x180:rate=10');
  const dir = join(stack.relayDataDir, 'recordings', 'CAM-1');
  await waitFor(async () => (await readdir(dir)).filter((n) => n.endsWith('.ts')).length >= 5, { timeoutMs: 60_000, what: 'five recording segments' });
  browser = await launch({ width: 1366, height: 860 });
}, 180_000);
afterAll(async () => {
  camera?.kill('SIGKILL');
  await browser?.close();
  await stack?.close();
});

describe('playback in Chromium', () => {
  it('shows the recorded span, plays it from a click at 2×, downloads a clip whose SHA-256 matches its bytes', async () => {
    const page = await browser.page();
    await signIn(page, stack.base, 'insp1');
    await page.goto(`${stack.base}/kitchens/playback?camera=CAM-1`);
    await expect.poll(() => page.locator('[data-test=span]').count()).toBe(1);
    expect(await page.locator('[data-test=recorded]').innerText()).toMatch(/当天录像 1 段/);
    await page.locator('[data-test=span]').click({ position: { x: 1, y: 5 } });
    const video = page.locator('[data-test=playback-video]');
    const current = () => video.evaluate((v) => (v as unknown as { currentTime: number }).currentTime);
    await expect.poll(current, { timeout: 20_000 }).toBeGreaterThan(1);
    await page.locator('[data-test=speed]').getByText('2×').click();
    expect(await video.evaluate((v) => (v as unknown as { playbackRate: number }).playbackRate)).toBe(2);

    const downloading = page.waitForEvent('download');
    await page.locator('[data-test=download]').click();
    const file = await (await downloading).path();
    const bytes = await readFile(file);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const shown = page.locator('[data-test=clip-hash]');
    await expect.poll(() => shown.innerText()).toContain('浏览器计算的 SHA-256 与服务器一致');
    expect(await shown.innerText()).toContain(sha);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const audit = await stack.registry.audit.forSubject('camera', 'CAM-1');
    expect(audit.find((a) => a.action === 'recording.clip_downloaded')?.detail).toMatchObject({ sha256: sha, bytes: bytes.length });
    expect(await unresolved(page)).toEqual([]);
    expect(browser.problems).toEqual([]);
    await shot(page, 'playback');
  });

  it('answers the timeline and clips only for cameras in scope', async () => {
    const page = await browser.page();
    await signIn(page, stack.base, 'insp2');
    const status = (path: string) => page.evaluate(async (p) => (await (globalThis as unknown as { fetch: typeof fetch }).fetch(p)).status, path);
    const now = Date.now();
    expect(await status(`/api/v1/cameras/CAM-1/recordings?from=${now - 60_000}&to=${now}`)).toBe(404);
    expect(await status(`/api/v1/cameras/CAM-1/clip?from=${now - 60_000}&to=${now}`)).toBe(404);
    await page.close();
  });
});
