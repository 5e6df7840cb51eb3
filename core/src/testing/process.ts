import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerProcess {
  port: number;
  dir: string;
  child: ChildProcess;
  /** SIGTERM (or `signal`), wait for exit (SIGKILL after 10 s); removes the temp dir unless keepDir */
  stop(opts?: { keepDir?: boolean; signal?: NodeJS.Signals }): Promise<void>;
  /** SIGKILL (a crash), then wait */
  kill(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tw-${prefix}-`));
}

export async function waitForPort(port: number, timeoutMs = 15_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} does not answer after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Spawns a server binary; the child dies with the test process (no orphans). */
export function spawnServer(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): ChildProcess {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, uid: opts.uid, gid: opts.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', () => {});
  (child as ChildProcess & { outputTail: () => string }).outputTail = () => tail;
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  if (child.pid) watchParent(child.pid);
  return child;
}

/**
 * The 'exit' hook above does not run when the test worker itself is killed (vitest ends workers with
 * SIGTERM). A tiny detached watchdog kills the server once this process is gone, so no server is orphaned.
 */
function watchParent(serverPid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${serverPid} 2>/dev/null; do sleep 1; done; kill -9 ${serverPid} 2>/dev/null`;
  const dog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  dog.on('error', () => {});
  dog.unref();
}

/**
 * Waits for `ready`, but fails at once (with the server's last output) when the process exits or cannot be
 * spawned first, instead of waiting out the whole readiness timeout.
 */
export async function readyOrExit<T>(child: ChildProcess, name: string, ready: Promise<T>): Promise<T> {
  let onExit: (() => void) | undefined;
  let onError: ((err: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    const tail = () => (child as ChildProcess & { outputTail?: () => string }).outputTail?.().trim() ?? '';
    onExit = () => reject(new Error(`${name} exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}): ${tail()}`));
    onError = (err) => reject(new Error(`${name} could not be started: ${err.message} (is it installed? scripts/install.sh installs it)`));
    child.once('exit', onExit);
    child.once('error', onError);
  });
  try {
    return await Promise.race([ready, failed]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    child.removeListener('exit', onExit!);
    child.removeListener('error', onError!);
  }
}

export function waitForExit(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

export function serverHandle(child: ChildProcess, port: number, dir: string): ServerProcess {
  return {
    port,
    dir,
    child,
    async stop(opts = {}) {
      child.kill(opts.signal ?? 'SIGTERM');
      await waitForExit(child);
      if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
    },
    async kill() {
      child.kill('SIGKILL');
      await waitForExit(child);
    },
  };
}
