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
  /** growth from the middle of the run to its end; undefined when the process was restarted after 30 % of the run */
  growth: number | undefined;
}

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
        // a process started again after the first 30 % of the run is still warming up (heap, caches) in the last half:
        // its growth there says nothing about a leak, so it is shown as restarted
        const late = s.filter((x) => x.t >= from + (to - from) * 0.3);
        const restarted = s.filter((x) => x.t >= mid).length === 0 || late.some((x) => x.incarnation !== late[0]!.incarnation);
        const midMb = window(s, mid - w / 2, mid + w / 2);
        const endMb = window(s, to - w, to);
        return {
          name,
          startMb: window(s, from, from + w),
          midMb,
          endMb,
          maxMb: Math.max(...s.map((x) => x.mb)),
          growth: restarted || !Number.isFinite(midMb) || !Number.isFinite(endMb) ? undefined : endMb / midMb - 1,
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
