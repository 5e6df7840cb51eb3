import type { Infra } from './infra.js';
import type { Platform } from './platform.js';
import type { Probes } from './probes.js';
import type { Simulator } from './simulator.js';
import type { Players } from './video.js';
import type { SoakFleet } from './fleet-seed.js';
import { waitFor } from './process-handle.js';

/**
 * The faults of a soak run, each at a known time (a fraction of the run, so a 3-minute CI run and a 20-minute run
 * go through the same schedule), each with how its recovery is measured: devices reconnected, backlog drained,
 * escalations resumed, players playing again. Outages that last a minute in a long run are shortened in a short one.
 */
export interface FaultContext {
  infra: Infra;
  platform: Platform;
  sim: Simulator;
  probes: Probes;
  players: Players | undefined;
  fleet: SoakFleet;
  devices: number;
  intervalS: number;
  /** seconds an outage lasts (60 in a long run) */
  outageS: number;
  playersBackS: number;
  /** longest wait for a recovery: 180 s, or the run's length when that is shorter (a CI run fails rather than hangs) */
  recoveryTimeoutMs: number;
  log(line: string): void;
}

export interface FaultResult {
  name: string;
  atS: number;
  /** milliseconds from the fault (or from its end, for outages) to recovery; undefined: not recovered in time */
  recoveryMs: number | undefined;
  what: string;
}

export interface ScheduledFault {
  name: string;
  /** fraction of the run */
  at: number;
  run(ctx: FaultContext): Promise<Omit<FaultResult, 'name' | 'atS'>>;
}

const allConnected = (ctx: FaultContext) => async () => (await ctx.sim.stats()).connected >= ctx.devices;
/** ingest has read up to the last 2 s of the stream, and holds no more than 2 s of traffic unwritten */
const drained = (ctx: FaultContext) => async () => {
  const { ingest } = await ctx.probes.backlog();
  return ingest.lagMs <= 2000 && ingest.pending <= Math.max(100, (2 * ctx.devices) / ctx.intervalS);
};
const both = (...checks: (() => Promise<boolean>)[]) => async () => {
  for (const c of checks) if (!(await c())) return false;
  return true;
};

/** An officer SMS was sent for the open alarm of this device and type, at this stage. */
const stageSent = (ctx: FaultContext, device: string, stage: string, since: Date) => async () =>
  (
    await ctx.probes.query(
      `SELECT 1 FROM notifications n JOIN alarms a ON a.id = n.alarm_id WHERE a.subject_id = $1 AND n.stage = $2 AND n.status IN ('sent','merged') AND a.first_seen_at >= $3 LIMIT 1`,
      [device, stage, since],
    )
  ).length > 0;

export const SCHEDULE: ScheduledFault[] = [
  {
    name: 'SIGKILL broker node 1',
    at: 0.05,
    async run(ctx) {
      await ctx.platform.brokers[0]!.kill('SIGKILL');
      const ms = await waitFor(both(allConnected(ctx), drained(ctx)), ctx.recoveryTimeoutMs, 500);
      await ctx.platform.brokers[0]!.start();
      return { recoveryMs: ms, what: 'every terminal reconnected through HAProxy, ingest backlog drained' };
    },
  },
  {
    name: 'SIGKILL ingest worker 1',
    at: 0.14,
    async run(ctx) {
      await ctx.platform.ingest[0]!.kill('SIGKILL');
      // the other worker claims the dead one's entries after TW_INGEST_CLAIM_IDLE_MS (10 s here). A live consumer
      // reads all the time; one silent for 5 s is the dead one, and recovery is when it holds nothing any more.
      const killedAt = Date.now();
      await new Promise((r) => setTimeout(r, 6000));
      const ms = await waitFor(async () => (await ctx.probes.orphanedPending(5000)) === 0 && (await drained(ctx)()), ctx.recoveryTimeoutMs, 500);
      const recoveryMs = ms === undefined ? undefined : Date.now() - killedAt;
      await ctx.platform.ingest[0]!.start();
      return { recoveryMs, what: "the dead worker's entries claimed by the other, backlog drained" };
    },
  },
  {
    name: 'SIGKILL alerts worker 1 mid-escalation',
    at: 0.2,
    async run(ctx) {
      const device = ctx.fleet.elevators[1]!;
      const since = new Date(Date.now() - 1000);
      await ctx.sim.inject(device, 'trapped', 600);
      const officer = await waitFor(stageSent(ctx, device, 'officer', since), 90_000, 500);
      if (officer === undefined) return { recoveryMs: undefined, what: `no officer SMS for ${device} within 90 s, so no escalation to interrupt` };
      await ctx.platform.alerts[0]!.kill('SIGKILL');
      const killedAt = Date.now();
      await ctx.platform.alerts[0]!.start();
      // the principal stage is a delayed job (TW_ESCALATE_PRINCIPAL_MIN = 1): it must still run
      const ms = await waitFor(stageSent(ctx, device, 'principal', since), ctx.recoveryTimeoutMs, 500);
      await ctx.sim.clear(device, 'trapped').catch(() => {});
      return { recoveryMs: ms === undefined ? undefined : Date.now() - killedAt, what: `${device} trapped: officer SMS, worker killed, principal SMS still sent` };
    },
  },
  {
    name: 'restart Redis',
    at: 0.32,
    async run(ctx) {
      const started = Date.now();
      await ctx.infra.redis.restart();
      const ms = await waitFor(both(allConnected(ctx), drained(ctx)), ctx.recoveryTimeoutMs, 500);
      return { recoveryMs: ms === undefined ? undefined : Date.now() - started, what: 'terminals connected, backlog drained (AOF kept the stream)' };
    },
  },
  {
    name: 'stop influxd',
    at: 0.42,
    async run(ctx) {
      await ctx.infra.influx.pause();
      await new Promise((r) => setTimeout(r, ctx.outageS * 1000));
      await ctx.infra.influx.resume();
      const ms = await waitFor(drained(ctx), ctx.recoveryTimeoutMs, 500);
      return { recoveryMs: ms, what: `down ${ctx.outageS} s; from its return until the backlog drained` };
    },
  },
  {
    name: 'restart PostgreSQL',
    at: 0.52,
    async run(ctx) {
      const device = ctx.fleet.elevators[2]!;
      const started = Date.now();
      // fast: every session cut mid-transaction, as `systemctl restart postgresql` does (a smart shutdown waits for
      // the platform's busy pools, then is killed after 10 s)
      await ctx.infra.pg.restart('fast');
      const since = new Date(Date.now() - 1000);
      await ctx.sim.inject(device, 'trapped', 60);
      const ms = await waitFor(stageSent(ctx, device, 'officer', since), ctx.recoveryTimeoutMs, 500);
      return { recoveryMs: ms === undefined ? undefined : Date.now() - started, what: `a new alarm (${device} trapped) raised and its SMS sent after the restart` };
    },
  },
  {
    name: 'SMS provider: half fail, then flow control',
    at: 0.6,
    async run(ctx) {
      let n = 0;
      ctx.infra.sms.failWith(() => (n++ % 2 === 0 ? { kind: 'http', status: 503 } : undefined));
      const device = ctx.fleet.elevators[3]!;
      await ctx.sim.inject(device, 'trapped', ctx.outageS * 2);
      await new Promise((r) => setTimeout(r, ctx.outageS * 1000));
      ctx.infra.sms.failWith(() => ({ kind: 'business', code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发分钟级流控Permits:1' }));
      await new Promise((r) => setTimeout(r, ctx.outageS * 1000));
      ctx.infra.sms.failWith(undefined);
      // recovered: every reminder that existed when the provider came back has gone out (or been merged, cancelled,
      // failed for good). Reminders raised after that are new traffic, not the fault's backlog: device faults go on
      // throughout, so "nothing queued at all" may never hold for an instant. The longest legitimate wait is one
      // backoff cap (30 s) plus one recipient rate window (60 s: a reminder held for the window's digest), so this
      // fault is given at least 120 s even in a short run.
      const back = new Date();
      type Pending = { id: string; stage: string; status: string; attempts: number; error: string | null };
      const pendingSql = `SELECT id, stage, status, attempts, error FROM notifications WHERE status IN ('queued','sending') AND created_at <= $1 ORDER BY id`;
      const atReturn = (await ctx.probes.query(pendingSql, [back])) as Pending[];
      let last: Pending[] = atReturn;
      const ms = await waitFor(
        async () => {
          const now = (await ctx.probes.query(pendingSql, [back])) as Pending[];
          if (now.length) last = now;
          return now.length === 0;
        },
        Math.max(ctx.recoveryTimeoutMs, 120_000),
        500,
      );
      const tail = last.slice(0, 3).map((n) => `#${n.id} ${n.stage} ${n.status} after ${n.attempts} attempts${n.error ? ` (${n.error.slice(0, 60)})` : ''}`).join('; ');
      return {
        recoveryMs: ms,
        what: `${ctx.outageS} s every other request 503, ${ctx.outageS} s isv.BUSINESS_LIMIT_CONTROL; until the ${atReturn.length} reminders queued at its end went out, bounded by one backoff cap + one rate window (last: ${tail || 'none'})`,
      };
    },
  },
  {
    name: 'restart streams while players watch',
    at: 0.7,
    async run(ctx) {
      if (!ctx.players) return { recoveryMs: 0, what: 'no video in this run (--no-video)' };
      const started = Date.now();
      await ctx.platform.streams.restart();
      const ms = await waitFor(() => ctx.players!.lastBytesAt().every((t) => t > started + 0), ctx.recoveryTimeoutMs, 250);
      return { recoveryMs: ms === undefined ? undefined : Date.now() - started, what: `every player received video again (limit ${ctx.playersBackS} s)` };
    },
  },
];

/** What the device faults did: how many were injected, and the terminals made silent (their silence alarms are expected). */
export interface DeviceFaults {
  injected: number;
  silenced: Set<string>;
}

/** Device faults throughout the run: trapped passengers, boilers short of water, silent terminals. */
export function deviceFaults(ctx: FaultContext, runMs: number, signal: AbortSignal): Promise<DeviceFaults> {
  const kinds = [
    { fault: 'trapped', pool: ctx.fleet.elevators, seconds: 40 },
    { fault: 'low_water', pool: ctx.fleet.boilers, seconds: 60 },
    { fault: 'silent', pool: ctx.fleet.elevators, seconds: 5 * ctx.intervalS },
  ];
  const every = Math.max(5_000, runMs / 30);
  let injected = 0;
  const silenced = new Set<string>();
  return (async () => {
    // devices 0–9 are kept for the scheduled faults
    for (let i = 0; !signal.aborted; i++) {
      await new Promise((r) => setTimeout(r, every));
      if (signal.aborted) break;
      const k = kinds[i % kinds.length]!;
      const device = k.pool[10 + ((i * 7919) % Math.max(1, k.pool.length - 10))] ?? k.pool[0]!;
      try {
        // noted before the call: a silence may begin even if the answer is lost
        if (k.fault === 'silent') silenced.add(device);
        await ctx.sim.inject(device, k.fault, k.seconds);
        injected++;
      } catch (err) {
        ctx.log(`device fault ${k.fault} on ${device} not injected: ${(err as Error).message}`);
      }
    }
    return { injected, silenced };
  })();
}
