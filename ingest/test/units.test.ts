import { describe, expect, it } from 'vitest';
import { escapeTag, eventLine, quoteString, statusLine, telemetryLine, deviceTagSet, unwritableTags } from '../src/line-protocol.js';
import { nsDigits, serverMs, serverSub, streamPosition } from '../src/server-time.js';
import { readRefusal, refusalMessage } from '../src/write-refusals.js';
import { mapWritePath } from '../src/v1-transport.js';
import { compareIds } from '@tianwang/core/pipeline';
import { trimPoint } from '../src/trimmer.js';
import { DeviceCache } from '../src/device-cache.js';
import { validateEntry } from '../src/validator.js';
import { quoteIdent, quoteLiteral } from '../src/history.js';
import { packStrings } from '../src/shadow-writer.js';
import { devices, elevatorTelemetry, entry, eventTopic, lookupOf, statusTopic, telemetryTopic } from './helpers.js';

const limits = { futureMs: 300_000, pastMs: 86_400_000 };

describe('line protocol', () => {
  it('escapes tag values and keeps tags sorted', () => {
    // a backslash before a letter is literal for every server: written as is, never doubled
    expect(escapeTag('a b,c=d\\e')).toBe('a\\ b\\,c\\=d\\e');
    expect(escapeTag('区域 🚀"\'')).toBe('区域\\ 🚀"\'');
    expect(deviceTagSet({ id: 'E1', kind: 'elevator', unitId: 'u 1', districtId: 'd,2' })).toBe(',device=E1,district=d\\,2,kind=elevator,unit=u\\ 1');
  });

  it('does not write a tag the servers would read differently or refuse: empty, newline, a backslash that ends the value or precedes \\ , space =', () => {
    for (const v of ['', 'a\nb', 'a\\', 'a\\\\b', 'a\\,b', 'a\\ b', 'a\\=b']) expect(escapeTag(v)).toBeUndefined();
    expect(deviceTagSet({ id: 'E1', kind: 'elevator', unitId: 'u\\', districtId: '' })).toBe(',device=E1,kind=elevator');
    expect(unwritableTags({ id: 'E1', kind: 'elevator', unitId: 'u\\', districtId: '' })).toEqual(['district', 'unit']);
    expect(deviceTagSet({ id: 'bad\n', kind: 'elevator', unitId: 'u', districtId: 'd' })).toBeUndefined();
  });

  it('ends a line with its time in ns: the device millisecond and 000000, or a server time\'s rank', () => {
    expect(telemetryLine('elevator', ',device=E1', elevatorTelemetry(1, 0), 5, false, nsDigits(0))).toMatch(/ 5000000$/);
    expect(telemetryLine('elevator', ',device=E1', elevatorTelemetry(1, 0), 5, true, nsDigits(130), 1_600_000_000_000)).toMatch(/,clock_skew=1i,device_ts=1600000000000i 5000130$/);
  });

  it('writes telemetry with typed fields, booleans as 0/1 and ms time', () => {
    const line = telemetryLine('elevator', ',device=E1,district=d,kind=elevator,unit=u', elevatorTelemetry(1_700_000_000_123, 7), 1_700_000_000_123, false);
    expect(line).toBe(
      'elevator,device=E1,district=d,kind=elevator,unit=u floor=7i,direction="up",speed=1.5,door="closed",doorZone=1i,passenger=0i,mode=1i,power="mains",runCount=1007i,runHours=12.5,load=40,seq=7i 1700000000123',
    );
    expect(telemetryLine('elevator', ',device=E1', elevatorTelemetry(1, 0), 5, true)).toMatch(/,clock_skew=1i 5$/);
  });

  it('quotes string fields, escaping quotes and backslashes only where there are some', () => {
    expect(quoteString('closed')).toBe('"closed"');
    expect(quoteString('')).toBe('""');
    expect(quoteString('a"b')).toBe('"a\\"b"');
    expect(quoteString('a\\b')).toBe('"a\\\\b"');
    expect(quoteString('x\\"')).toBe('"x\\\\\\""');
  });

  it('writes events with the code tag first and escapes string fields', () => {
    const line = eventLine('elevator', ',device=E1', { code: '11', state: 'raised', detail: { note: 'say "hi"' } }, 10, false);
    expect(line).toBe('elevator_event,code=11,device=E1 state="raised",raised=1i,detail="{\\"note\\":\\"say \\\\\\"hi\\\\\\"\\"}" 10');
    expect(statusLine('boiler', ',device=B1', { online: false, source: 'presence', reason: 'lwt' }, 3, false)).toBe('boiler_status,device=B1 online=0i,source="presence",reason="lwt" 3');
  });
});

describe('v1 transport path mapping', () => {
  it('maps the v2 write path to /write with the v1 precision names', () => {
    expect(mapWritePath('/api/v2/write?org=&bucket=tw&precision=ms')).toBe('/write?db=tw&precision=ms');
    expect(mapWritePath('/api/v2/write?org=o&bucket=a%20b&precision=us')).toBe('/write?db=a+b&precision=u');
    expect(mapWritePath('/api/v2/write?org=o&bucket=x&precision=ns')).toBe('/write?db=x&precision=n');
    expect(mapWritePath('/query?q=x')).toBe('/query?q=x');
  });
});

describe('history quoting', () => {
  it('quotes identifiers and literals', () => {
    expect(quoteLiteral("a'b\\")).toBe("'a\\'b\\\\'");
    expect(quoteIdent('x"y')).toBe('"x\\"y"');
  });
});

describe('trim policy', () => {
  const now = 1_000_000;
  it('keeps everything a group has not finished', () => {
    expect(compareIds('5-1', '5-0')).toBeGreaterThan(0);
    const groups = [
      { name: 'ingest', lastDeliveredId: '900-0', pending: 3, lowestPendingId: '800-2' },
      { name: 'alerts', lastDeliveredId: '999000-0', pending: 0 },
    ];
    expect(trimPoint(groups, 'ingest', now, 60_000)).toBe('800-2');
  });
  it('does not let another group lag beyond the retention, but never trims unwritten ingest entries', () => {
    const groups = [
      { name: 'ingest', lastDeliveredId: '999999-0', pending: 0 },
      { name: 'alerts', lastDeliveredId: '10-0', pending: 1, lowestPendingId: '5-0' },
    ];
    expect(trimPoint(groups, 'ingest', now, 60_000)).toBe('940000-0');
    expect(trimPoint([{ name: 'ingest', lastDeliveredId: '100-0', pending: 1, lowestPendingId: '50-0' }, groups[1]!], 'ingest', now, 60_000)).toBe('50-0');
  });
  it('trims nothing before anything was delivered', () => {
    expect(trimPoint([{ name: 'ingest', lastDeliveredId: '0-0', pending: 0 }], 'ingest', now, 1)).toBeUndefined();
  });
});

describe('validation', async () => {
  const list = [...devices(2), ...devices(1, 'boiler')];
  list[1]!.enabled = false;
  const cache = new DeviceCache(lookupOf(list), 60_000);
  await cache.warm();
  await cache.resolve(['NOPE1']);
  const now = Date.now();
  const check = (e: ReturnType<typeof entry>) => validateEntry(e, cache, limits);

  it('accepts telemetry and keeps the device time', () => {
    const v = check(entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(now - 1000), now));
    expect(v).toMatchObject({ ok: true, ts: now - 1000, clockSkew: false });
  });
  it('replaces a far-off clock with the stream position (or, without one, the receive time), flags it and keeps the device time', () => {
    expect(check(entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(now + 3_600_000), now))).toMatchObject({ ok: true, ts: now, sub: 0, clockSkew: true, deviceTs: now + 3_600_000 });
    expect(check(entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(now - 2 * 86_400_000), now))).toMatchObject({ ok: true, ts: now, clockSkew: true });
    const e = entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(now - 2 * 86_400_000), now);
    expect(validateEntry(e, cache, limits, undefined, now + 7, 65)).toMatchObject({ ok: true, ts: now + 7, sub: 65, clockSkew: true, deviceTs: now - 2 * 86_400_000 });
    // a time within the window stays the device's, whatever the position
    expect(validateEntry(entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(now - 1000), now), cache, limits, undefined, now + 7, 65)).toMatchObject({ ts: now - 1000, sub: 0, clockSkew: false, deviceTs: 0 });
  });
  it.each([
    ['bad_json', entry(telemetryTopic('elevator', 'E00000'), '{nope')],
    ['schema', entry(telemetryTopic('elevator', 'E00000'), { ...elevatorTelemetry(now), floor: 'three' })],
    ['schema', entry(telemetryTopic('elevator', 'E00000'), { ...elevatorTelemetry(now), speed: 99 })],
    ['oversized', entry(telemetryTopic('elevator', 'E00000'), 'x'.repeat(5000))],
    ['unknown_device', entry(telemetryTopic('elevator', 'NOPE1'), elevatorTelemetry(now))],
    ['kind_mismatch', entry(telemetryTopic('boiler', 'E00000'), elevatorTelemetry(now))],
    ['disabled_device', entry(telemetryTopic('elevator', 'E00001'), elevatorTelemetry(now))],
    ['bad_topic', entry('tw/v1/elevator/E00000/telemetry/extra', elevatorTelemetry(now))],
    ['bad_topic', entry('tw/v1/elevator/E00000/cmd/reboot', '{}')],
  ])('refuses %s', (reason, e) => {
    expect(check(e)).toMatchObject({ ok: false, reason });
  });
  it('takes events, status and presence', () => {
    expect(check(entry(eventTopic('boiler', 'B00000'), { ts: now, code: 'B03', state: 'raised' }))).toMatchObject({ ok: true, body: { channel: 'event' } });
    expect(check(entry(statusTopic('elevator', 'E00000'), { state: 'offline', reason: 'lwt' }))).toMatchObject({ ok: true, ts: expect.any(Number), body: { channel: 'status' } });
    expect(check(entry(statusTopic('elevator', 'E00000'), 'lwt', now, 'x'))).toMatchObject({ ok: true, body: { channel: 'presence', online: false, reason: 'lwt' } });
  });
});

describe('server times', () => {
  it('are the entry id\'s millisecond and the message\'s rank (seq × 64 + index + 1) in ns, carried past 999,999', () => {
    expect(streamPosition('1700000000123-0')).toEqual({ ms: 1_700_000_000_123, base: 1 });
    expect(streamPosition('1700000000123-3')).toEqual({ ms: 1_700_000_000_123, base: 193 });
    expect([serverMs(10, 193 + 63), serverSub(193 + 63)]).toEqual([10, 256]);
    expect([serverMs(10, 999_999), serverSub(999_999)]).toEqual([10, 999_999]);
    expect([serverMs(10, 1_000_000), serverSub(1_000_000)]).toEqual([11, 1]);
    expect([nsDigits(0), nsDigits(7), nsDigits(999_999)]).toEqual(['000000', '000007', '999999']);
  });
});

describe('reading a 400 from InfluxDB', () => {
  const lines = ['a,t=1 v=1i 1', "a,t=x\\ v=2i 2", 'a,t= v=3i 3', 'a,t=4 s="it\': x" 4'];
  const all = [0, 1, 2, 3];
  it('takes the lines influxd lists as unparseable by their text; with "partial write" the others were written', () => {
    const body = JSON.stringify({ error: "partial write: unable to parse 'a,t=x\\ v=2i 2': invalid tag format\nunable to parse 'a,t= v=3i 3': missing tag value dropped=0" });
    const r = readRefusal(refusalMessage(body), lines, all);
    expect([...r.listed]).toEqual([[1, 'invalid tag format'], [2, 'missing tag value']]);
    expect(r).toMatchObject({ restWritten: true, dropped: 0 });
    // a line holding "': " itself is still found whole
    expect([...readRefusal("unable to parse 'a,t=4 s=\"it': x\" 4': bad", lines, [3]).listed]).toEqual([[3, 'bad']]);
  });
  it('leaves the fate of the other lines open when the reason names no line', () => {
    const r = readRefusal('partial write: field type conflict: input field "v" on measurement "a" is type float, already exists as type integer dropped=2', lines, all);
    expect(r).toMatchObject({ restWritten: false, dropped: 2, reason: 'field type conflict: input field "v" on measurement "a" is type float, already exists as type integer' });
    expect(r.listed.size).toBe(0);
    expect(readRefusal('{"code":"invalid","message":"something else"}', lines, all).restWritten).toBe(false);
  });
});

describe('packStrings (the shadow script\'s packed argument)', () => {
  it('prefixes each string with its UTF-8 byte length, not its length in characters', () => {
    const buf = packStrings(['t', '', '困人', '{"a":1}']);
    const out: string[] = [];
    for (let o = 0; o < buf.length; ) {
      const len = buf.readUInt32BE(o);
      out.push(buf.toString('utf8', o + 4, o + 4 + len));
      o += 4 + len;
    }
    expect(out).toEqual(['t', '', '困人', '{"a":1}']);
    expect(buf.readUInt32BE(4 + 1 + 4)).toBe(6);
  });
});
