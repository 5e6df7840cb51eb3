import type { Logger } from '@tianwang/core/log';
import type { WorkerState } from './worker-state.js';

/**
 * The worker's periodic tasks (heartbeat, reclaim, trim, backlog gauge). A task never overlaps itself (a tick
 * while it runs is skipped) and none runs once a stop began; a failure is logged and the next tick tries again.
 */
export class PeriodicTasks {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly state: WorkerState,
    private readonly log: Logger,
  ) {}

  every(ms: number, name: string, fn: () => Promise<unknown>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy || !this.state.running) return;
      busy = true;
      fn()
        .catch((err: unknown) => this.log.warn({ err, task: name }, 'periodic task failed'))
        .finally(() => (busy = false));
    }, ms);
    this.timers.push(t);
  }

  clear(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}
