import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The benchmark's child processes (servers, encoders, players) and what /proc says about them. */

const kids = new Set<ChildProcess>();
process.on('exit', () => kids.forEach((k) => k.kill('SIGKILL')));

export function run(cmd: string, args: string[], opts: { stdout?: boolean } = {}): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', opts.stdout ? 'pipe' : 'ignore', 'ignore'] });
  // a command that cannot start (ENOENT) is reported by the target that needs it, never an unhandled crash
  c.once('error', (err) => console.error(`bench:streams: ${cmd} failed to start: ${err.message}`));
  kids.add(c);
  c.once('exit', () => kids.delete(c));
  return c;
}
export const ff = (args: string[], o?: { stdout?: boolean }) => run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], o);

/** CPU time of the processes, in clock ticks (user + system, /proc/<pid>/stat). */
export function cpuTicks(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return t;
}
/** Resident memory of the processes, MB (/proc/<pid>/status VmRSS). */
export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return Math.round(kb / 1024);
}

/** SIGTERM, then wait for the exit (a CPU profile is written on exit). */
export async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  child.kill('SIGKILL');
}
