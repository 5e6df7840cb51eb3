import { z } from 'zod';
import { BOILER_CODES, ELEVATOR_CODES } from './fault-codes.js';

/** The largest payload a terminal may send on any uplink topic, in bytes. The broker enforces it too. */
export const MAX_PAYLOAD_BYTES = 4096;

/** Device timestamp: milliseconds since the epoch, after 2020 and before 2100. */
const timestamp = z.number().int().min(1_577_836_800_000, 'must be ms since epoch after 2020-01-01').max(4_102_444_800_000, 'must be before 2100');
const seq = z.number().int().min(0).max(2 ** 53 - 1);

export const elevatorTelemetrySchema = z.object({
  ts: timestamp,
  seq: seq.optional(),
  floor: z.number().int().min(-10).max(250),
  direction: z.enum(['up', 'down', 'stop']),
  /** m/s */
  speed: z.number().min(0).max(25),
  door: z.enum(['open', 'closed', 'opening', 'closing']),
  doorZone: z.boolean(),
  passenger: z.boolean(),
  /** 0 stopped, 1 normal, 2 inspection, 3 fire return, 4 firefighter, 5 emergency power, 6 earthquake */
  mode: z.number().int().min(0).max(6),
  power: z.enum(['mains', 'battery', 'off']),
  runCount: z.number().int().min(0).max(1e10),
  /** hours */
  runHours: z.number().min(0).max(1e6),
  /** percent of rated load */
  load: z.number().min(0).max(200),
});
export type ElevatorTelemetry = z.infer<typeof elevatorTelemetrySchema>;

export const boilerTelemetrySchema = z.object({
  ts: timestamp,
  seq: seq.optional(),
  /** steam / water pressure, MPa (gauge) */
  pressure: z.number().min(-0.1).max(30),
  /** water level, mm from normal level (negative = below) */
  waterLevel: z.number().min(-500).max(500),
  /** outlet (steam or hot water) temperature, °C */
  steamTemp: z.number().min(-40).max(650),
  /** flue gas (exhaust) temperature, °C */
  flueTemp: z.number().min(-40).max(1200),
  /** feed-water temperature, °C */
  feedWaterTemp: z.number().min(-40).max(300),
  burner: z.enum(['off', 'ignition', 'running']),
  flame: z.boolean(),
  fan: z.boolean(),
  feedPump: z.boolean(),
  /** fuel (gas) pressure, kPa */
  fuelPressure: z.number().min(0).max(1000),
  /** a certified (G1) operator is logged in on the terminal */
  operatorOnDuty: z.boolean().optional(),
});
export type BoilerTelemetry = z.infer<typeof boilerTelemetrySchema>;

const eventBase = {
  ts: timestamp,
  seq: seq.optional(),
  /** raised when the terminal has confirmed the fault; cleared when it is gone */
  state: z.enum(['raised', 'cleared']),
  /** free-form details from the terminal (floor, measured value …), small */
  detail: z.record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
};
export const elevatorEventSchema = z.object({ ...eventBase, code: z.enum(ELEVATOR_CODES) });
export const boilerEventSchema = z.object({ ...eventBase, code: z.enum(BOILER_CODES) });
export type ElevatorEvent = z.infer<typeof elevatorEventSchema>;
export type BoilerEvent = z.infer<typeof boilerEventSchema>;
export type DeviceEvent = ElevatorEvent | BoilerEvent;

export const deviceStatusSchema = z.object({
  ts: timestamp.optional(),
  state: z.enum(['online', 'offline']),
  /** e.g. "lwt" for a last will, "shutdown" for a clean power-down */
  reason: z.string().max(64).optional(),
  firmware: z.string().max(64).optional(),
  /** telemetry interval the terminal uses, seconds; the silence rule is a multiple of it */
  interval: z.number().int().min(1).max(86_400).optional(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

export const telemetrySchemas = { elevator: elevatorTelemetrySchema, boiler: boilerTelemetrySchema } as const;
export const eventSchemas = { elevator: elevatorEventSchema, boiler: boilerEventSchema } as const;
