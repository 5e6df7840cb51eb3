import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Logger } from '@tianwang/core/log';
import { redactSecrets, safeError } from '../redact.js';

/**
 * One long-running ffmpeg child (RTSP pull, HLS packager, recorder), kept alive: when it exits without
 * being asked to, it is started again after a backoff that doubles from `minBackoffMs` to `maxBackoffMs`
 * and resets once a run lasted `stableMs`. stop() ends it (SIGTERM, then SIGKILL after a grace period).
 * Every child is spawned attached (detached:false) and killed when the relay process exits, so none is
 * orphaned; children that read from the relay also end by themselves when the relay's socket goes away.
 * Nothing of a child's arguments or stderr is logged unredacted (redact.ts): they hold source URLs and tokens.
 */
export interface SupervisorOptions {
  name: string;
  args: () => string[];
  minBackoffMs?: number;
  maxBackoffMs?: number;
  stableMs?: number;
  /** called with each stderr line, redacted (e.g. progress parsing); stderr's tail is kept for the log anyway */
  onStderrLine?: (line: string) => void;
  /** strings to blank out of anything logged beyond what redactSecrets finds (a source URL, its password) */
  secrets?: string[];
  env?: NodeJS.ProcessEnv;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Number of ffmpeg children this process runs right now (metrics, tests). */
export function liveChildren(): number {
  return live.size;
}

export class FfmpegSupervisor extends EventEmitter<{ restart: [attempt: number]; spawn: [pid: number]; exit: [code: number | null, signal: string | null] }> {
  private child: ChildProcess | undefined;
  private stopped = true;
  private backoffMs: number;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  restarts = 0;

  constructor(
    private readonly opts: SupervisorOptions,
    private readonly log: Logger,
  ) {
    super();
    this.backoffMs = opts.minBackoffMs ?? 500;
    installExitHook();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.spawnChild();
  }

  private spawnChild(): void {
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'warning', ...this.opts.args()];
    const child = spawn('ffmpeg', args, { detached: false, stdio: ['ignore', 'ignore', 'pipe'], env: this.opts.env ? { ...process.env, ...this.opts.env } : process.env });
    this.child = child;
    this.startedAt = Date.now();
    live.add(child);
    // whole lines, redacted one by one (a cut-off tail could keep half a password no pattern recognises)
    const tail: string[] = [];
    let partial = '';
    const onLine = (raw: string) => {
      const line = redactSecrets(raw, this.opts.secrets).slice(0, 500);
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > 3) tail.shift();
      this.opts.onStderrLine?.(line);
    };
    child.stderr?.on('data', (b: Buffer) => {
      const lines = (partial + b.toString()).split(/\r?\n|\r/);
      partial = (lines.pop() ?? '').slice(-4000);
      lines.forEach(onLine);
    });
    // not { err }: Node puts the arguments (source URL and all) on spawn errors as `spawnargs`
    child.on('error', (err) => this.log.warn({ error: safeError(err, this.opts.secrets), name: this.opts.name }, 'ffmpeg could not be started'));
    if (child.pid) this.emit('spawn', child.pid);
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (this.child === child) this.child = undefined;
      this.emit('exit', code, signal);
      if (this.stopped) return;
      if (Date.now() - this.startedAt >= (this.opts.stableMs ?? 10_000)) this.backoffMs = this.opts.minBackoffMs ?? 500;
      this.restarts++;
      this.log.warn({ name: this.opts.name, code, signal, retryInMs: this.backoffMs, stderr: [...tail, redactSecrets(partial, this.opts.secrets).slice(0, 500)].filter(Boolean).join(' | ') }, 'ffmpeg exited; restarting');
      this.timer = setTimeout(() => {
        if (!this.stopped) {
          this.emit('restart', this.restarts);
          this.spawnChild();
        }
      }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 30_000);
    });
  }

  /** Resolves when the child has exited. Idempotent. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      // SIGTERM lets ffmpeg finish the segment or playlist it is writing
      child.kill('SIGTERM');
    });
  }
}
