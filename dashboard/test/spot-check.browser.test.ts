import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { publish } from '../../streams/test/helpers/relay-fixture.js';
import { launch, shot, unresolved, type Browser } from './browser/chromium.js';
import { startKitchenStack, type KitchenStack } from './browser/kitchen-stack.js';
import { signIn } from './browser/session.js';

/**
 * 双随机 draws and the online spot-check in Chromium against a real relay: a draw with an announced seed, verified and
 * published; the same seed again gives the same draw; from its task, the kitchen's live camera, a snapshot as evidence
 * of a failed item, the signed record whose evidence hash matches the JPEG's bytes. Screenshot spot-check.png.
 */
let stack: KitchenStack;
let browser: Browser;
let page: Page;
let camera: ChildProcess;
const SEED = 'a5'.repeat(32);

beforeAll(async () => {
  stack = await startKitchenStack();
  camera = publish(stack.publishUrl('CAM-1'), 'testsrc2=size=320x180:rate=10');
  browser = await launch({ width: 1366, height: 900 });
  page = await browser.page();
  await signIn(page, stack.base, 'insp1');
}, 180_000);
afterAll(async () => {
  camera?.kill('SIGKILL');
  await browser?.close();
  await stack?.close();
});

/** Makes a draw of one kitchen with SEED through the form; answers the drawer's seed and result hash. */
async function drawOne(p: Page): Promise<{ seed: string; resultHash: string; checks: string }> {
  await p.goto(`${stack.base}/kitchens/draws`);
  const form = p.locator('[data-test=draw-form]');
  await form.locator('input[name=period]').fill('2026-12');
  await form.getByText('按户数').click();
  await form.locator('input[name=count]').fill('1');
  await form.locator('input[name=seed]').fill(SEED);
  await p.locator('[data-test=draw-submit]').click();
  const drawer = p.locator('[data-test=draw-detail]');
  await drawer.locator('[data-test=seed]').waitFor();
  return {
    seed: await drawer.locator('[data-test=seed]').innerText(),
    resultHash: await drawer.locator('[data-test=result-hash]').innerText(),
    checks: await drawer.locator('[data-test=draw-checks] .el-table__body').innerText(),
  };
}

describe('draws and spot-checks in Chromium', () => {
  it('draws with an announced seed, verifies and publishes; the same seed draws the same again', async () => {
    const first = await drawOne(page);
    expect(first.seed).toBe(SEED);
    expect(first.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.checks).toContain('1号食堂');
    expect(first.checks).toContain('东区检查员乙');
    const drawer = page.locator('[data-test=draw-detail]');
    await drawer.locator('[data-test=verify]').click();
    await expect.poll(() => drawer.locator('[data-test=verification]').innerText()).toContain('验证通过');
    expect(await drawer.locator('[data-test=verification]').innerText()).toContain(first.resultHash);
    await drawer.locator('[data-test=publish]').click();
    await expect.poll(() => drawer.innerText()).toContain('公示时间');
    await drawer.locator('[data-test=publish]').waitFor({ state: 'detached' });
    const published = (await (await fetch(`${stack.base}/api/v1/public/draws`)).json()) as { items: { resultHash: string; seed: string }[] };
    expect(published.items.map((d) => [d.seed, d.resultHash])).toEqual([[SEED, first.resultHash]]);

    const second = await drawOne(page);
    expect([second.seed, second.resultHash, second.checks.replace(/#\d+/g, '')]).toEqual([first.seed, first.resultHash, first.checks.replace(/#\d+/g, '')]);
    await page.locator('[data-test=draw-detail] [data-test=verify]').click();
    await expect.poll(() => page.locator('[data-test=draw-detail] [data-test=verification]').innerText()).toContain('验证通过');
  });

  it('from the drawn task: live camera, snapshot evidence of a failed item, the signed record with hashes matching the JPEG', async () => {
    await page.locator('[data-test=draw-detail] [data-test=task-link]').click();
    await page.waitForURL(/\/kitchens\/spot-checks\/\d+$/);
    const tile = page.locator('.tile[data-camera="CAM-1"]');
    await expect.poll(() => tile.getAttribute('data-state'), { timeout: 60_000 }).toBe('live');
    await tile.locator('[data-test=snapshot]').click();
    await page.locator('[data-test=evidence-pool] figure').first().waitFor();
    const snapId = Number((/#(\d+)/.exec(await page.locator('[data-test=evidence-pool] figure').first().innerText()) ?? [])[1]);
    expect(snapId).toBeGreaterThan(0);

    // a failed item without evidence is refused before anything is sent
    await page.locator('[data-item=hats_masks]').getByText('不合格').click();
    expect(await page.locator('[data-test=overall]').innerText()).toBe('不合格');
    await page.locator('[data-test=sign]').click();
    await expect.poll(() => page.locator('[data-test=spot-check] [role=alert]').innerText()).toContain('不合格项目须附截图证据');
    await page.locator('[data-evidence=hats_masks]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: `#${snapId} CAM-1` }).click();
    await page.locator('textarea[name=notes]').fill('后厨人员未戴口罩');
    await page.locator('[data-test=sign]').click();
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click();

    const record = page.locator('[data-test=record]');
    await record.waitFor();
    expect(await page.locator('[data-test=status]').innerText()).toBe('待整改');
    expect(await record.locator('[data-test=record-result]').innerText()).toBe('不合格');
    expect(await record.locator('[data-test=record-hash]').innerText()).toMatch(/^[0-9a-f]{64}$/);
    const ev = record.locator('[data-test=evidence]');
    expect(await ev.count()).toBe(1);
    const shown = await ev.getAttribute('data-sha256');
    // the page's own bytes of the evidence (same origin), hashed in the browser and here
    const inPage = await page.evaluate(async (id) => {
      const g = globalThis as unknown as { fetch: typeof fetch; crypto: { subtle: { digest(a: string, d: ArrayBuffer): Promise<ArrayBuffer> } } };
      const bytes = await (await g.fetch(`/api/v1/snapshots/${id}`)).arrayBuffer();
      return [...new Uint8Array(await g.crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
    }, snapId);
    const [row] = await stack.registry.db.query<{ sha256: string }>('SELECT sha256 FROM snapshots WHERE id = $1', [snapId]);
    expect([shown, inPage]).toEqual([row!.sha256, row!.sha256]);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const jpeg = Buffer.from(await (await fetch(`${stack.base}/api/v1/snapshots/${snapId}`, { headers: { cookie } })).arrayBuffer());
    expect(createHash('sha256').update(jpeg).digest('hex')).toBe(row!.sha256);
    // the evidence image is shown (decoded, not a broken image)
    await expect.poll(() => ev.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
    expect(await unresolved(page)).toEqual([]);
    expect(browser.problems).toEqual([]);
    await shot(page, 'spot-check');
  });
});
