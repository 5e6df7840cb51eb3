import type { Logger } from '../log/index.js';

/**
 * Collects shutdown steps as a service starts, and runs them in reverse order. A failing step is logged and
 * the rest still run (after bullmq's close()). Calling run() twice returns the same promise.
 */
export class Shutdown {
  private readonly steps: { name: string; fn: () => unknown }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log?: Logger) {}

  add(name: string, fn: () => unknown): void {
    this.steps.push({ name, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.fn();
        } catch (err) {
          this.log?.warn({ err, step: step.name }, 'shutdown step failed');
        }
      }
      this.steps.length = 0;
    })();
    return this.running;
  }

  /** After run() finished, the object can collect steps for a new start. */
  reset(): void {
    this.running = undefined;
  }
}
