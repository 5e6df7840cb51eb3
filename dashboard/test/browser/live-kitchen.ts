import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { publish } from '../../../streams/test/helpers/relay-fixture.js';
import { launch, type Browser } from './chromium.js';
import { startKitchenStack, WALL_CAMERAS, type KitchenStack } from './kitchen-stack.js';

export interface LiveKitchen {
  readonly stack: KitchenStack;
  readonly browser: Browser;
  /** the camera publishers in WALL_CAMERAS order (a test that stops one puts a new one in its place) */
  readonly cameras: ChildProcess[];
}

/**
 * The kitchen stack (startKitchenStack) with its four wall cameras live (ffmpeg pushing test pictures over RTMP, as
 * streams' own tests do) and Chromium at `viewport`, for one test file: started in `beforeAll`, stopped in `afterAll`.
 * Every test opens its own pages; after it they are left (a full navigation: the viewings end from pagehide, as when
 * a user leaves, a keepalive request, and the relay sees its sockets close: both waited for) and closed, so the next
 * test starts with no player at the relay and no open viewing; a CSP violation or a page error fails the test that
 * caused it. Call it once at the top of a file: `const live = liveKitchenPerFile({ width, height });`.
 */
export function liveKitchenPerFile(viewport: { width: number; height: number }): LiveKitchen {
  let stack: KitchenStack | undefined;
  let browser: Browser | undefined;
  const cameras: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startKitchenStack();
    for (const id of WALL_CAMERAS) cameras.push(publish(stack.publishUrl(id), 'testsrc2=size=320x180:rate=10'));
    browser = await launch(viewport);
  }, 180_000);
  afterAll(async () => {
    for (const c of cameras) c.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
  });
  const live: LiveKitchen = {
    cameras,
    get stack() {
      if (!stack) throw new Error('liveKitchenPerFile: the stack is not started (use it inside a test)');
      return stack;
    },
    get browser() {
      if (!browser) throw new Error('liveKitchenPerFile: the browser is not launched (use it inside a test)');
      return browser;
    },
  };
  beforeEach(() => {
    live.browser.problems.length = 0;
  });
  afterEach(async () => {
    for (const p of live.browser.context.pages()) await p.goto('about:blank');
    await expect.poll(() => live.stack.openViewings(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => live.stack.relayViewers(), { timeout: 10_000 }).toBe('0');
    for (const p of live.browser.context.pages()) await p.close();
    expect(live.browser.problems).toEqual([]);
  });
  return live;
}
