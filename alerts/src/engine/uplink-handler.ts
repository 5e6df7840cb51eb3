import { decodeUplinkEntries } from '@tianwang/core/pipeline';
import type { DeviceContext } from '@tianwang/core/registry';
import { parsePayload, type BoilerTelemetry, type DeviceEvent, type ElevatorTelemetry } from '@tianwang/core/schemas';
import { tryParseTopic } from '@tianwang/core/topics';
import { evaluateFault } from '../rules/fault-event.js';
import { silenceDeadline, silenceSignal } from '../rules/silence.js';
import { THRESHOLD_RULES, evaluateThreshold, type ThresholdState } from '../rules/threshold.js';
import type { Signal } from '../rules/types.js';
import type { EngineContext } from './context.js';
import type { DeviceStates } from './state-store.js';
import type { StreamEntry } from './stream-consumer.js';

type Reading = ElevatorTelemetry | BoilerTelemetry;

interface DeviceBatch {
  readings: { reading: Reading; at: number }[];
  events: { event: DeviceEvent; at: number }[];
  lastSeen: number;
}

const targetOf = (d: DeviceContext) => ({ subject: d.kind, id: d.id, model: d.model, districtId: d.districtId });

/**
 * One batch of the uplink stream: validate (invalid entries are ingest's business: skipped), group per device,
 * evaluate fault, threshold and silence rules, record the decisions, then save rule state. Effects are durable
 * when this resolves; the consumer acks right after.
 */
export async function handleUplinkBatch(ctx: EngineContext, entries: StreamEntry[]): Promise<void> {
  const started = performance.now();
  const perDevice = new Map<string, DeviceBatch>();
  const kinds = { m: 0, o: 0, x: 0 };
  // every message of every entry (a batch entry holds several), in stream order
  for (const [, fields] of entries) for (const e of decodeUplinkEntries(fields)) {
    if (!e) continue;
    kinds[e.kind]++;
    // presence offline is not an alarm by itself: a device that stays away trips the silence rule
    if (e.kind === 'x') continue;
    const t = tryParseTopic(e.topic);
    if (typeof t === 'string' || t.channel === 'cmd') continue;
    let b = perDevice.get(t.deviceId);
    if (!b) perDevice.set(t.deviceId, (b = { readings: [], events: [], lastSeen: 0 }));
    b.lastSeen = Math.max(b.lastSeen, e.receivedAt);
    if (e.kind !== 'm' || t.channel === 'status') continue;
    const parsed = parsePayload(t.kind, t.channel, e.payload);
    if (!parsed.ok) continue;
    if (parsed.channel === 'telemetry') b.readings.push({ reading: parsed.value, at: e.receivedAt });
    else if (parsed.channel === 'event') b.events.push({ event: parsed.value, at: e.receivedAt });
  }

  for (const [kind, n] of Object.entries(kinds)) if (n) ctx.metrics.entries.inc({ source: 'uplink', kind }, n);
  const ids = [...perDevice.keys()];
  const contexts = new Map<string, DeviceContext>();
  await Promise.all(ids.map(async (id) => {
    const c = await ctx.devices.get(id);
    if (c?.enabled) contexts.set(id, c);
  }));

  const decisions: { signal: Signal; device: DeviceContext }[] = [];
  for (const [id, b] of perDevice) {
    const d = contexts.get(id);
    if (!d) continue;
    for (const { event, at } of b.events) {
      const s = evaluateFault(d.kind, event, ctx.rules.settings(`fault:${event.code}`, targetOf(d)), at);
      if (s) decisions.push({ signal: s, device: d });
    }
  }
  // faults first: a trapped passenger must not wait for the telemetry of the same batch
  for (const x of decisions) await record(ctx, x.signal, x.device);

  // thresholds: evaluate with the stored state; a device whose state changed under us is evaluated again
  let pending = ids.filter((id) => contexts.has(id) && perDevice.get(id)!.readings.length > 0);
  for (let round = 0; pending.length && round < 5; round++) {
    const states = await ctx.states.load(pending);
    const changes: { deviceId: string; rule: string; expected: string; next: ThresholdState | undefined }[] = [];
    const roundDecisions = new Map<string, { signal: Signal; device: DeviceContext }[]>();
    for (const id of pending) {
      const d = contexts.get(id)!;
      const out = evaluateDevice(ctx, d, perDevice.get(id)!.readings, states.get(id) ?? new Map(), changes);
      roundDecisions.set(id, out.map((signal) => ({ signal, device: d })));
    }
    // record first, then save state: a crash in between repeats the decision (idempotent), never loses it
    for (const list of roundDecisions.values()) for (const x of list) await record(ctx, x.signal, x.device);
    const lost = await ctx.states.save(changes);
    pending = [...lost];
  }

  // silence: push deadlines forward; devices that were silent have spoken again
  const seen = [...perDevice.entries()]
    .filter(([id]) => contexts.has(id))
    .map(([id, b]) => {
      const d = contexts.get(id)!;
      const s = ctx.rules.settings('silence', targetOf(d));
      return { id, deadline: s?.enabled ? silenceDeadline(b.lastSeen, d.telemetryIntervalS, s, ctx.silenceMultiple) : Number.MAX_SAFE_INTEGER, at: b.lastSeen };
    });
  const back = await ctx.silence.seen(seen);
  for (const id of back) {
    const d = contexts.get(id)!;
    const s = ctx.rules.settings('silence', targetOf(d));
    if (s) await record(ctx, silenceSignal('clear', s, perDevice.get(id)!.lastSeen), d);
  }
  ctx.metrics.batchSeconds.observe((performance.now() - started) / 1000);
}

function evaluateDevice(
  ctx: EngineContext,
  d: DeviceContext,
  readings: { reading: Reading; at: number }[],
  states: DeviceStates,
  changes: { deviceId: string; rule: string; expected: string; next: ThresholdState | undefined }[],
): Signal[] {
  const signals: Signal[] = [];
  const sorted = [...readings].sort((a, b) => a.reading.ts - b.reading.ts);
  for (const rule of THRESHOLD_RULES) {
    if (rule.subject !== d.kind) continue;
    const settings = ctx.rules.settings(rule.key, targetOf(d));
    if (!settings) continue;
    const before = states.get(rule.key);
    let state = before?.state;
    for (const { reading, at } of sorted) {
      const r = evaluateThreshold(rule, reading, d.rated, settings, state, at);
      state = r.state;
      if (r.signal) signals.push(r.signal);
    }
    const next = state ? JSON.stringify(state) : '';
    if (next !== (before?.raw ?? '')) changes.push({ deviceId: d.id, rule: rule.key, expected: before?.raw ?? '', next: state });
  }
  return signals;
}

export async function record(ctx: EngineContext, signal: Signal, d: DeviceContext, origin?: number): Promise<void> {
  ctx.metrics.signals.inc({ action: signal.action, type: signal.type });
  const r = await ctx.alarms.record(signal, { type: 'device', id: d.id, unitId: d.unitId }, ctx.rules.version);
  if (r.action === 'raise' && r.created) {
    ctx.metrics.alarmsOpened.inc({ type: signal.type, severity: signal.severity });
    await ctx.escalator.onRaised(r.alarm, origin ?? signal.at);
  } else if (r.action === 'clear' && r.alarm?.status === 'closed') ctx.metrics.alarmsClosed.inc({ outcome: r.alarm.outcome ?? 'unknown' });
}
