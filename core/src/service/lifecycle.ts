import type { Logger } from '../log/index.js';
import { Shutdown } from './shutdown.js';

/**
 * The start/stop state machine every service shares (docs/development.md, "Service lifecycle"):
 *   - start() is idempotent: calls while starting or started share one promise, so the steps run once;
 *   - a start that fails part-way undoes what did start (the steps registered on `shutdown` so far, in reverse
 *     order), rejects, and leaves the service stopped: the next start() tries again from the beginning;
 *   - stop() waits for a start in flight, runs the shutdown steps once (concurrent calls share one promise),
 *     and leaves the service ready to start again;
 *   - start() during a stop waits for the stop to finish, then starts afresh.
 * The service's start steps register how to undo each thing they open with `shutdown.add()` right after opening it.
 */
export class Lifecycle {
  readonly shutdown: Shutdown;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private state: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped';

  constructor(
    private readonly steps: (shutdown: Shutdown) => Promise<void>,
    log?: Logger,
  ) {
    this.shutdown = new Shutdown(log);
  }

  /** true from the moment start() resolved until stop() is called */
  get started(): boolean {
    return this.state === 'started';
  }

  start(): Promise<void> {
    // a start asked for during a stop begins once the stop has released everything
    if (this.stopping) return this.stopping.then(() => this.start());
    this.starting ??= this.runStart();
    return this.starting;
  }

  stop(): Promise<void> {
    this.stopping ??= this.runStop().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async runStart(): Promise<void> {
    this.state = 'starting';
    try {
      await this.shutdown.startOrUndo(() => this.steps(this.shutdown));
      this.state = 'started';
    } catch (err) {
      this.state = 'stopped';
      this.starting = undefined;
      throw err;
    }
  }

  private async runStop(): Promise<void> {
    const starting = this.starting;
    if (!starting) return;
    // a start in flight finishes (or undoes itself) first, so nothing it opens afterwards is left behind
    await starting.catch(() => {});
    if (this.starting !== starting) return; // that start failed and undid itself
    this.state = 'stopping';
    try {
      await this.shutdown.runAndReset();
    } finally {
      this.starting = undefined;
      this.state = 'stopped';
    }
  }
}
