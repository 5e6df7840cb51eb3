import type { Check } from './checks.js';
import type { FaultResult } from './fault-schedule.js';
import type { LogFindings } from './log-scan.js';
import type { RssVerdict } from './rss-sampler.js';

/** The table a soak run prints at its end (and docs/benchmarks.md records), as Markdown. */
export interface SoakReport {
  startedAt: string;
  minutes: number;
  devices: number;
  cameras: number;
  players: number;
  loadBefore: number[];
  loadAfter: number[];
  checks: Check[];
  faults: FaultResult[];
  rss: RssVerdict[];
  logs: LogFindings[];
  deviceFaults: number;
}

const fmtS = (ms: number | undefined) => (ms === undefined ? 'not recovered' : `${(ms / 1000).toFixed(1)} s`);

export function renderReport(r: SoakReport): string {
  const out: string[] = [];
  out.push(
    `soak ${r.startedAt}: ${r.minutes} min, ${r.devices} terminals, ${r.cameras} cameras, ${r.players} players, ${r.deviceFaults} device faults injected; ` +
      `load average before ${r.loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${r.loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
    '',
    '| check | measured | limit | ok |',
    '| --- | --- | --- | --- |',
    ...r.checks.map((c) => `| ${c.name} | ${c.figure} | ${c.limit} | ${c.ok ? 'yes' : '**NO**'} |`),
    '',
    '| fault | at | recovered after | what recovery means |',
    '| --- | --- | --- | --- |',
    ...r.faults.map((f) => `| ${f.name} | ${f.atS.toFixed(0)} s | ${fmtS(f.recoveryMs)} | ${f.what} |`),
    '',
    '| process | RSS start MB | middle | end | max | growth, last half |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.rss.map((v) => `| ${v.name} | ${v.startMb.toFixed(0)} | ${v.midMb.toFixed(0)} | ${v.endMb.toFixed(0)} | ${v.maxMb.toFixed(0)} | ${v.growth === undefined ? 'restarted' : `${(v.growth * 100).toFixed(1)} %`} |`),
  );
  const noisy = r.logs.filter((l) => l.errors || l.unhandled || l.warnings);
  if (noisy.length) {
    out.push('', '| log | errors | unhandled | warnings | error examples |', '| --- | --- | --- | --- | --- |');
    for (const l of noisy) out.push(`| ${l.name} | ${l.errors} | ${l.unhandled} | ${l.warnings} | ${l.examples.map((e) => e.replace(/\|/g, '/')).join('; ')} |`);
  }
  return out.join('\n');
}
