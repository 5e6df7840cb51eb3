/**
 * firmware-sim load benchmark: mosquitto with password auth on a free port, 5,000 simulated terminals
 * (4,000 elevators, 1,000 boilers) from one process at one message each per second for ~30 s.
 * Prints connected, msgs/s, generator CPU % (of one core) and RSS. Figures go to docs/benchmarks.md.
 *   npm run bench:sim [-- --devices 5000 --seconds 30]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { generatedFleet } from '@tianwang/firmware-sim';
import { startMosquitto } from '@tianwang/firmware-sim/testing';
import { checkPrereqs } from '../prereqs.js';

checkPrereqs('sim');

const { values } = parseArgs({ options: { devices: { type: 'string', default: '5000' }, seconds: { type: 'string', default: '30' } } });
const devices = Number(values.devices);
const seconds = Number(values.seconds);
const secret = 'bench-secret';
const fleet = generatedFleet({ elevators: Math.round(devices * 0.8), boilers: devices - Math.round(devices * 0.8), idPrefix: 'BENCH', secret });

const broker = await startMosquitto(fleet.map((d) => ({ username: d.id, password: secret })));
console.log(`mosquitto on ${broker.url}; ${devices} devices, 1 msg/s each, ${seconds} s`);

// the generator runs as its own process, exactly as an operator would run it, so its CPU figure is its own
const child = spawn(
  process.execPath,
  ['--conditions=@tianwang/source', '--import', 'tsx', 'firmware-sim/src/cli.ts', 'load', '-b', broker.url, '-e', String(Math.round(devices * 0.8)), '-B', String(devices - Math.round(devices * 0.8)), '--id-prefix', 'BENCH', '--secret', secret, '-i', '1', '-d', `${seconds}s`, '--status-every', '5', '--json-summary'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let stdout = '';
child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
const code = await new Promise<number | null>((r) => child.on('exit', r));
const brokerCpu = await procCpuSeconds(broker.child.pid);
await broker.stop();
const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
console.log(
  JSON.stringify({ exit: code, devices, connected: summary.connected, msgsPerSecAvg: summary.avgMsgsPerSec, msgsPerSecLast: summary.msgsPerSec, generatorCpuPercentAvg: summary.avgCpuPercent, rssMb: summary.rssMb, errors: summary.errors, reconnects: summary.reconnects, elapsedS: summary.elapsedS, mosquittoCpuSeconds: brokerCpu }, null, 2),
);
if (code !== 0 || summary.connected !== devices) process.exitCode = 1;

async function procCpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return f.length > 13 ? (Number(f[11]) + Number(f[12])) / 100 : undefined;
}
