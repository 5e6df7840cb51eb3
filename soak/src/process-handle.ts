import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { spawnServer } from '@tianwang/core/testing';

/**
 * One process of the platform under test (a service node, the simulator, HAProxy): spawned with its own
 * environment, stdout and stderr appended to one log file (a restart appends to the same file), and killed
 * with the signal a fault asks for. Incarnations are counted so the RSS check knows a restarted process.
 */
export interface ProcessHandle {
  readonly name: string;
  readonly logFile: string;
  pid(): number | undefined;
  incarnation(): number;
  alive(): boolean;
  start(): Promise<void>;
  /** SIGKILL (a crash) or SIGTERM (an orderly stop), then wait for the exit */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  restart(): Promise<void>;
  /** exit codes of incarnations that ended without being asked to */
  unexpectedExits: string[];
}

export function processHandle(name: string, cmd: string, args: string[], o: { env: NodeJS.ProcessEnv; cwd: string; logFile: string; ready: () => Promise<void> }): ProcessHandle {
  let child: ChildProcess | undefined;
  let count = 0;
  let log: WriteStream | undefined;
  let stopping = false;
  const unexpectedExits: string[] = [];
  const handle: ProcessHandle = {
    name,
    logFile: o.logFile,
    unexpectedExits,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    incarnation: () => count,
    alive: () => !!child && child.exitCode === null && child.signalCode === null,
    async start() {
      log ??= createWriteStream(o.logFile, { flags: 'a' });
      stopping = false;
      // spawnServer: a watchdog kills the child when this process is gone, even by a signal (a test worker ended
      // by vitest on a timeout), so no service outlives its soak
      const c = spawnServer(cmd, args, { cwd: o.cwd, env: o.env });
      child = c;
      count++;
      c.stdout!.pipe(log, { end: false });
      c.stderr!.pipe(log, { end: false });
      c.on('error', (err) => unexpectedExits.push(`${name}: ${err.message}`));
      c.once('exit', (code, signal) => {
        if (!stopping) unexpectedExits.push(`${name} (pid ${c.pid}) exited by itself: code ${code} signal ${signal}`);
      });
      await o.ready();
    },
    async kill(signal = 'SIGKILL') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      stopping = true;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill(signal);
      const t = setTimeout(() => c.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
    async restart() {
      await handle.kill('SIGTERM');
      await handle.start();
    },
  };
  return handle;
}

/** Resident set size of a process in MB, from /proc (undefined when it is gone). */
export function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Polls `check` until it is true or `timeoutMs` passes; returns the milliseconds it took, or undefined on timeout. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 250): Promise<number | undefined> {
  const started = Date.now();
  for (;;) {
    try {
      if (await check()) return Date.now() - started;
    } catch {
      /* not yet */
    }
    if (Date.now() - started > timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
