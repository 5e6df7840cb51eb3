/**
 * Turns a batch of raw stream entries into: dead letters (parked and acknowledged at once), shadow updates
 * (applied at once, so the live board does not wait for InfluxDB) and line-protocol points handed to the
 * writer (acknowledged after the write). One Redis pipeline per batch: no round trip per message.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import { decodeUplinkEntry, type UplinkEntry } from '@tianwang/core/pipeline';
import { tryParseTopic, type DeviceTopic } from '@tianwang/core/topics';
import type { DeadLetterInput, DeadLetterWriter } from './dead-letter.js';
import type { DeviceCache } from './device-cache.js';
import type { InfluxWriter } from './influx-writer.js';
import { eventLine, statusLine, telemetryLine } from './line-protocol.js';
import type { IngestMetrics } from './metrics.js';
import type { ShadowWriter } from './shadow-writer.js';
import type { RawEntry } from './stream-consumer.js';
import { claimedDeviceId, validateEntry, type ClockLimits, type Validated } from './validator.js';

type Ok = Extract<Validated, { ok: true }>;

export function lineOf(v: Ok): string {
  const { kind, tagSet } = v.device;
  const b = v.body;
  switch (b.channel) {
    case 'telemetry':
      return telemetryLine(kind, tagSet, b.value, v.ts, v.clockSkew);
    case 'event':
      return eventLine(kind, tagSet, b.value, v.ts, v.clockSkew);
    case 'status':
      return statusLine(kind, tagSet, { online: b.value.state === 'online', source: 'status', reason: b.value.reason, firmware: b.value.firmware, interval: b.value.interval }, v.ts, v.clockSkew);
    case 'presence':
      return statusLine(kind, tagSet, { online: b.online, source: 'presence', reason: b.reason }, v.ts, false);
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
}

export async function processEntries(raw: RawEntry[], d: ProcessorDeps): Promise<void> {
  const decoded: { id: string; entry: UplinkEntry | undefined; topic: DeviceTopic | string }[] = new Array(raw.length);
  const deviceIds = new Set<string>();
  for (let i = 0; i < raw.length; i++) {
    const [id, fields] = raw[i]!;
    const entry = decodeUplinkEntry(fields);
    const topic = entry ? tryParseTopic(entry.topic) : 'no entry';
    decoded[i] = { id, entry, topic };
    if (entry) deviceIds.add(claimedDeviceId(entry, topic));
  }
  await d.cache.resolve(deviceIds);

  const letters: DeadLetterInput[] = [];
  const invalidIds: string[] = [];
  const valid: Ok[] = [];
  const lines: string[] = [];
  const lineIds: string[] = [];
  let oldest = Number.POSITIVE_INFINITY;
  let skewed = 0;
  for (const { id, entry, topic } of decoded) {
    const v: Validated = entry
      ? validateEntry(entry, d.cache, d.limits, topic)
      : { ok: false, deviceId: '?', reason: 'bad_entry', message: 'stream entry without topic or with a bad receive time' };
    if (!v.ok) {
      invalidIds.push(id);
      d.metrics.invalid.inc({ reason: v.reason });
      letters.push({
        streamId: id, deviceId: v.deviceId, reason: v.reason, message: v.message,
        topic: entry?.topic ?? '', payload: entry?.payload ?? '', receivedAt: entry?.receivedAt ?? Date.now(), clientId: entry?.clientId ?? '',
      });
      continue;
    }
    if (v.clockSkew) skewed++;
    valid.push(v);
    lines.push(lineOf(v));
    lineIds.push(id);
    if (v.receivedAt < oldest) oldest = v.receivedAt;
  }
  if (skewed) d.metrics.clockSkew.inc(skewed);
  d.metrics.messages.inc({ result: 'valid' }, valid.length);
  if (invalidIds.length) d.metrics.messages.inc({ result: 'invalid' }, invalidIds.length);

  const pipe = d.redis.pipeline();
  const suppressed = d.deadLetters.queue(pipe, letters);
  if (suppressed) d.metrics.deadLettersSuppressed.inc(suppressed);
  d.shadow.queue(pipe, valid);
  // Invalid entries are finished once parked: the ack rides in the same pipeline, after the XADDs.
  if (invalidIds.length) pipe.xack(d.stream, d.group, ...invalidIds);
  const results = await pipe.exec();
  if (!results) throw new Error('redis pipeline aborted');
  const failed = results.find(([err]) => err);
  // A shadow or dead-letter command that fails (but Redis is up) must not hold telemetry back: log and go on.
  if (failed) d.log.warn({ err: failed[0], failures: results.filter(([e]) => e).length }, 'some shadow or dead-letter updates failed');

  d.writer.add(lines, lineIds, oldest);
}
