/**
 * The HLS viewers of bench:streams-hls (hls-viewers.ts), and a worker thread running a share of them: 500 viewers'
 * fetching costs more than one core of JavaScript on its own, so the benchmark spreads them over threads (the viewers
 * must not be the bottleneck it measures). A thread answers 'mark' (the measured window starts: its segment fetch
 * times and event-loop utilisation start afresh) and 'report' (its counts so far, those fetch times and how busy its
 * event loop was since 'mark': near 1, the thread itself limits the figures), and ends after 'stop'.
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { sleep } from './procs.js';

/** `kinds`: errors by what they were (`playlist 503`, `segment 404`, `ECONNRESET`, …), so a rerun says why */
export interface Stats { requests: number; bytes: number; errors: number; segMs: number[]; kinds: Record<string, number> }
export const stats = (): Stats => ({ requests: 0, bytes: 0, errors: 0, segMs: [], kinds: {} });
const fail = (s: Stats, kind: string) => {
  s.errors++;
  s.kinds[kind] = (s.kinds[kind] ?? 0) + 1;
};
const causeOf = (err: unknown) => {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
};

/** One consumer: polls the playlist every segment duration and fetches each new segment once. */
export async function viewer(playlistUrl: string, s: Stats, stop: { done: boolean }): Promise<void> {
  const seen = new Set<string>();
  let first = true;
  while (!stop.done) {
    try {
      const r = await fetch(playlistUrl);
      s.requests++;
      if (!r.ok) {
        fail(s, `playlist ${r.status}`);
        await r.arrayBuffer();
      } else {
        const segs = (await r.text()).split('\n').filter((l) => l && !l.startsWith('#'));
        for (const seg of first ? segs.slice(-3) : segs) {
          const name = seg.split('?')[0]!;
          if (seen.has(name)) continue;
          seen.add(name);
          const t = performance.now();
          const b = await fetch(new URL(seg, playlistUrl));
          const body = await b.arrayBuffer();
          s.requests++;
          if (!b.ok) fail(s, `segment ${b.status}`);
          else {
            s.bytes += body.byteLength;
            s.segMs.push(performance.now() - t);
          }
        }
        first = false;
      }
    } catch (err) {
      fail(s, causeOf(err));
    }
    await sleep(800 + Math.random() * 400);
  }
}


export interface Report extends Stats { elu: number }

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { url, count } = workerData as { url: string; count: number };
  const s = stats();
  const stop = { done: false };
  const all = Array.from({ length: count }, () => viewer(url, s, stop));
  let elu0 = performance.eventLoopUtilization();
  port.on('message', (m: string) => {
    if (m === 'mark') {
      s.segMs.length = 0;
      elu0 = performance.eventLoopUtilization();
    } else if (m === 'report') {
      port.postMessage({ ...s, elu: performance.eventLoopUtilization(elu0).utilization } satisfies Report);
    } else if (m === 'stop') {
      stop.done = true;
      void Promise.all(all).then(() => port.close());
    }
  });
}
