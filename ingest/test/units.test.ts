import { describe, expect, it } from 'vitest';
import { escapeTag, eventLine, quoteString, statusLine, telemetryLine, deviceTagSet } from '../src/line-protocol.js';
import { mapWritePath } from '../src/v1-transport.js';
import { compareIds, trimPoint } from '../src/trimmer.js';
import { DeviceCache } from '../src/device-cache.js';
import { validateEntry } from '../src/validator.js';
import { quoteIdent, quoteLiteral } from '../src/history.js';
import { packStrings } from '../src/shadow-writer.js';
import { devices, elevatorTelemetry, entry, eventTopic, lookupOf, statusTopic, telemetryTopic } from './helpers.js';

const limits = { futureMs: 300_000, pastMs: 86_400_000 };

describe('line protocol', () => {
  it('escapes tag values and keeps tags sorted', () => {
    expect(escapeTag('a b,c=d\\e')).toBe('a\\ b\\,c\\=d\\\\e');
    expect(deviceTagSet({ id: 'E1', kind: 'elevator', unitId: 'u 1', districtId: 'd,2' })).toBe(',device=E1,district=d\\,2,kind=elevator,unit=u\\ 1');
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
  it('replaces a far-off clock with the receive time and flags it', () => {
    expect(check(entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(now + 3_600_000), now))).toMatchObject({ ok: true, ts: now, clockSkew: true });
    expect(check(entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(now - 2 * 86_400_000), now))).toMatchObject({ ok: true, ts: now, clockSkew: true });
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
