import { Option, type Command } from 'commander';
import { UserError } from '@tianwang/core/errors';
import { demoFleet } from '../fleet/demo-fleet.js';
import { loadDeviceFile } from '../fleet/device-file.js';
import { generatedFleet } from '../fleet/generated-fleet.js';
import { parseDuration } from '../scenario/duration.js';
import type { DeviceSpec } from '../terminal/device-spec.js';

/** The options every fleet command shares: where the broker is and which devices to be. */
export interface FleetCliOptions {
  broker: string;
  fromDemo?: boolean;
  seed: string;
  elevators?: string;
  boilers?: string;
  idPrefix: string;
  secret?: string;
  devices?: string;
  interval: string;
  jitter: string;
  qos: string;
  confirm: string;
  connectRate: string;
  clockSkew: string;
  duration?: string;
  messages?: string;
  statusEvery: string;
}

export function addFleetOptions(cmd: Command, defaults: { interval: string; statusEvery: string }): Command {
  return cmd
    .option('-b, --broker <url>', 'MQTT broker URL (mqtt://, mqtts://, ws://)', 'mqtt://127.0.0.1:1883')
    .option('--from-demo', "the registry's demo district (secrets derived from --seed)")
    .option('--seed <n>', 'demo district seed; also seeds the device models', '1')
    .option('-e, --elevators <n>', 'generate N elevators (with --secret)')
    .option('-B, --boilers <n>', 'generate N boilers (with --secret)')
    .option('--id-prefix <prefix>', 'id prefix for generated devices: <prefix>-EL-000001', 'SIM')
    .option('--secret <secret>', 'password of every generated device')
    .option('--devices <file>', 'devices from a JSON array or CSV file (id,kind,secret[,floors,ratedSpeed,ratedPressure,label])')
    .option('-i, --interval <seconds>', 'telemetry interval', defaults.interval)
    .option('--jitter <fraction>', 'random spread of the interval, ±fraction', '0.1')
    .addOption(new Option('--qos <qos>', 'telemetry QoS (events are always QoS 1)').choices(['0', '1']).default('1'))
    .option('--confirm <seconds>', 'a fault condition must hold this long before it is reported', '3')
    .option('--connect-rate <n>', 'new connections per second', '500')
    .option('--clock-skew <time>', 'how far off a clock_skew device is', '48h')
    .option('-d, --duration <time>', 'stop after this long (90s, 10m, 1h)')
    .option('-n, --messages <n>', 'stop after this many messages in total')
    .option('--status-every <seconds>', 'status line period', defaults.statusEvery);
}

export async function loadFleet(o: FleetCliOptions): Promise<DeviceSpec[]> {
  const devices: DeviceSpec[] = [];
  if (o.fromDemo) devices.push(...(await demoFleet(int(o.seed, '--seed'))));
  if (o.devices) devices.push(...(await loadDeviceFile(o.devices)));
  if (o.elevators || o.boilers) {
    if (!o.secret) throw new UserError('TW_CONFIG_INVALID', '--elevators/--boilers need --secret (the password the broker knows for them)');
    devices.push(...generatedFleet({ elevators: int(o.elevators ?? '0', '--elevators'), boilers: int(o.boilers ?? '0', '--boilers'), idPrefix: o.idPrefix, secret: o.secret }));
  }
  if (devices.length === 0) throw new UserError('TW_CONFIG_INVALID', 'no devices: use --from-demo, --devices <file>, or --elevators/--boilers with --secret');
  return devices;
}

export function int(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError('TW_CONFIG_INVALID', `${flag} must be a whole number ≥ 0, got "${v}"`);
  return n;
}

export function num(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UserError('TW_CONFIG_INVALID', `${flag} must be a number ≥ 0, got "${v}"`);
  return n;
}

export function duration(v: string, flag: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new UserError('TW_CONFIG_INVALID', `${flag} must be a time like 90s, 10m, 1h, got "${v}"`);
  return ms;
}
