import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { freePort, tempDir } from '@tianwang/core/testing';
import { messageCheck, smsChecks, stuckCheck, type Check } from './checks.js';
import { seedFleet, CAMERA_PREFIX } from './fleet-seed.js';
import { deviceFaults, SCHEDULE, type FaultContext, type FaultResult } from './fault-schedule.js';
import { startHaproxy } from './haproxy.js';
import { startInfra } from './infra.js';
import { scanLog } from './log-scan.js';
import type { SoakOptions } from './options.js';
import { startPlatform, SOAK_SECRET_KEY } from './platform.js';
import { probes as openProbes } from './probes.js';
import { waitFor, type ProcessHandle } from './process-handle.js';
import type { SoakReport } from './report.js';
import { rssTargets, sampleRss } from './rss-sampler.js';
import { startSimulator, type SimStats } from './simulator.js';
import { recordTimeline } from './timeline.js';
import { startCameras, startPlayers, type Players } from './video.js';

/**
 * One soak run from start to verdict: servers, registry, the distributed platform, HAProxy, the simulator (and
 * cameras and players), the fault schedule over `minutes`, then a drain and the checks. Everything it started is
 * stopped again, also when something fails on the way.
 */
export async function runSoak(o: SoakOptions, log: (line: string) => void): Promise<{ report: SoakReport; ok: boolean; dir: string }> {
  process.setMaxListeners(200);
  const dir = await tempDir('soak');
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();
  const cleanups: (() => Promise<unknown>)[] = [];
  const extraProcesses: ProcessHandle[] = [];
  let passed = false;
  try {
    log(`work folder ${dir}; starting Redis (AOF), influxd, PostgreSQL, the SMS provider endpoint`);
    const infra = await startInfra();
    cleanups.push(() => infra.stop(o.keep));
    log(`seeding ${o.devices} terminals and ${o.cameras} cameras into PostgreSQL`);
    const fleet = await seedFleet({ databaseUrl: infra.pg.url, secretKey: SOAK_SECRET_KEY, devices: o.devices, cameras: o.cameras, dir });
    const mqttLb = await freePort();
    const httpLb = await freePort();
    log('starting 2 broker nodes, 2 ingest, 2 alerts workers, streams, dashboard');
    const platform = await startPlatform(infra, { dir, fromSource: o.fromSource, publicUrl: () => `http://127.0.0.1:${httpLb}`, smsFailover: 'none' });
    cleanups.push(() => platform.stop());
    const lb = await startHaproxy(dir, { mqttPort: mqttLb, brokers: platform.ports.brokers, httpPort: httpLb, dashboards: [platform.ports.dashboard], maxconn: o.devices + 1000 });
    cleanups.push(() => lb.stop());
    const probes = openProbes({ redisUrl: infra.redis.url, prefix: platform.prefix, databaseUrl: infra.pg.url, influxUrl: infra.influx.url, influxDb: infra.influxDb });
    cleanups.push(() => probes.close());
    log(`starting the simulator: ${o.devices} terminals through HAProxy :${mqttLb}`);
    const sim = await startSimulator({ dir, devicesFile: fleet.devicesFile, mqttPort: mqttLb, intervalS: o.intervalS, devices: o.devices });
    extraProcesses.push(sim.process);
    cleanups.push(() => sim.process.kill('SIGTERM'));
    const connectedMs = await waitFor(async () => (await sim.stats()).connected >= o.devices, 300_000, 1000);
    if (connectedMs === undefined) throw new Error(`the fleet did not connect within 300 s: ${JSON.stringify(await sim.stats())}`);
    log(`all ${o.devices} terminals connected after ${(connectedMs / 1000).toFixed(1)} s`);
    let players: Players | undefined;
    if (o.cameras > 0) {
      const cams = await startCameras({ dir, count: o.cameras, secret: fleet.cameraSecret, prefix: CAMERA_PREFIX, rtmpPort: platform.ports.rtmp });
      extraProcesses.push(cams);
      cleanups.push(() => cams.kill('SIGTERM'));
      players = startPlayers({ count: o.players, dashboardUrl: `http://127.0.0.1:${httpLb}`, kitchenCodes: fleet.kitchenCodes });
      cleanups.push(async () => players!.stop());
      const playing = await waitFor(() => players!.lastBytesAt().every((t) => t > 0), 120_000, 500);
      log(playing === undefined ? 'players did not start playing within 120 s' : `${o.players} players playing after ${(playing / 1000).toFixed(1)} s`);
    }
    const rss = sampleRss(
      rssTargets([...platform.all(), ...extraProcesses], [
        // a restarted server is a new pid: its series starts again
        { name: 'redis-server', pid: () => infra.redis.child.pid, incarnation: () => infra.redis.child.pid ?? 0 },
        { name: 'influxd', pid: () => (infra.influx.child.exitCode === null ? infra.influx.child.pid : undefined), incarnation: () => infra.influx.child.pid ?? 0 },
        { name: 'postgres', pid: () => infra.pg.child.pid, incarnation: () => infra.pg.child.pid ?? 0 },
        { name: 'haproxy', pid: () => lb.child.pid, incarnation: () => 0 },
      ]),
      5_000,
    );
    cleanups.push(async () => rss.stop());

    const runMs = o.minutes * 60_000;
    const t0 = Date.now();
    const ctx: FaultContext = {
      infra, platform, sim, probes, players, fleet, devices: o.devices, intervalS: o.intervalS,
      outageS: Math.round(Math.min(60, Math.max(10, runMs / 1000 / 12))), playersBackS: o.playersBackS, log,
      recoveryTimeoutMs: Math.min(180_000, Math.max(60_000, runMs)),
    };
    const timeline = recordTimeline(join(dir, 'timeline.jsonl'), t0, sim, probes, 5_000);
    cleanups.push(async () => timeline.stop());
    const abort = new AbortController();
    const injected = deviceFaults(ctx, runMs, abort.signal);
    const faults = SCHEDULE.map(async (f): Promise<FaultResult> => {
      await new Promise((r) => setTimeout(r, f.at * runMs));
      const atS = (Date.now() - t0) / 1000;
      log(`[${atS.toFixed(0)} s] fault: ${f.name}`);
      try {
        const r = await f.run(ctx);
        log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${f.name}: ${r.recoveryMs === undefined ? 'NOT recovered' : `recovered in ${(r.recoveryMs / 1000).toFixed(1)} s`}`);
        return { name: f.name, atS, ...r };
      } catch (err) {
        log(`${f.name} failed: ${(err as Error).stack ?? String(err)}`);
        return { name: f.name, atS, recoveryMs: undefined, what: `the fault itself failed: ${(err as Error).message}` };
      }
    });
    await new Promise((r) => setTimeout(r, runMs));
    abort.abort();
    const results = await Promise.all(faults);
    const runEnd = Date.now();
    const { injected: deviceFaultCount, silenced } = await injected;

    log('run over: stopping the fleet, waiting for the backlog to drain');
    timeline.stop();
    const finalStats: SimStats = await sim.stats();
    const fleetStoppedAt = new Date();
    await sim.process.kill('SIGTERM');
    players?.stop();
    const drainMs = await waitFor(async () => {
      const { ingest } = await probes.backlog();
      return ingest.lagMs === 0 && ingest.pending === 0;
    }, ctx.recoveryTimeoutMs, 1000);
    const settleMs = await waitFor(async () => (await stuckCheck(probes, fleetStoppedAt)).ok, ctx.recoveryTimeoutMs, 1000);
    rss.stop();

    const checks: Check[] = [];
    const msg = await messageCheck(probes, finalStats.acknowledged);
    checks.push(msg.check, { name: 'ingest backlog after the fleet stopped', figure: drainMs === undefined ? 'not drained' : `drained in ${(drainMs / 1000).toFixed(1)} s`, limit: `≤ ${ctx.recoveryTimeoutMs / 1000} s`, ok: drainMs !== undefined });
    checks.push(...(await smsChecks(probes, infra.sms, join(dir, 'sms-audit.json'), fleetStoppedAt, silenced)));
    const stuck = await stuckCheck(probes, fleetStoppedAt);
    checks.push({ ...stuck, figure: `${stuck.figure}${settleMs === undefined ? '' : ` (settled in ${(settleMs / 1000).toFixed(0)} s)`}` });
    const unrecovered = results.filter((r) => r.recoveryMs === undefined);
    checks.push({ name: 'faults recovered', figure: `${results.length - unrecovered.length} of ${results.length}${unrecovered.length ? ` (not: ${unrecovered.map((r) => r.name).join(', ')})` : ''}`, limit: 'all', ok: unrecovered.length === 0 });
    const streamsFault = results.find((r) => r.name.startsWith('restart streams'));
    if (o.players > 0 && streamsFault) {
      checks.push({ name: 'players back after the streams restart', figure: streamsFault.recoveryMs === undefined ? 'not back' : `${(streamsFault.recoveryMs / 1000).toFixed(1)} s`, limit: `≤ ${o.playersBackS} s`, ok: streamsFault.recoveryMs !== undefined && streamsFault.recoveryMs <= o.playersBackS * 1000 });
    }
    const verdicts = rss.verdicts(t0, runEnd);
    const grown = verdicts.filter((v) => v.growth !== undefined && v.growth > 0.1);
    checks.push({ name: 'RSS growth in the last half', figure: grown.length ? grown.map((v) => `${v.name} +${(v.growth! * 100).toFixed(0)} %`).join(', ') : `max ${Math.max(0, ...verdicts.map((v) => (v.growth ?? 0) * 100)).toFixed(1)} %`, limit: '≤ 10 % each', ok: grown.length === 0 });
    const logs = await Promise.all([...platform.all(), ...extraProcesses].map((p) => scanLog(p.name, p.logFile)));
    const errors = logs.reduce((a, l) => a + l.errors, 0);
    const unhandled = logs.reduce((a, l) => a + l.unhandled, 0);
    checks.push({ name: 'errors / unhandled rejections in the logs', figure: `${errors} / ${unhandled}`, limit: '0 / 0', ok: errors === 0 && unhandled === 0 });
    // the run's load (and its faults: influxd away 60 s) stays far below TW_MQTT_UPLINK_MAX_LEN: holding the fleet's
    // publishes would be a false backpressure, which makes reporting terminals look silent (docs/broker.md)
    const held = logs.filter((l) => l.backpressure > 0).map((l) => `${l.name} ${l.backpressure}`);
    checks.push({ name: 'broker backpressure episodes (publishes held)', figure: held.length ? held.join(', ') : '0', limit: '0', ok: held.length === 0 });
    const exits = [...platform.all(), ...extraProcesses].flatMap((p) => p.unexpectedExits);
    checks.push({ name: 'processes that died by themselves', figure: exits.length ? exits.join('; ') : '0', limit: '0', ok: exits.length === 0 });
    const report: SoakReport = {
      startedAt, minutes: o.minutes, devices: o.devices, cameras: o.cameras, players: o.players, loadBefore, loadAfter: loadavg(),
      checks, faults: results, rss: verdicts, logs, deviceFaults: deviceFaultCount,
    };
    passed = checks.every((c) => c.ok);
    return { report, ok: passed, dir };
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
    // a failed run keeps its logs and data for whoever looks into it
    if (!o.keep && passed) await rm(dir, { recursive: true, force: true });
  }
}
