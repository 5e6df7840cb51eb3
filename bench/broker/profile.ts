/**
 * CPU profile of our broker under one fan-in load: the broker as its own process with `--cpu-prof`, pinned
 * to core 0, the generator on core 1 (as in run.ts), then a summary of self time by function and by file.
 * `node --conditions=@tianwang/source --import tsx bench/broker/profile.ts <qos> <rate> [seconds] [outDir]`
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startRedis } from '@tianwang/core/testing';
import { servicePassword } from '@tianwang/broker';

const [qos = '1', rate = '100000', seconds = '5', outDir = '/tmp/tw-broker-prof'] = process.argv.slice(2);
const SECRET = '0123456789abcdef0123456789abcdef';
const MASTER = 'bench-master-service-password-0123456789';
const NODE = [process.execPath, '--conditions=@tianwang/source', '--import', 'tsx'];
mkdirSync(outDir, { recursive: true });
const before = new Set(readdirSync(outDir));
const redis = await startRedis({ appendonly: false });
const port = await freePort();
const broker = spawn('taskset', ['-c', '0', process.execPath, '--cpu-prof', '--cpu-prof-dir', outDir, ...NODE.slice(1), 'bench/broker/broker-proc.ts', String(port), redis.url, 'bench', '300', SECRET, MASTER], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => broker.stdout.on('data', (b: Buffer) => b.toString().includes('READY') && resolve()));
const gen = spawn('taskset', ['-c', '1', ...NODE, 'bench/broker/loadgen.ts', 'fanin', String(port), qos, rate, seconds, '100', SECRET, 'svc:ingest', servicePassword(MASTER, 'ingest')], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
gen.stdout.on('data', (b: Buffer) => (out += b.toString()));
await new Promise((r) => gen.once('exit', r));
const res = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
console.log(JSON.stringify({ ...res, deliveredPerS: Math.round(res.deliveredAtEnd! / res.seconds!) }));
broker.kill('SIGTERM');
await new Promise((r) => broker.once('exit', r));
await redis.stop();
// the main thread's profile (tsx's loader thread writes a second, small one)
const file = readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f)).sort((a, b) => statSync(join(outDir, b)).size - statSync(join(outDir, a)).size)[0]!;
summarize(JSON.parse(readFileSync(join(outDir, file), 'utf8')));
console.log(`profile: ${join(outDir, file)}`);

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
function summarize(p: { nodes: Node[]; samples: number[]; timeDeltas: number[] }) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, t] of self) {
    const cf = byId.get(id)!.callFrame;
    const f = cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '');
    fn.set(`${cf.functionName || '(anon)'} ${f}:${cf.lineNumber + 1}`, (fn.get(`${cf.functionName || '(anon)'} ${f}:${cf.lineNumber + 1}`) ?? 0) + t);
    const key = f.split('/').slice(0, 2).join('/') || cf.functionName;
    file.set(key, (file.get(key) ?? 0) + t);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`).join('\n');
  console.log(`--- self time by file (total ${(total / 1e6).toFixed(1)} s)\n${top(file, 25)}\n--- by function\n${top(fn, 45)}`);
}
