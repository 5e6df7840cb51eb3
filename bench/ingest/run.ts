/**
 * Ingest benchmark, end to end on this machine: simulated elevators publish telemetry at QoS 1 through the
 * real broker (auth, ACL, uplink stream), a pool of ingest processes (default 2) writes to influxd 1.6, and the benchmark counts
 * the points readable in InfluxDB. In the same run it measures the raw InfluxDB write ceiling (5,000-line
 * batches straight to /write) and the per-message cost of ingest's validation and serialization.
 *
 * A rate counts as sustained when every acknowledged message is accounted for (zero loss: every value store by
 * exception must keep of them is readable, counted independently by the load generator, fleet-traces.ts), the
 * publishers got their acknowledgements at the target rate, ingest acknowledged the whole step within 2 s of its
 * end, and the p99 of publish-to-readable (a probe device publishes a marker every 100 ms; a poller queries InfluxDB
 * every 50 ms) stays under 2 s. `npm run bench:ingest [-- --quick] [--workers N] [--devices N] [--per-connection K]
 * [--payload fleet|legacy]`; TW_INGEST_* from the environment reach the ingest workers (TW_INGEST_STORE=all: every
 * value of every message, as before store by exception).
 */
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { createInfluxDatabase, freePort, startInflux, startRedis } from '@tianwang/core/testing';
import { childLines } from './child-lines.js';
import { cpuSeconds, influxCeiling, machineJiffies, perMessageCost } from './measure.js';
import { acknowledgedUpTo, commandStats, ingestMetricsText, metricIn, startProbe, storedValues } from './step-checks.js';
import { launch } from '../launch.js';
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
const opt = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
/**
 * devices per connection: 0 = one connection per device, as real terminals; by default above 5,000 devices one
 * sim-admin connection per 1,000 (a process may hold 20,000 open files: the broker could not take 20,000 devices)
 */
const PER_CONNECTION = Number(opt('--per-connection') ?? (DEVICES > 5000 ? 1000 : 0));
/** what the devices send (fleet-traces.ts): `fleet` realistic elevator readings, `legacy` the payload before store by exception */
const PAYLOAD = opt('--payload') ?? 'fleet';
const STORE = process.env.TW_INGEST_STORE ?? 'exception';
const SECRET = '0123456789abcdef0123456789abcdef';
const MASTER = 'bench-master-service-password-0123456789';
const PREFIX = 'benchingest';
const DB = 'bench';
const HERE = new URL('.', import.meta.url).pathname;
const probeId = `EB-${String(DEVICES).padStart(6, '0')}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`${s}\n`);

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
    const broker = await launch([`${HERE}procs.ts`, 'broker', String(port), redis.url, PREFIX, String(DEVICES + 1), SECRET, MASTER], { ready: 'READY' });
    // a larger young generation: ingest allocates many short-lived strings and objects per message (see docs/ingest.md)
    const workers = await Promise.all(
      Array.from({ length: WORKERS }, () => launch([`${HERE}procs.ts`, 'ingest', redis.url, PREFIX, influx.url, DB, String(DEVICES + 1)], { ready: 'READY', v8: ['--max-semi-space-size=64'] })),
    );
    const ingest = workers[0]!;
    procs.push(broker, ...workers);
    const probe = await startProbe(port, influx.url, DB, probeId, SECRET);
    const redisClient = new Redis(redis.url);
    // the simulated fleet connects once and stays connected for every step, as real devices do
    log(`connecting ${DEVICES} devices (${PER_CONNECTION ? `${Math.ceil(DEVICES / PER_CONNECTION)} sim-admin connections` : 'one connection each'}, payload ${PAYLOAD}, TW_INGEST_STORE=${STORE}) …`);
    const gen = await launch([`${HERE}loadgen.ts`, String(port), String(DEVICES), SECRET, '--per-connection', String(PER_CONNECTION), '--master', MASTER, '--payload', PAYLOAD, '--store', STORE]);
    procs.push(gen);
    // the fleet process's JSON lines: the first says it is connected, then one per step
    const nextLine = childLines(gen, 'loadgen');
    const nextResult = async () => JSON.parse(await nextLine()) as Record<string, number>;
    await nextResult();
    await sleep(2000); // let the presence messages of the connections settle before the first step

    /** ingest's stored and received telemetry values, summed over the workers */
    const storeCounts = async () => {
      let stored = 0, received = 0, waits = 0, forced = 0;
      for (const w of workers) {
        const m = await ingestMetricsText(w);
        stored += metricIn(m, 'ingest_fields_stored_total') || 0;
        received += metricIn(m, 'ingest_fields_received_total') || 0;
        waits += metricIn(m, 'ingest_order_waits_total') || 0;
        forced += metricIn(m, 'ingest_order_forced_total') || 0;
      }
      return { stored, received, waits, forced };
    };
    const results = [];
    for (const rate of RATES) {
      log(`rate ${rate}/s for ${SECONDS} s …`);
      const load = [loadavg()[0]!];
      const pids = { redis: redis.child.pid!, influxd: influx.child.pid!, broker: broker.pid!, bench: process.pid };
      const ingestCpu = () => workers.reduce((a, w) => a + cpuSeconds(w.pid!), 0);
      const counts0 = await storeCounts();
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
      // everything the step published is in the stream up to here
      const endId = ((await redisClient.xrevrange(`${PREFIX}:uplink`, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0';
      // where the backlog sits when publishing stops: in the stream (ingest reading behind) or in ingest (InfluxDB behind)
      const groups = (await redisClient.xinfo('GROUPS', `${PREFIX}:uplink`)) as unknown[][];
      const g = groups.find((row) => row[row.indexOf('name') + 1] === 'ingest') ?? [];
      const streamLag = Number(g[g.indexOf('lag') + 1] ?? NaN);
      let ingestHeld = 0;
      for (const w of workers) ingestHeld += metricIn(await ingestMetricsText(w), 'ingest_backlog_messages');
      // drained: ingest acknowledged every entry of the step (after InfluxDB answered 204 for its points), or 30 s passed
      let drainMs = NaN;
      while (Date.now() - endedAt < 30_000) {
        if (await acknowledgedUpTo(redisClient, `${PREFIX}:uplink`, endId)) {
          drainMs = Date.now() - endedAt;
          break;
        }
        await sleep(50);
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
      load.push(loadavg()[0]!);
      // outside the measured window: every value the load generator's reference says must be kept, read back
      const readable = await storedValues(influx.url, DB, probeId, out.first!, out.last!);
      const counts1 = await storeCounts();
      const ackedRate = out.acked! / out.seconds!;
      const r = {
        target: rate,
        sent: out.sent!,
        acked: out.acked!,
        /** telemetry values of the acknowledged messages; of them, the ones store by exception must keep, and those readable */
        values: { sent: out.fields!, expected: out.expected!, readable },
        /** values kept ÷ values received: the load generator's reference, and ingest's own counters */
        storedRatio: Number((out.expected! / Math.max(1, out.fields!)).toFixed(3)),
        ingestStoredRatio: Number(((counts1.stored - counts0.stored) / Math.max(1, counts1.received - counts0.received)).toFixed(3)),
        /** batches whose decisions waited for the other worker's earlier batch (store-gate.ts) */
        orderWaits: counts1.waits - counts0.waits,
        /** of them, decided without the earlier batch after TW_INGEST_STORE_ORDER_WAIT_MS (should be 0: no worker died) */
        orderForced: counts1.forced - counts0.forced,
        lost: Math.max(0, out.expected! - readable),
        ackedPerS: Math.round(ackedRate),
        /** end-to-end throughput: messages acknowledged / (publishing time + drain time) */
        readablePerS: Math.round(out.acked! / (out.seconds! + (Number.isNaN(drainMs) ? 30 : drainMs / 1000))),
        drainMs,
        backlogAtEnd: { streamLag, ingestHeld },
        p50Ms: pct(lat, 50),
        p99Ms: pct(lat, 99),
        cpuPct: cpu,
        machineBusyPct: machineBusy,
        /** 1-minute load average at the start and the end of the step (the machine is shared) */
        load: load.map((l) => Number(l.toFixed(2))),
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
      connections: PER_CONNECTION ? `${Math.ceil(DEVICES / PER_CONNECTION)} sim-admin` : `${DEVICES} (one per device)`,
      payload: PAYLOAD,
      store: STORE,
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
    log(`highest zero-loss end-to-end throughput: ${zeroLoss} msg/s done incl. drain (ratio ${summary.bestZeroLossRatioToCeiling})`);
    log(`per-message validation + serialization: ${summary.usPerMessage} µs`);
    for (const r of results) {
      const x = r as typeof r & { cpuUsPerMessage: Record<string, number>; projectedTwoCoresPerS: number };
      log(`  ${r.target}/s: acked ${r.ackedPerS}/s, done ${r.readablePerS}/s, stored ${r.values.readable} of ${r.values.sent} values (ratio ${r.storedRatio}; ingest ${r.ingestStoredRatio}), lost ${r.lost}, drain ${r.drainMs} ms, load ${r.load.join('→')} (backlog at end: stream ${r.backlogAtEnd.streamLag}, ingest ${r.backlogAtEnd.ingestHeld}), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, cpu % ${JSON.stringify(r.cpuPct)}, µs/msg ${JSON.stringify(x.cpuUsPerMessage)} (2 free cores ≈ ${x.projectedTwoCoresPerS}/s), machine ${r.machineBusyPct}% of 200%${r.sustained ? '  ✓' : ''}`);
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
