import type { Logger } from '@tianwang/core/log';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { closestName, faultsFor, type FaultName } from './models/fault-names.js';
import { FleetStats, type StatsSnapshot } from './stats.js';
import { DEFAULT_LOGIC, DeviceLogic } from './terminal/device-logic.js';
import { DeviceRunner } from './terminal/device-runner.js';
import type { DeviceSpec } from './terminal/device-spec.js';
import { TerminalConnection } from './terminal/terminal-connection.js';

export interface SimulatorConfig {
  /** mqtt://host:port (or mqtts://, ws://) */
  brokerUrl: string;
  devices: DeviceSpec[];
  telemetryIntervalMs?: number;
  /** ± fraction of the interval */
  jitter?: number;
  telemetryQos?: 0 | 1;
  /** how long a fault condition must hold before the terminal reports it */
  confirmMs?: number;
  clearMs?: number;
  clockSkewMs?: number;
  seed?: number;
  /** new connections per second (a fleet does not all dial in the same millisecond) */
  connectRate?: number;
  keepaliveS?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  /** messages each terminal keeps while offline */
  bufferCapacity?: number;
  firmware?: string;
}

export interface SimulatorDeps {
  log?: Logger;
  /** wall clock for the models, ms (tests may pass their own) */
  clock?: () => number;
  /** every event a terminal sends (raised / cleared), e.g. for the CLI's console */
  onEvent?: (deviceId: string, event: { code: string; state: string; ts: number }) => void;
}

export interface DeviceInfo {
  id: string;
  kind: DeviceSpec['kind'];
  label?: string;
  connected: boolean;
  faults: FaultName[];
  /** faults the terminal has confirmed and reported */
  reported: string[];
  reading: Record<string, unknown>;
}

export interface Simulator {
  /** resolves when every terminal has made its first connection attempt (connected or refused) */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** starts a fault (or misbehaviour) now; it ends by itself after `seconds` when given */
  injectFault(deviceId: string, fault: string, seconds?: number): void;
  clearFault(deviceId: string, fault: string): void;
  devices(): DeviceInfo[];
  device(id: string): DeviceInfo;
  stats(): StatsSnapshot;
  /** closes a stats window: call it about once a second for a live msgs/s */
  sampleStats(): StatsSnapshot;
}

export function createSimulator(config: SimulatorConfig, deps: SimulatorDeps = {}): Simulator {
  const log = deps.log?.child({ component: 'firmware-sim' });
  const clock = deps.clock ?? Date.now;
  const stats = new FleetStats();
  const intervalMs = config.telemetryIntervalMs ?? DEFAULT_LOGIC.telemetryIntervalMs;
  const logicOptions = {
    ...DEFAULT_LOGIC,
    telemetryIntervalMs: intervalMs,
    jitter: config.jitter ?? DEFAULT_LOGIC.jitter,
    confirmMs: config.confirmMs ?? DEFAULT_LOGIC.confirmMs,
    clearMs: config.clearMs ?? DEFAULT_LOGIC.clearMs,
    clockSkewMs: config.clockSkewMs ?? DEFAULT_LOGIC.clockSkewMs,
    seed: config.seed ?? 1,
  };
  const connectionOptions = {
    brokerUrl: config.brokerUrl,
    keepaliveS: config.keepaliveS ?? 60,
    firmware: config.firmware ?? 'tianwang-sim/0.1.0',
    intervalS: Math.max(1, Math.round(intervalMs / 1000)),
    reconnectMinMs: config.reconnectMinMs ?? 1000,
    reconnectMaxMs: config.reconnectMaxMs ?? 60_000,
    connectTimeoutMs: config.connectTimeoutMs ?? 30_000,
    bufferCapacity: config.bufferCapacity ?? 1000,
  };
  const runners = new Map<string, DeviceRunner>();
  let pacer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;

  for (const spec of config.devices) {
    if (runners.has(spec.id)) throw new UserError('TW_CONFLICT', `device ${spec.id} is listed twice`);
    // eslint-disable-next-line prefer-const
    let runner: DeviceRunner;
    const connection = new TerminalConnection(spec, connectionOptions, {
      connected: () => stats.connected++,
      disconnected: () => stats.connected--,
      published: (n) => (stats.published += n),
      acknowledged: (what) => stats.acknowledged[what]++,
      error: (err) => {
        stats.errors++;
        stats.lastError = `${spec.id}: ${err.message}`;
        log?.debug({ err, device: spec.id }, 'terminal error');
      },
      reconnecting: () => stats.reconnects++,
      command: (name, payload) => runner.command(name, payload),
    });
    runner = new DeviceRunner(new DeviceLogic(spec, logicOptions), connection, config.telemetryQos ?? 1, clock, deps.onEvent);
    runners.set(spec.id, runner);
  }
  stats.devices = runners.size;

  const runnerFor = (id: string): DeviceRunner => {
    const r = runners.get(id);
    if (!r) throw new NotFoundError(`device ${id}`);
    return r;
  };
  const checkFault = (r: DeviceRunner, fault: string): FaultName => {
    const allowed = faultsFor(r.logic.kind);
    if (allowed.includes(fault)) return fault as FaultName;
    const hint = closestName(fault, allowed);
    throw new UserError('TW_PAYLOAD_INVALID', `unknown fault "${fault}" for ${r.logic.kind} ${r.id}${hint ? ` (did you mean "${hint}"?)` : ''}; one of: ${allowed.join(', ')}`);
  };
  const info = (r: DeviceRunner): DeviceInfo => ({
    id: r.id,
    kind: r.logic.kind,
    ...(r.logic.spec.label ? { label: r.logic.spec.label } : {}),
    connected: r.connection.connected,
    faults: r.logic.faults,
    reported: r.logic.reported,
    reading: r.logic.model.reading(),
  });
  const buffered = () => {
    let n = 0;
    for (const r of runners.values()) n += r.connection.buffered;
    return n;
  };

  return {
    async start() {
      if (started) return;
      started = true;
      const queue = [...runners.values()];
      const rate = config.connectRate ?? 500;
      // pacing: release a slice of the fleet every 20 ms
      const perTick = Math.max(1, Math.round(rate / 50));
      await new Promise<void>((resolve) => {
        const release = () => {
          for (const r of queue.splice(0, perTick)) r.start();
          if (queue.length === 0) {
            clearInterval(pacer);
            pacer = undefined;
            resolve();
          }
        };
        pacer = setInterval(release, 20);
        release();
      });
      await Promise.all([...runners.values()].map((r) => r.connection.firstAttempt));
      log?.info({ devices: runners.size, connected: stats.connected }, 'fleet started');
    },

    stop() {
      stopping ??= (async () => {
        clearInterval(pacer);
        await Promise.all([...runners.values()].map((r) => r.stop()));
      })();
      return stopping;
    },

    injectFault(deviceId, fault, seconds) {
      const r = runnerFor(deviceId);
      const name = checkFault(r, fault);
      if (seconds !== undefined && !(seconds > 0)) throw new UserError('TW_PAYLOAD_INVALID', `seconds must be a positive number, got ${seconds}`);
      clearTimeout(r.expiries.get(name));
      r.expiries.delete(name);
      r.setFault(name, true);
      if (seconds !== undefined) {
        r.expiries.set(
          name,
          setTimeout(() => {
            r.expiries.delete(name);
            r.setFault(name, false);
            log?.info({ device: deviceId, fault: name }, 'fault ended');
          }, seconds * 1000),
        );
      }
      log?.info({ device: deviceId, fault: name, seconds }, 'fault injected');
    },

    clearFault(deviceId, fault) {
      const r = runnerFor(deviceId);
      const name = checkFault(r, fault);
      clearTimeout(r.expiries.get(name));
      r.expiries.delete(name);
      r.setFault(name, false);
      log?.info({ device: deviceId, fault: name }, 'fault cleared');
    },

    devices: () => [...runners.values()].map(info),
    device: (id) => info(runnerFor(id)),
    stats: () => stats.snapshot(buffered()),
    sampleStats: () => stats.sample(buffered()),
  };
}
