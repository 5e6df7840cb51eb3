import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export interface Browser {
  context: BrowserContext;
  /** Content-Security-Policy violations and page errors seen so far (expected: none) */
  problems: string[];
  page(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile (no cache, no cookies), in zh-CN. */
export async function launch(viewport = { width: 1366, height: 768 }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'tw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const problems: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
    });
    // with the first lines of the stack: a minified bundle's error can say as little as "e" (CI once did)
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}${e.stack ? `\n${e.stack.split('\n').slice(0, 4).join('\n')}` : ''}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    async page(vp) {
      const p = await context.newPage();
      if (vp) await p.setViewportSize(vp);
      return p;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go when TW_SCREENSHOT_DIR is set (docs/img when the docs are refreshed). */
/**
 * The page's document.visibilityState overridden, then `visibilitychange` fired: headless Chromium keeps every page
 * visible (another tab in front, a minimised window, CDP focus emulation off), so a test of what a hidden tab does
 * fires the event a real tab switch fires (runs in the page: the DOM exists there, not in this node typecheck).
 */
export const setVisibility = (p: Page, state: 'hidden' | 'visible') =>
  p.evaluate((s) => {
    const doc = (globalThis as unknown as { document: object & { dispatchEvent(e: unknown): void } }).document;
    Object.defineProperty(doc, 'visibilityState', { configurable: true, get: () => s });
    Object.defineProperty(doc, 'hidden', { configurable: true, get: () => s === 'hidden' });
    doc.dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('visibilitychange'));
  }, state);

export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.TW_SCREENSHOT_DIR;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** Element Plus tags left in the DOM: a component the app uses but never registered (production Vue does not warn). */
export const unresolved = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    // runs in the page: the DOM exists there, not in this (node) typecheck
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ tagName: string }> } }).document;
    return [...new Set(Array.from(doc.querySelectorAll('*'), (e) => e.tagName.toLowerCase()).filter((t) => t.startsWith('el-')))];
  });
