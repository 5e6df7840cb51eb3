/**
 * Time to a usable live board in Debian's Chromium: from navigation to /board (session cookie set, so no sign-in
 * form) until the counters show every device in scope and the virtualised table has drawn rows. The first load
 * has an empty cache (cold); the next ones reuse the cached hashed assets (warm), as a returning inspector would.
 * The cold load is also broken down from the page's own Performance entries: when the HTML, the entry's assets,
 * /api/v1/me, the route's chunks and the board's API calls arrived, and how long the main thread was busy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

export interface LoadPhase {
  /** what was fetched: "html", "entry JS/CSS (n files, KB)", "/api/v1/me", … */
  what: string;
  /** ms after navigation start: first request started, last response ended */
  from: number;
  to: number;
}

export interface ColdBreakdown {
  phases: LoadPhase[];
  /** main-thread tasks over 50 ms (script compile and run, style, layout): count and total ms */
  longTasks: { count: number; ms: number };
  /** bytes of JS and CSS the cold load transferred (encoded) */
  assetKb: number;
  /** ms after navigation start when the board was usable */
  doneMs: number;
}

export async function firstRender(base: string, cookie: string, devices: number, warmRuns = 2): Promise<{ coldMs: number; warmMs: number[]; cold: ColdBreakdown }> {
  const profile = await mkdtemp(join(tmpdir(), 'tw-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
  });
  try {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Strict' }]);
    await context.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const once = async () => {
      const t0 = Date.now();
      await page.goto(`${base}/board`, { waitUntil: 'commit' });
      await page.waitForFunction(
        (n) => {
          const done = document.querySelector('[data-counter="total"] .value')?.textContent?.trim() === String(n) && document.querySelectorAll('.el-table-v2__row').length > 0;
          if (done) (window as unknown as { __doneAt: number }).__doneAt = performance.now();
          return done;
        },
        devices,
        { timeout: 60_000, polling: 'raf' },
      );
      return Date.now() - t0;
    };
    const cdp = process.env.TW_BENCH_PROFILE ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const coldMs = await once();
    if (cdp) await summariseProfile((await cdp.send('Profiler.stop')).profile, process.env.TW_BENCH_PROFILE!);
    const cold = await breakdown(page);
    const warmMs: number[] = [];
    for (let i = 0; i < warmRuns; i++) warmMs.push(await once());
    return { coldMs, warmMs, cold };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

async function breakdown(page: Page): Promise<ColdBreakdown> {
  const raw = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const res = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => ({
      path: new URL(r.name).pathname, start: r.startTime, end: r.responseEnd, bytes: r.encodedBodySize, type: r.initiatorType,
    }));
    const w = window as unknown as { __longTasks: number[]; __doneAt: number };
    return { html: { start: nav.requestStart, end: nav.responseEnd }, res, longTasks: w.__longTasks, doneAt: w.__doneAt };
  });
  const round = (n: number) => Math.round(n);
  const span = (what: string, items: { start: number; end: number }[]): LoadPhase | undefined =>
    items.length ? { what, from: round(Math.min(...items.map((i) => i.start))), to: round(Math.max(...items.map((i) => i.end))) } : undefined;
  const assets = raw.res.filter((r) => /\.(js|css)$/.test(r.path));
  const kb = (xs: { bytes: number }[]) => round(xs.reduce((s, x) => s + x.bytes, 0) / 1024);
  // the entry's assets are those asked for before the first API call (the app running); the rest are the chunks
  // of the route, imported after the session check
  const api = raw.res.filter((r) => r.path.startsWith('/api/'));
  const firstApi = Math.min(...api.map((r) => r.start));
  const entry = assets.filter((r) => r.start < firstApi);
  const later = assets.filter((r) => r.start >= firstApi);
  const phases = [
    span('html', [raw.html]),
    span(`entry JS/CSS (${entry.length} files, ${kb(entry)} KB)`, entry),
    ...[...new Set(api.map((r) => r.path))].map((p) => {
      const calls = api.filter((r) => r.path === p);
      // several calls of one path (the board reads its rows a page at a time): each call's duration
      return span(calls.length > 1 ? `${p} ×${calls.length}: ${calls.map((c) => round(c.end - c.start)).join(' + ')} ms` : p, calls);
    }),
    span(`route chunks (${later.length} files, ${kb(later)} KB)`, later),
  ].filter((p): p is LoadPhase => !!p).sort((a, b) => a.from - b.from);
  return { phases, longTasks: { count: raw.longTasks.length, ms: round(raw.longTasks.reduce((s, d) => s + d, 0)) }, assetKb: kb(assets), doneMs: round(raw.doneAt) };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Writes the cold load's CPU profile (open it in Chromium's DevTools) and prints where the main thread spent it. */
async function summariseProfile(profile: CpuProfile, file: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, JSON.stringify(profile));
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byNode.get(id)!.callFrame;
    const where = f.url ? `${new URL(f.url).pathname.replace(/-[\w-]{8}\.js$/, '.js')} ${f.functionName || '(anonymous)'}` : f.functionName;
    self.set(where, (self.get(where) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const byFile = new Map<string, number>();
  for (const [k, ms] of self) byFile.set(k.split(' ')[0]!, (byFile.get(k.split(' ')[0]!) ?? 0) + ms);
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `    ${ms.toFixed(0).padStart(5)} ms  ${k}`).join('\n');
  console.log(`cold load CPU profile (${file}), self time by script:\n${top(byFile, 12)}\nby function:\n${top(self, 25)}`);
}
