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

  /** A service's stop(): runs the steps, then is ready for the next start. */
  async runAndReset(): Promise<void> {
    await this.run();
    this.reset();
  }

  /** A service's start(): runs `steps`; when one fails, undoes what already started and rethrows. */
  async startOrUndo(steps: () => Promise<void>): Promise<void> {
    try {
      await steps();
    } catch (err) {
      await this.runAndReset();
      throw err;
    }
  }
}
