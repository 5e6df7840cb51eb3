/**
 * Ingest benchmark, end to end on this machine: simulated elevators publish telemetry at QoS 1 through the
 * real broker (auth, ACL, uplink stream), a pool of ingest processes (default 2) writes to influxd 1.6, and the benchmark counts
 * the points readable in InfluxDB. In the same run it measures the raw InfluxDB write ceiling (5,000-line
 * batches straight to /write) and the per-message cost of ingest's validation and serialization.
 *
 * A rate counts as sustained when every acknowledged message is readable (zero loss), the publishers got
 * their acknowledgements at the target rate, the backlog drained within 2 s of the end, and the p99 of
 * publish-to-readable (a probe device publishes a marker every 100 ms; a poller queries InfluxDB every 50 ms)
 * stays under 2 s. `npm run bench:ingest [-- --quick] [--workers N]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { createInfluxDatabase, freePort, startInflux, startRedis } from '@tianwang/core/testing';
import { childLines } from './child-lines.js';
import { cpuSeconds, influxCeiling, machineJiffies, perMessageCost } from './measure.js';
import { influxScalar } from './influx-query.js';
import { checkPrereqs } from '../prereqs.js';

checkPrereqs('ingest');

const quick = process.argv.includes('--quick');
/** ingest processes in the pool (default 2, `-- --workers 1` for one); they share the consumer group */
const WORKERS = process.argv.includes('--workers') ? Number(process.argv[process.argv.indexOf('--workers') + 1]) || 1 : 2;
const RATES = quick ? [5_000, 20_000] : [5_000, 10_000, 15_000, 20_000, 25_000, 30_000];
const SECONDS = quick ? 8 : 15;
/**
 * simulated devices, one connection each (`-- --devices N`, default 1,000). With few devices each sends many
 * messages a second and ingest coalesces a device's shadow updates within a batch; a real fleet (200,000
 * elevators at one message per 10 s) does not, so more devices is the harder and fairer test of Redis' cost.
 */
const DEVICES = process.argv.includes('--devices') ? Number(process.argv[process.argv.indexOf('--devices') + 1]) || 1000 : 1000;
const SECRET = '0123456789abcdef0123456789abcdef';
const MASTER = 'bench-master-service-password-0123456789';
const PREFIX = 'benchingest';
const DB = 'bench';
const NODE = [process.execPath, '--conditions=@tianwang/source', '--import', 'tsx'];
const HERE = new URL('.', import.meta.url).pathname;
const probeId = `EB-${String(DEVICES).padStart(6, '0')}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`${s}\n`);

function launch(args: string[], ready?: string): Promise<ChildProcess> {
  const v8 = args.filter((a) => a.startsWith('--'));
  const rest = args.filter((a) => !a.startsWith('--'));
  // BENCH_PROFILE=<dir>: a V8 CPU profile of every child (broker, ingest workers, load generator) in <dir>
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(NODE[0]!, [...prof, ...v8, ...NODE.slice(1), ...rest], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  if (!ready) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes(ready)) {
        child.stdout!.off('data', onData);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)));
  });
}

async function influxCount(url: string, from: number, to: number): Promise<number> {
  return (await influxScalar(url, DB, `SELECT count("seq") FROM "elevator" WHERE "device" != '${probeId}' AND time >= ${from}ms AND time <= ${to}ms`)) ?? 0;
}

/** Publishes a marker every 100 ms from the probe device and polls InfluxDB for it every 50 ms. */
async function startProbe(port: number, influxUrl: string) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: probeId, username: probeId, password: SECRET, reconnectPeriod: 0 });
  const published = new Map<number, number>();
  const latencies: number[] = [];
  let seq = 0, seen = -1, stopped = false;
  const pub = setInterval(() => {
    const s = seq++;
    const ts = Date.now();
    published.set(s, ts);
    void client.publishAsync(`tw/v1/elevator/${probeId}/telemetry`, JSON.stringify({ ts, seq: s, floor: 1, direction: 'stop', speed: 0, door: 'closed', doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: s, runHours: 1, load: 0 }), { qos: 1 });
  }, 100);
  const poll = (async () => {
    while (!stopped) {
      const last = (await influxScalar(influxUrl, DB, `SELECT last("seq") FROM "elevator" WHERE "device" = '${probeId}'`).catch(() => undefined)) ?? -1;
      const now = Date.now();
      for (let s = seen + 1; s <= last; s++) {
        const at = published.get(s);
        if (at !== undefined) latencies.push(now - at);
        published.delete(s);
      }
      seen = Math.max(seen, last);
      await sleep(50);
    }
  })();
  return {
    take() {
      return latencies.splice(0);
    },
    async stop() {
      stopped = true;
      clearInterval(pub);
      await poll;
      await client.endAsync();
    },
  };
}

/** Asks the ingest process for its /metrics text (over stdin/stdout). */
function ingestMetricsText(ingest: ChildProcess): Promise<string> {
  return new Promise<string>((resolve) => {
    let out = '';
    const timer = setTimeout(() => done(''), 5000);
    const done = (m: string) => {
      clearTimeout(timer);
      ingest.stdout!.off('data', onData);
      resolve(m);
    };
    const onData = (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"metrics"'));
      if (line) done((JSON.parse(line) as { metrics: string }).metrics);
    };
    ingest.stdout!.on('data', onData);
    ingest.stdin!.write('metrics\n');
  });
}
const metricIn = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

/** INFO commandstats → { command: { calls, usPerMsg } }, the commands that cost Redis ≥ 0.1 µs per message */
function commandStats(info: string, messages: number): Record<string, { calls: number; usPerCall: number; usPerMsg: number }> {
  const out: Record<string, { calls: number; usPerCall: number; usPerMsg: number }> = {};
  for (const m of info.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm)) {
    const usPerMsg = Number(m[3]) / Math.max(1, messages);
    if (usPerMsg >= 0.1) out[m[1]!] = { calls: Number(m[2]), usPerCall: Number(m[4]), usPerMsg: Number(usPerMsg.toFixed(2)) };
  }
  return out;
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : NaN);

async function main() {
  const started = new Date();
  log(`ingest benchmark (${quick ? 'quick' : 'full'}): starting redis and influxd`);
  const [redis, influx] = await Promise.all([startRedis({ appendonly: true }), startInflux()]);
  const procs: ChildProcess[] = [];
  try {
    await createInfluxDatabase(influx.url, 'ceiling');
    await createInfluxDatabase(influx.url, DB);

    log('measuring per-message cost (decode + JSON.parse + zod + line protocol)');
    const usPerMessage = await perMessageCost();

    log('measuring the raw InfluxDB write ceiling (5,000-line batches, 2 at a time)');
    const ic0 = cpuSeconds(influx.child.pid!);
    const ceiling = await influxCeiling(influx.url, 'ceiling', quick ? 3 : 5);
    const ceilingRate = ceiling.points / ceiling.seconds;
    const ceilingInfluxCpu = (cpuSeconds(influx.child.pid!) - ic0) / ceiling.seconds;

    const port = await freePort();
    const broker = await launch([`${HERE}procs.ts`, 'broker', String(port), redis.url, PREFIX, String(DEVICES + 1), SECRET, MASTER], 'READY');
    // a larger young generation: ingest allocates many short-lived strings and objects per message (see docs/ingest.md)
    const workers = await Promise.all(
      Array.from({ length: WORKERS }, () => launch(['--max-semi-space-size=64', `${HERE}procs.ts`, 'ingest', redis.url, PREFIX, influx.url, DB, String(DEVICES + 1)], 'READY')),
    );
    const ingest = workers[0]!;
    procs.push(broker, ...workers);
    const probe = await startProbe(port, influx.url);
    const redisClient = new Redis(redis.url);
    // the simulated fleet connects once and stays connected for every step, as real devices do
    log(`connecting ${DEVICES} devices …`);
    const gen = await launch([`${HERE}loadgen.ts`, String(port), String(DEVICES), SECRET]);
    procs.push(gen);
    // the fleet process's JSON lines: the first says it is connected, then one per step
    const nextLine = childLines(gen, 'loadgen');
    const nextResult = async () => JSON.parse(await nextLine()) as Record<string, number>;
    await nextResult();
    await sleep(2000); // let the presence messages of the connections settle before the first step

    const results = [];
    for (const rate of RATES) {
      log(`rate ${rate}/s for ${SECONDS} s …`);
      const pids = { redis: redis.child.pid!, influxd: influx.child.pid!, broker: broker.pid!, bench: process.pid };
      const ingestCpu = () => workers.reduce((a, w) => a + cpuSeconds(w.pid!), 0);
      const c0: Record<string, number> = { ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)])), ingest: ingestCpu() };
      const m0 = machineJiffies();
      probe.take();
      await redisClient.config('RESETSTAT');
      const gen0 = cpuSeconds(gen.pid!);
      const stepStart = Date.now();
      gen.stdin!.write(`${rate} ${SECONDS}\n`);
      const out = await nextResult();
      const genCpu = cpuSeconds(gen.pid!) - gen0;
      const endedAt = Date.now();
      // where the backlog sits when publishing stops: in the stream (ingest reading behind) or in ingest (InfluxDB behind)
      const groups = (await redisClient.xinfo('GROUPS', `${PREFIX}:uplink`)) as unknown[][];
      const g = groups.find((row) => row[row.indexOf('name') + 1] === 'ingest') ?? [];
      const streamLag = Number(g[g.indexOf('lag') + 1] ?? NaN);
      let ingestHeld = 0;
      for (const w of workers) ingestHeld += metricIn(await ingestMetricsText(w), 'ingest_backlog_messages');
      // count until every acknowledged message is readable (or 30 s pass)
      let count = 0;
      let drainMs = NaN;
      while (Date.now() - endedAt < 30_000) {
        count = await influxCount(influx.url, out.first!, out.last!);
        if (count >= out.acked!) {
          drainMs = Date.now() - endedAt;
          break;
        }
        await sleep(100);
      }
      const redisCommands = commandStats(await redisClient.info('commandstats'), out.acked!);
      const cpuNow: Record<string, number> = { ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)])), ingest: ingestCpu() };
      // the whole step: publishing, waiting for the last acknowledgements, the drain
      const elapsed = (Date.now() - stepStart) / 1000;
      const cpu = Object.fromEntries(Object.keys(cpuNow).map((k) => [k, Math.round(((cpuNow[k]! - c0[k]!) / elapsed) * 100)]));
      cpu.loadgen = Math.round((genCpu / out.seconds!) * 100);
      const m1 = machineJiffies();
      const machineBusy = Math.round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 200);
      const lat = probe.take();
      const ackedRate = out.acked! / out.seconds!;
      const r = {
        target: rate,
        sent: out.sent!,
        acked: out.acked!,
        readable: count,
        lost: Math.max(0, out.acked! - count),
        ackedPerS: Math.round(ackedRate),
        /** end-to-end throughput: points readable / (publishing time + drain time) */
        readablePerS: Math.round(count / (out.seconds! + (Number.isNaN(drainMs) ? 30 : drainMs / 1000))),
        drainMs,
        backlogAtEnd: { streamLag, ingestHeld },
        p50Ms: pct(lat, 50),
        p99Ms: pct(lat, 99),
        cpuPct: cpu,
        machineBusyPct: machineBusy,
        /** where Redis' time goes: per command, calls and µs of Redis time per acknowledged message */
        redisCommands,
      };
      // CPU cost per message of each pipeline component, and what 2 whole cores would carry at that cost
      // (CPU seconds over the step and its drain) / messages acknowledged
      const usPerMsg = Object.fromEntries(['broker', 'ingest', 'redis', 'influxd'].map((k) => [k, Math.round(((cpuNow[k]! - c0[k]!) * 1e6) / Math.max(1, out.acked!))]));
      const pipelineUs = Object.values(usPerMsg).reduce((a, b) => a + b, 0);
      Object.assign(r, { cpuUsPerMessage: usPerMsg, projectedTwoCoresPerS: Math.round(2e6 / Math.max(1, pipelineUs)) });
      const ok = r.lost === 0 && ackedRate >= rate * 0.97 && drainMs <= 2000 && r.p99Ms < 2000;
      results.push({ ...r, sustained: ok });
      log(`  ${JSON.stringify({ ...r, sustained: ok })}`);
      await sleep(2000);
    }
    await probe.stop();
    gen.stdin!.end();
    redisClient.disconnect();

    const ingestMetrics = await ingestMetricsText(ingest);
    const metric = (name: string) => metricIn(ingestMetrics, name);
    const zeroLoss = results.filter((r) => r.lost === 0).reduce((a, r) => Math.max(a, r.readablePerS), 0);
    const best = results.filter((r) => r.sustained).reduce<(typeof results)[number] | undefined>((a, r) => (!a || r.ackedPerS > a.ackedPerS ? r : a), undefined);
    const summary = {
      date: started.toISOString(),
      mode: quick ? 'quick' : 'full',
      ingestWorkers: WORKERS,
      devices: DEVICES,
      secondsPerRate: SECONDS,
      usPerMessage: Number(usPerMessage.toFixed(2)),
      influxCeilingPointsPerS: Math.round(ceilingRate),
      influxCeilingInfluxdCpuPct: Math.round(ceilingInfluxCpu * 100),
      sustainedMessagesPerS: best?.ackedPerS ?? 0,
      // first worker only
      ingestTotalsWorker0: {
        points: metric('ingest_points_written_total'),
        batches: metric('ingest_batch_write_seconds_count'),
        meanBatchMs: Math.round((metric('ingest_batch_write_seconds_sum') / metric('ingest_batch_write_seconds_count')) * 1000),
        writeFailures: metric('ingest_write_failures_total'),
      },
      ratioToCeiling: best ? Number((best.ackedPerS / ceilingRate).toFixed(3)) : 0,
      /** the highest end-to-end throughput (readable points/s incl. drain) with zero loss, whatever its latency */
      bestZeroLossPerS: zeroLoss,
      bestZeroLossRatioToCeiling: Number((zeroLoss / ceilingRate).toFixed(3)),
      results,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    log(`\nsustained end to end: ${summary.sustainedMessagesPerS} msg/s (zero loss, QoS 1, p99 < 2 s); raw InfluxDB ceiling ${summary.influxCeilingPointsPerS} points/s; ratio ${summary.ratioToCeiling}`);
    log(`highest zero-loss end-to-end throughput: ${zeroLoss} msg/s readable incl. drain (ratio ${summary.bestZeroLossRatioToCeiling})`);
    log(`per-message validation + serialization: ${summary.usPerMessage} µs`);
    for (const r of results) {
      const x = r as typeof r & { cpuUsPerMessage: Record<string, number>; projectedTwoCoresPerS: number };
      log(`  ${r.target}/s: acked ${r.ackedPerS}/s, readable ${r.readablePerS}/s, lost ${r.lost}, drain ${r.drainMs} ms (backlog at end: stream ${r.backlogAtEnd.streamLag}, ingest ${r.backlogAtEnd.ingestHeld}), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, cpu % ${JSON.stringify(r.cpuPct)}, µs/msg ${JSON.stringify(x.cpuUsPerMessage)} (2 free cores ≈ ${x.projectedTwoCoresPerS}/s), machine ${r.machineBusyPct}% of 200%${r.sustained ? '  ✓' : ''}`);
    }
  } finally {
    // a graceful stop first (a profiled child writes its profile on exit; 5,000 connections take a while to close)
    const exited = procs.map((p) => (p.exitCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r))));
    for (const p of procs) p.kill('SIGTERM');
    await Promise.race([Promise.all(exited), sleep(process.env.BENCH_PROFILE ? 10_000 : 2_000)]);
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all([redis.stop(), influx.stop()]);
  }
}

await main();
process.exit(0);
