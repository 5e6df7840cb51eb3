import { eventTopic, telemetryTopic } from '@tianwang/core/topics';
import type { FaultName } from '../models/fault-names.js';
import { DeviceLogic } from './device-logic.js';
import { TerminalConnection } from './terminal-connection.js';

/**
 * One running terminal: its firmware logic on the wall clock, its connection, and the timer that wakes it
 * when the logic next has something to do. Thousands of these live in one process, so it keeps one timer
 * and no intervals.
 */
export class DeviceRunner {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** fault → timer that ends it */
  readonly expiries = new Map<FaultName, NodeJS.Timeout>();

  constructor(
    readonly logic: DeviceLogic,
    readonly connection: TerminalConnection,
    private readonly telemetryQos: 0 | 1,
    private readonly clock: () => number,
    private readonly onEvent?: (deviceId: string, event: { code: string; state: string; ts: number }) => void,
  ) {}

  get id(): string {
    return this.logic.spec.id;
  }

  start(): void {
    this.connection.start();
    this.tick();
  }

  /** Re-plans the wake-up, e.g. after a fault changed the pace (flood). */
  wake(): void {
    clearTimeout(this.timer);
    if (!this.stopped) this.tick();
  }

  setFault(fault: FaultName, on: boolean): void {
    this.logic.setFault(fault, on);
    if (fault === 'wrong_secret') this.connection.setWrongSecret(on);
    this.wake();
  }

  command(name: string, payload: Buffer): void {
    if (name === 'reboot') this.connection.dropLink();
    if (name === 'config') {
      try {
        const body = JSON.parse(payload.toString()) as { interval?: unknown };
        if (typeof body.interval === 'number' && body.interval >= 1) this.logic.intervalMs = body.interval * 1000;
        this.wake();
      } catch {
        /* a terminal ignores a command it cannot read */
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const t of this.expiries.values()) clearTimeout(t);
    await this.connection.stop();
  }

  private tick(): void {
    const { kind, id } = this.logic.spec;
    for (const out of this.logic.run(this.clock())) {
      const topic = out.channel === 'event' ? eventTopic(kind, id) : telemetryTopic(kind, id);
      const qos = out.channel === 'event' ? 1 : this.telemetryQos;
      this.connection.send({ topic, payload: out.payload, qos, priority: out.channel });
      if (out.channel === 'event' && this.onEvent) this.onEvent(id, JSON.parse(out.payload) as { code: string; state: string; ts: number });
    }
    if (this.stopped) return;
    const delay = Math.max(1, this.logic.nextDueMs() - this.clock());
    this.timer = setTimeout(() => this.tick(), delay);
  }
}
