/**
 * Fleet counters and the figures operators watch: connected, messages/s, errors, reconnects, and what the
 * generator itself costs (CPU of this process, RSS), so a benchmark knows how much of the machine it ate.
 */
export interface StatsSnapshot {
  devices: number;
  connected: number;
  published: number;
  /** QoS 1 messages the broker acknowledged, by kind (a QoS 0 message is never acknowledged) */
  acknowledged: { telemetry: number; event: number; status: number };
  errors: number;
  reconnects: number;
  buffered: number;
  elapsedS: number;
  /** over the last sampling window */
  msgsPerSec: number;
  /** since start */
  avgMsgsPerSec: number;
  /** process CPU, percent of one core, last window */
  cpuPercent: number;
  /** process CPU since start, percent of one core */
  avgCpuPercent: number;
  rssMb: number;
  lastError?: string;
}

export class FleetStats {
  devices = 0;
  connected = 0;
  published = 0;
  readonly acknowledged = { telemetry: 0, event: 0, status: 0 };
  errors = 0;
  reconnects = 0;
  lastError: string | undefined;
  private readonly startedAt = performance.now();
  private readonly startCpu = process.cpuUsage();
  private window = { at: performance.now(), published: 0, cpu: process.cpuUsage() };
  private lastRate = 0;
  private lastCpu = 0;

  /** Closes the current sampling window (call about once a second) and returns the figures. */
  sample(buffered = 0): StatsSnapshot {
    const now = performance.now();
    const dt = (now - this.window.at) / 1000;
    if (dt >= 0.2) {
      const cpu = process.cpuUsage(this.window.cpu);
      this.lastRate = (this.published - this.window.published) / dt;
      this.lastCpu = ((cpu.user + cpu.system) / 1e6 / dt) * 100;
      this.window = { at: now, published: this.published, cpu: process.cpuUsage() };
    }
    return this.snapshot(buffered);
  }

  snapshot(buffered = 0): StatsSnapshot {
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    const cpu = process.cpuUsage(this.startCpu);
    return {
      devices: this.devices,
      connected: this.connected,
      published: this.published,
      acknowledged: { ...this.acknowledged },
      errors: this.errors,
      reconnects: this.reconnects,
      buffered,
      elapsedS: round(elapsedS, 1),
      msgsPerSec: round(this.lastRate, 0),
      avgMsgsPerSec: round(this.published / Math.max(elapsedS, 0.001), 0),
      cpuPercent: round(this.lastCpu, 0),
      avgCpuPercent: round(((cpu.user + cpu.system) / 1e6 / Math.max(elapsedS, 0.001)) * 100, 0),
      rssMb: round(process.memoryUsage.rss() / 1048576, 0),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}

export function statusLine(s: StatsSnapshot): string {
  return (
    `[${fmtTime(s.elapsedS)}] connected ${s.connected}/${s.devices} · ${s.msgsPerSec} msg/s · sent ${s.published}` +
    ` · errors ${s.errors} · reconnects ${s.reconnects}${s.buffered ? ` · buffered ${s.buffered}` : ''} · cpu ${s.cpuPercent}% · rss ${s.rssMb} MB`
  );
}

export function summary(s: StatsSnapshot): string {
  return [
    'firmware-sim summary',
    `  devices      ${s.devices} (connected at end: ${s.connected})`,
    `  duration     ${s.elapsedS} s`,
    `  messages     ${s.published} (${s.avgMsgsPerSec} msg/s average)`,
    `  errors       ${s.errors}${s.lastError ? ` (last: ${s.lastError})` : ''}`,
    `  reconnects   ${s.reconnects}`,
    `  generator    cpu ${s.avgCpuPercent}% of one core on average, rss ${s.rssMb} MB`,
  ].join('\n');
}

function fmtTime(s: number): string {
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
