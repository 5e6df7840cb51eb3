import type { Logger } from '@tianwang/core/log';

export interface BacklogReportDeps {
  held: () => number;
  maxBacklog: number;
  /** since when InfluxDB writes fail (undefined while they succeed) */
  failingSince: () => number | undefined;
  gauge: { set(value: number): void };
  log: Logger;
  /** least time between two warnings, ms (default 5 s) */
  warnEveryMs?: number;
}

/**
 * The backlog gauge, and a warning (at most one per `warnEveryMs`) while messages wait because InfluxDB fails
 * or the backlog passed half its limit. Returns one report, for a periodic task.
 */
export function backlogReport(d: BacklogReportDeps): () => void {
  const warnEveryMs = d.warnEveryMs ?? 5000;
  let lastLog = 0;
  return () => {
    const held = d.held();
    d.gauge.set(held);
    const failingSince = d.failingSince();
    if (held && (failingSince !== undefined || held > d.maxBacklog / 2) && Date.now() - lastLog >= warnEveryMs) {
      lastLog = Date.now();
      const failing = failingSince !== undefined ? { failingForS: Math.round((Date.now() - failingSince) / 1000) } : {};
      d.log.warn({ backlog: held, max: d.maxBacklog, ...failing }, 'InfluxDB writes are behind; entries wait in the backlog');
    }
  };
}
