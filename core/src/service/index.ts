import type { Logger } from '../log/index.js';

/** Every service is `createX(config, deps) → Service`. start() resolves when really ready; stop() is idempotent. */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

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

/** Runs a service from a main.ts: start, then stop on SIGINT/SIGTERM; a second signal exits at once. */
export async function runUntilSignal(service: Service, log: Logger): Promise<void> {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    service.stop().then(
      () => {
        log.info('stopped');
        process.exitCode = 0;
      },
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await service.start();
}
