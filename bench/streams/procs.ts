/**
 * Processes of the stream benchmarks (run.ts, hls-viewers.ts): starting servers and tools as children that die with
 * the benchmark, and the CPU and RSS of a process from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const kids = new Set<ChildProcess>();
process.on('exit', () => kids.forEach((k) => k.kill('SIGKILL')));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function run(cmd: string, args: string[], opts: { stdout?: boolean } = {}): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', opts.stdout ? 'pipe' : 'ignore', 'ignore'] });
  // a command that cannot start (ENOENT) is reported by the target that needs it, never an unhandled crash
  c.once('error', (err) => console.error(`bench:streams: ${cmd} failed to start: ${err.message}`));
  kids.add(c);
  c.once('exit', () => kids.delete(c));
  return c;
}
export const ff = (args: string[], o?: { stdout?: boolean }) => run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], o);

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
export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return Math.round(kb / 1024);
}
export type Cpu = { cpu: number; lo: number; hi: number; rss: number };
/**
 * CPU % of one core of each target, over the same WINDOWS windows: the median, with the lowest and highest
 * (the spread says how noisy). Measuring all targets in the same windows keeps a drifting background load
 * (other work on a shared machine) out of their ratio.
 */
export async function measure(targets: { pids: () => number[] }[], WINDOWS: number, WINDOW_MS: number): Promise<Cpu[]> {
  const windows: number[][] = targets.map(() => []);
  for (let i = 0; i < WINDOWS; i++) {
    const t0 = targets.map((t) => cpuTicks(t.pids()));
    const w0 = performance.now();
    await sleep(WINDOW_MS);
    const seconds = (performance.now() - w0) / 1000;
    targets.forEach((t, j) => windows[j]!.push(((cpuTicks(t.pids()) - t0[j]!) / 100 / seconds) * 100));
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return targets.map((t, j) => {
    const w = windows[j]!.sort((x, y) => x - y);
    return { cpu: r(w[Math.floor(w.length / 2)]!), lo: r(w[0]!), hi: r(w.at(-1)!), rss: rssMb(t.pids()) };
  });
}


/** A server process started with a "ready" line on stdout. */
export async function startNode(script: string, args: string[]): Promise<ChildProcess> {
  const prof = process.argv.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${join(import.meta.dirname, '../results/streams-cpu-prof')}`] : [];
  // --node-flags=--trace-gc (say): extra flags for the server processes, whose output then goes to bench/results
  const extra = option('node-flags')?.split(' ').filter(Boolean) ?? [];
  const child = run('node', [...prof, ...extra, '--conditions=@tianwang/source', '--import', 'tsx', join(import.meta.dirname, script), ...args], { stdout: true });
  const log = extra.length ? createWriteStream(join(import.meta.dirname, `../results/streams-${script.replace('.ts', '')}-${child.pid}.log`)) : undefined;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      log?.write(b);
      if (b.toString().includes('ready')) resolve();
    });
    child.once('exit', () => reject(new Error(`${script} exited`)));
  });
  return child;
}

/** SIGTERM, then wait for the exit (a CPU profile is written on exit). */
export async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  child.kill('SIGKILL');
}

