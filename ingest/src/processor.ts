/**
 * Turns a batch of raw stream entries (each one or several messages, see core's uplink-entry.ts) into: dead letters (parked and acknowledged at once), shadow updates
 * (applied at once, so the live board does not wait for InfluxDB) and line-protocol points handed to the
 * writer. An entry is acknowledged once all its messages are parked or written: at once (in this pipeline) when
 * none of them became a point, else when the last of its points is written (EntryAcks counts them down).
 * One Redis pipeline per batch: no round trip per message.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import { decodeUplinkEntries, type UplinkEntry } from '@tianwang/core/pipeline';
import { tryParseTopic, type DeviceTopic } from '@tianwang/core/topics';
import type { DeadLetterInput, DeadLetterWriter } from './dead-letter.js';
import type { DeviceCache } from './device-cache.js';
import type { InfluxWriter } from './influx-writer.js';
import { eventLine, statusLine, telemetryLine } from './line-protocol.js';
import type { IngestMetrics } from './metrics.js';
import type { ShadowWriter } from './shadow-writer.js';
import { nsDigits, streamPosition } from './server-time.js';
import type { RawEntry } from './stream-consumer.js';
import { claimedDeviceId, validateEntry, type ClockLimits, type Validated } from './validator.js';

type Ok = Extract<Validated, { ok: true }>;

/** The message's line, its time in nanoseconds (the writer sends precision=ns). */
export function lineOf(v: Ok): string {
  const { kind, tagSet } = v.device;
  const b = v.body;
  const ns = nsDigits(v.sub);
  switch (b.channel) {
    case 'telemetry':
      return telemetryLine(kind, tagSet, b.value, v.ts, v.clockSkew, ns, v.deviceTs);
    case 'event':
      return eventLine(kind, tagSet, b.value, v.ts, v.clockSkew, ns, v.deviceTs);
    case 'status':
      return statusLine(kind, tagSet, { online: b.value.state === 'online', source: 'status', reason: b.value.reason, firmware: b.value.firmware, interval: b.value.interval }, v.ts, v.clockSkew, ns, v.deviceTs);
    case 'presence':
      return statusLine(kind, tagSet, { online: b.online, source: 'presence', reason: b.reason }, v.ts, false, ns);
  }
}

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

/** Processes the entries; resolves with the number of messages they held. */
export async function processEntries(raw: RawEntry[], d: ProcessorDeps): Promise<number> {
  /** at, rank: the message's place in the stream, for a server time (server-time.ts) */
  const decoded: { id: string; index: number; at: number; rank: number; entry: UplinkEntry | undefined; topic: DeviceTopic | string }[] = [];
  const deviceIds = new Set<string>();
  for (let i = 0; i < raw.length; i++) {
    const [id, fields] = raw[i]!;
    const messages = decodeUplinkEntries(fields);
    const { ms, base } = streamPosition(id);
    for (let index = 0; index < messages.length; index++) {
      const entry = messages[index];
      const topic = entry ? tryParseTopic(entry.topic) : 'no entry';
      decoded.push({ id, index, at: ms, rank: base + index, entry, topic });
      if (entry) deviceIds.add(claimedDeviceId(entry, topic));
    }
  }
  await d.cache.resolve(deviceIds);

  const letters: DeadLetterInput[] = [];
  let invalid = 0;
  const valid: Ok[] = [];
  const lines: string[] = [];
  const lineIds: string[] = [];
  /** each line's message index in its entry (to park exactly the lines InfluxDB refuses) */
  const lineIndexes: number[] = [];
  /** points per entry id, for entries with at least one */
  const points = new Map<string, number>();
  let oldest = Number.POSITIVE_INFINITY;
  let skewed = 0;
  for (const { id, index, at, rank, entry, topic } of decoded) {
    const v: Validated = entry
      ? validateEntry(entry, d.cache, d.limits, topic, at, rank)
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
    lines.push(lineOf(v));
    lineIds.push(id);
    lineIndexes.push(index);
    points.set(id, (points.get(id) ?? 0) + 1);
    if (v.receivedAt < oldest) oldest = v.receivedAt;
  }
  if (skewed) d.metrics.clockSkew.inc(skewed);
  d.metrics.messages.inc({ result: 'valid' }, valid.length);
  if (invalid) d.metrics.messages.inc({ result: 'invalid' }, invalid);
  // Entries none of whose messages became a point are finished once parked: the ack rides in the same
  // pipeline, after the XADDs. (Also empty batch entries.)
  const finished: string[] = [];
  for (const [id] of raw) if (!points.has(id)) finished.push(id);

  const pipe = d.redis.pipeline();
  const suppressed = d.deadLetters.queue(pipe, letters);
  if (suppressed) d.metrics.deadLettersSuppressed.inc(suppressed);
  d.shadow.queue(pipe, valid);
  if (finished.length) pipe.xack(d.stream, d.group, ...finished);
  const results = await pipe.exec();
  if (!results) throw new Error('redis pipeline aborted');
  const failed = results.find(([err]) => err);
  // A shadow or dead-letter command that fails (but Redis is up) must not hold telemetry back: log and go on.
  if (failed) d.log.warn({ err: failed[0], failures: results.filter(([e]) => e).length }, 'some shadow or dead-letter updates failed');

  for (const [id, n] of points) d.acks.add(id, n);
  d.writer.add(lines, lineIds, lineIndexes, oldest);
  return decoded.length;
}
