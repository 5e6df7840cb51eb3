/**
 * The broker's CPU per message when every device sends rarely (one message per socket read, as in a real fleet),
 * without ingest or InfluxDB on the machine: the ingest benchmark's broker process and load generator, Redis with
 * AOF, N devices connected once, R msg/s for S s. Prints the broker's user and system CPU per message, and the
 * same for Debian's mosquitto under the same load (anonymous, no persistence: less work than ours, the floor).
 *   node … bench/broker/low-rate.ts [--devices 5000] [--rate 20000] [--seconds 15]   (BENCH_PROFILE=<dir>: broker CPU profile)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startRedis, tempDir } from '@tianwang/core/testing';
import { childLines } from '../ingest/child-lines.js';
import { cpuTimes as cpu } from '../ingest/measure.js';
import { checkPrereqs } from '../prereqs.js';
import { mosquittoConfig } from './mosquitto.js';

const skipped = checkPrereqs('broker');

const arg = (name: string, d: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : d);
const DEVICES = Number(arg('devices', '5000'));
const RATE = Number(arg('rate', '20000'));
const SECONDS = Number(arg('seconds', '15'));
const SECRET = '0123456789abcdef0123456789abcdef';
const MASTER = 'bench-master-service-password-0123456789';
const NODE = [process.execPath, '--conditions=@tianwang/source', '--import', 'tsx'];
const HERE = new URL('../ingest/', import.meta.url).pathname;

async function measure(name: string, broker: ChildProcess, port: number, redisPid?: number) {
  const gen = spawn(NODE[0]!, [...NODE.slice(1), `${HERE}loadgen.ts`, String(port), String(DEVICES), SECRET], { stdio: ['pipe', 'pipe', 'inherit'] });
  const next = childLines(gen, 'loadgen');
  await next();
  await new Promise((r) => setTimeout(r, 2000));
  const b0 = cpu(broker.pid!), g0 = cpu(gen.pid!), r0 = redisPid ? cpu(redisPid) : undefined;
  gen.stdin!.write(`${RATE} ${SECONDS}\n`);
  const out = JSON.parse(await next()) as { sent: number; acked: number; seconds: number };
  const b1 = cpu(broker.pid!), g1 = cpu(gen.pid!), r1 = redisPid ? cpu(redisPid) : undefined;
  const us = (a: number, b: number) => Number((((b - a) * 1e6) / out.acked).toFixed(1));
  console.log(JSON.stringify({
    broker: name, devices: DEVICES, rate: RATE, ackedPerS: Math.round(out.acked / out.seconds), lost: out.sent - out.acked,
    brokerUsPerMsg: { user: us(b0.user, b1.user), sys: us(b0.sys, b1.sys) },
    loadgenUsPerMsg: { user: us(g0.user, g1.user), sys: us(g0.sys, g1.sys) },
    ...(r0 && r1 ? { redisUsPerMsg: us(r0.user + r0.sys, r1.user + r1.sys) } : {}),
  }));
  gen.stdin!.end();
  await new Promise((r) => gen.once('exit', r));
}

const redis = await startRedis({ appendonly: true });
const port = await freePort();
const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
// BROKER_NODE_FLAGS: V8 flags for the broker (e.g. --max-semi-space-size=32)
const flags = (process.env.BROKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const broker = spawn(NODE[0]!, [...prof, ...flags, ...NODE.slice(1), `${HERE}procs.ts`, 'broker', String(port), redis.url, 'lowrate', String(DEVICES), SECRET, MASTER], { stdio: ['ignore', 'pipe', 'inherit'] });
await childLines(broker, 'broker')();
await measure('tianwang', broker, port, redis.child.pid!);
broker.kill('SIGTERM');
await new Promise((r) => broker.once('exit', r));
await redis.stop();

if (skipped.has('the mosquitto comparison')) process.exit(0);
const dir = await tempDir('mosq');
const mport = await freePort();
writeFileSync(join(dir, 'm.conf'), mosquittoConfig(mport));
const mosq = spawn('mosquitto', ['-c', join(dir, 'm.conf')], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
await measure('mosquitto', mosq, mport);
mosq.kill('SIGTERM');
process.exit(0);
