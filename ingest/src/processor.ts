/**
 * Turns a batch of raw stream entries (each one or several messages, see core's uplink-entry.ts) into: dead letters (parked and acknowledged at once), shadow updates
 * (applied at once, so the live board does not wait for InfluxDB), storage decisions (store by exception: the
 * same script call, shadow-pass.ts) and line-protocol points handed to the writer. An entry is acknowledged once
 * all its messages are parked, written or decided not worth storing: at once (in this pipeline) when none of
 * them is valid, right after the decisions when none of them became a point, else when the last of its points
 * is written (EntryAcks counts them down). One Redis pipeline per batch: no round trip per message.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import { decodeUplinkEntries } from '@tianwang/core/pipeline';
import { tryParseTopic, type DeviceTopic } from '@tianwang/core/topics';
import type { DeadLetterInput, DeadLetterWriter } from './dead-letter.js';
import type { DeviceCache } from './device-cache.js';
import type { InfluxWriter } from './influx-writer.js';
import { ALL_FIELDS, eventLine, statusLine, telemetryLine } from './line-protocol.js';
import { TELEMETRY_FIELDS } from './measurements.js';
import type { IngestMetrics } from './metrics.js';
import type { ShadowWriter } from './shadow-writer.js';
import { queueShadow, type Chunk } from './shadow-pass.js';
import { nsDigits, streamPosition } from './server-time.js';
import type { DecisionOrder } from './store-gate.js';
import type { CompiledPolicy } from './store-policy.js';
import type { RawEntry } from './stream-consumer.js';
import { claimedDeviceId, validateEntry, type ClockLimits, type Validated } from './validator.js';

type Ok = Extract<Validated, { ok: true }>;

/** The message's line, its time in nanoseconds (the writer sends precision=ns); `mask`: the telemetry fields to write. */
export function lineOf(v: Ok, mask = ALL_FIELDS): string {
  const { kind, tagSet } = v.device;
  const b = v.body;
  const ns = nsDigits(v.sub);
  switch (b.channel) {
    case 'telemetry':
      return telemetryLine(kind, tagSet, b.value, v.ts, v.clockSkew, ns, v.deviceTs, mask);
    case 'event':
      return eventLine(kind, tagSet, b.value, v.ts, v.clockSkew, ns, v.deviceTs);
    case 'status':
      return statusLine(kind, tagSet, { online: b.value.state === 'online', source: 'status', reason: b.value.reason, firmware: b.value.firmware, interval: b.value.interval }, v.ts, v.clockSkew, ns, v.deviceTs);
    case 'presence':
      return statusLine(kind, tagSet, { online: b.online, source: 'presence', reason: b.reason }, v.ts, false, ns);
  }
}

/**
 * A restore point (store-decide.ts): the value in force, one microsecond after a late message with a device time
 * (a whole millisecond). A microsecond, not a nanosecond: history reads times in microseconds.
 */
const RESTORE_NS = '001000';

export interface ProcessorDeps {
  redis: Redis;
  stream: string;
  group: string;
  cache: DeviceCache;
  deadLetters: DeadLetterWriter;
  shadow: ShadowWriter;
  writer: InfluxWriter;
  metrics: IngestMetrics;
  limits: ClockLimits;
  log: Logger;
  acks: EntryAcks;
  /** acknowledges entries that are done (and drops their decision records) */
  ack(ids: string[]): Promise<void>;
  /** store by exception (with `order`); undefined: every field of every message is stored */
  policy?: CompiledPolicy;
  order?: DecisionOrder;
}

/** Per stream entry, how many of its points are not written yet; an entry is done when its count reaches 0. */
export class EntryAcks {
  private readonly left = new Map<string, number>();

  add(id: string, points: number): void {
    this.left.set(id, (this.left.get(id) ?? 0) + points);
  }

  /** Counts down one point per id (ids repeat, one per point); returns the entries now complete. */
  done(ids: readonly string[]): string[] {
    const complete: string[] = [];
    for (const id of ids) {
      const n = this.left.get(id);
      if (n === undefined) continue;
      if (n <= 1) {
        this.left.delete(id);
        complete.push(id);
      } else this.left.set(id, n - 1);
    }
    return complete;
  }

  get size(): number {
    return this.left.size;
  }
}

/** Most valid messages per script call: a call covers whole consecutive entries (the order gate works on entry ranges). */
const CHUNK_UPDATES = 500;

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
}

function presentFields(v: Ok): number {
  const values = (v.body as { value: Record<string, unknown> }).value;
  let n = 0;
  for (const f of TELEMETRY_FIELDS[v.device.kind]) if (values[f.name] !== undefined) n++;
  return n;
}

/** Processes the entries; resolves with the number of messages they held. */
export async function processEntries(raw: RawEntry[], d: ProcessorDeps): Promise<number> {
  const letters: DeadLetterInput[] = [];
  let invalid = 0;
  let messages = 0;
  const valid: Ok[] = [];
  /** per valid message, its entry id and its index in that entry */
  const validIds: string[] = [];
  const validIndexes: number[] = [];
  const chunks: Chunk[] = [];
  const hasValid = new Set<string>();
  let skewed = 0;
  const decoded = raw.map(([id, fields]) => ({ id, messages: decodeUplinkEntries(fields), topics: [] as (DeviceTopic | string)[] }));
  const deviceIds = new Set<string>();
  for (const e of decoded) {
    for (const entry of e.messages) {
      const topic = entry ? tryParseTopic(entry.topic) : 'no entry';
      e.topics.push(topic);
      if (entry) deviceIds.add(claimedDeviceId(entry, topic));
    }
  }
  await d.cache.resolve(deviceIds);

  let chunk: Chunk | undefined;
  for (const { id, messages: entries, topics } of decoded) {
    if (!chunk || (chunk.valid.length && chunk.valid.length + entries.length > CHUNK_UPDATES)) chunks.push((chunk = { valid: [], ids: [], indexes: [], range: { first: id, last: id } }));
    chunk.range.last = id;
    /** at, rank: the message's place in the stream, for a server time (server-time.ts) */
    const { ms: at, base } = streamPosition(id);
    for (let index = 0; index < entries.length; index++) {
      messages++;
      const entry = entries[index];
      const v: Validated = entry
        ? validateEntry(entry, d.cache, d.limits, topics[index], at, base + index)
        : { ok: false, deviceId: '?', reason: 'bad_entry', message: 'stream entry without topic or with a bad receive time' };
      if (!v.ok) {
        invalid++;
        d.metrics.invalid.inc({ reason: v.reason });
        letters.push({
          streamId: id, index, deviceId: v.deviceId, reason: v.reason, message: v.message,
          topic: entry?.topic ?? '', payload: entry?.payload ?? '', receivedAt: entry?.receivedAt ?? Date.now(), clientId: entry?.clientId ?? '',
        });
        continue;
      }
      if (v.clockSkew) skewed++;
      valid.push(v);
      validIds.push(id);
      validIndexes.push(index);
      chunk.valid.push(v);
      chunk.ids.push(id);
      chunk.indexes.push(index);
      hasValid.add(id);
    }
  }
  if (skewed) d.metrics.clockSkew.inc(skewed);
  d.metrics.messages.inc({ result: 'valid' }, valid.length);
  if (invalid) d.metrics.messages.inc({ result: 'invalid' }, invalid);

  const pipe = d.redis.pipeline();
  const suppressed = d.deadLetters.queue(pipe, letters);
  if (suppressed) d.metrics.deadLettersSuppressed.inc(suppressed);
  const pass = queueShadow(pipe, chunks, d);
  // Entries without a valid message are finished once parked: the ack rides in the same pipeline, after the XADDs.
  const finished = raw.filter(([id]) => !hasValid.has(id)).map(([id]) => id);
  if (finished.length) pipe.xack(d.stream, d.group, ...finished);
  const decisions = await pass.finish(async () => {
    const results = await pipe.exec();
    if (!results) throw new Error('redis pipeline aborted');
    const failed = results.filter(([err]) => err);
    // A shadow or dead-letter command that fails (but Redis is up) must not hold telemetry back: log and go on.
    if (failed.length) d.log.warn({ err: failed[0]![0], failures: failed.length }, 'some shadow or dead-letter updates failed');
    return results;
  });

  const lines: string[] = [];
  const lineIds: string[] = [];
  /** each line's message index in its entry (to park exactly the lines InfluxDB refuses) */
  const lineIndexes: number[] = [];
  const points = new Map<string, number>();
  let oldest = Number.POSITIVE_INFINITY;
  let received = decisions.fieldsReceived;
  let stored = 0;
  const push = (line: string, i: number, receivedAt: number) => {
    lines.push(line);
    lineIds.push(validIds[i]!);
    lineIndexes.push(validIndexes[i]!);
    points.set(validIds[i]!, (points.get(validIds[i]!) ?? 0) + 1);
    if (receivedAt < oldest) oldest = receivedAt;
  };
  const index = new Map<Ok, number>();
  for (let i = 0; i < valid.length; i++) {
    const v = valid[i]!;
    if (v.body.channel !== 'telemetry') {
      push(lineOf(v), i, v.receivedAt);
      continue;
    }
    const mask = decisions.masks.get(v);
    if (mask === undefined) {
      // stored whole: no store by exception, or its call failed
      const n = presentFields(v);
      stored += n;
      if (!d.policy) received += n;
    } else stored += popcount(mask);
    if (mask === 0) continue;
    const line = lineOf(v, mask);
    if (line) push(line, i, v.receivedAt);
    if (decisions.restores.length) index.set(v, i);
  }
  for (const r of decisions.restores) {
    const line = telemetryLine(r.v.device.kind, r.v.device.tagSet, r.values, r.v.ts, false, RESTORE_NS, undefined, r.mask);
    stored += popcount(r.mask);
    if (line) push(line, index.get(r.v)!, r.v.receivedAt);
  }
  if (received) d.metrics.fieldsReceived.inc(received);
  if (stored) d.metrics.fieldsStored.inc(stored);

  // Entries whose valid messages were all decided not worth storing are done now.
  const decidedOnly = [...hasValid].filter((id) => !points.has(id));
  if (decidedOnly.length) await d.ack(decidedOnly);
  for (const [id, n] of points) d.acks.add(id, n);
  d.writer.add(lines, lineIds, lineIndexes, oldest);
  return messages;
}
