import { rssMb, type ProcessHandle } from './process-handle.js';

/** RSS of every process over time, and whether any grew more than the limit in the last half of the run. */
export interface RssSample {
  t: number;
  mb: number;
  incarnation: number;
}

export interface RssVerdict {
  name: string;
  startMb: number;
  midMb: number;
  endMb: number;
  maxMb: number;
  /**
   * growth from the middle of the run to its end; undefined when a restarted process had not run WARM_MS by the
   * middle. A process that had not run WARM_MS by the middle (the CI-sized run of 1.5 min) grows from the highest RSS
   * of its first half instead: its heap and JIT still swing by ±20 % then (alerts-1 110 → 140 → 105 → 118 MB in CI),
   * so only growth past everything it already reached says leak.
   */
  growth: number | undefined;
}

/** how long a restarted process runs before its RSS growth is judged (see verdicts) */
export const WARM_MS = 5 * 60_000;

export function sampleRss(processes: () => { name: string; pid: number | undefined; incarnation: number }[], everyMs: number) {
  const series = new Map<string, RssSample[]>();
  const timer = setInterval(() => {
    const t = Date.now();
    for (const p of processes()) {
      const mb = rssMb(p.pid);
      if (mb === undefined) continue;
      let s = series.get(p.name);
      if (!s) series.set(p.name, (s = []));
      s.push({ t, mb, incarnation: p.incarnation });
    }
  }, everyMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    series,
    verdicts(from: number, to: number): RssVerdict[] {
      const mid = from + (to - from) / 2;
      const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
      const window = (s: RssSample[], a: number, b: number) => median(s.filter((x) => x.t >= a && x.t <= b).map((x) => x.mb));
      const w = (to - from) / 10;
      return [...series].map(([name, s]) => {
        // a process started again during the run fills its heap, JIT and caches for minutes afterwards: its growth in
        // the last half says nothing about a leak unless it had been running WARM_MS by the middle (the CI-sized run
        // of 1.5 min judges only the processes that ran the whole time; a 20-minute run also judges early restarts)
        const last = s[s.length - 1];
        const incarnationStart = last ? s.find((x) => x.incarnation === last.incarnation)!.t : Infinity;
        const wasRestarted = s.some((x) => x.incarnation !== s[0]!.incarnation);
        const restarted = s.filter((x) => x.t >= mid).length === 0 || (wasRestarted && mid - incarnationStart < WARM_MS);
        const midMb = window(s, mid - w / 2, mid + w / 2);
        const endMb = window(s, to - w, to);
        const warm = mid - incarnationStart >= WARM_MS;
        const base = warm ? midMb : Math.max(midMb, ...s.filter((x) => x.t <= mid && x.incarnation === last?.incarnation).map((x) => x.mb));
        return {
          name,
          startMb: window(s, from, from + w),
          midMb,
          endMb,
          maxMb: Math.max(...s.map((x) => x.mb)),
          growth: restarted || !Number.isFinite(base) || !Number.isFinite(endMb) ? undefined : endMb / base - 1,
        };
      });
    },
  };
}

/** one handle per line of the RSS table: the platform's processes and what it stands on */
export function rssTargets(handles: ProcessHandle[], extra: { name: string; pid: () => number | undefined; incarnation: () => number }[]) {
  return () => [
    ...handles.map((h) => ({ name: h.name, pid: h.pid(), incarnation: h.incarnation() })),
    ...extra.map((e) => ({ name: e.name, pid: e.pid(), incarnation: e.incarnation() })),
  ];
}
