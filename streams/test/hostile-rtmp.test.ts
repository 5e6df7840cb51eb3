import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { captureLog, playUrls, publish, readFrames, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';
import { RtmpClient } from './helpers/rtmp-client.js';

// Hostile RTMP clients against a relay with a live camera: each may cost its own connection, never the
// relay (node-media-server throws out of its socket handler on these, which ended the process), and what
// an unaccepted connection makes the relay hold is bounded.
let f: Fixture;
let pub: ReturnType<typeof publish>;
const logs = captureLog('debug');

beforeAll(async () => {
  f = await startFixture({ log: logs.log, tuning: { rtmpLimits: { decideWithinMs: 2000, maxPendingPerIp: 40 } } });
  pub = publish(f.publishUrl('cam-a'));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a'), 15_000);
});

afterAll(async () => {
  pub?.kill('SIGKILL');
  await f?.stop();
});

const amfString = (s: string) => Buffer.concat([Buffer.from([0x02, s.length >> 8, s.length & 0xff]), Buffer.from(s)]);
const okConnect = (c: RtmpClient) => c.command({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' } });

const attacks: [string, (c: RtmpClient) => void][] = [
  ['connect with a tcUrl that is not a URL', (c) => c.command({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 'not a url' } })],
  ['connect without a command object', (c) => c.command({ cmd: 'connect', transId: 1 })],
  ['connect with a null command object', (c) => c.command({ cmd: 'connect', transId: 1, cmdObj: null })],
  ['connect with a tcUrl that is a number', (c) => c.command({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 42 } })],
  ['a truncated AMF number', (c) => c.sendMessage(3, 20, Buffer.concat([amfString('connect'), Buffer.from([0x00, 0x3f])]))],
  ['an AMF value of unknown type', (c) => c.sendMessage(3, 20, Buffer.concat([amfString('connect'), Buffer.from([0x00, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x42])]))],
  ['random bytes after the handshake', (c) => c.write(randomBytes(4096))],
  ['publish without a stream name', (c) => (okConnect(c), c.command({ cmd: 'publish', transId: 3, cmdObj: null }, 1))],
  ['play before connect', (c) => c.play('cam-a')],
  ['set chunk size without its four bytes', (c) => (c.sendMessage(2, 1, Buffer.alloc(0)), c.write(Buffer.from([0x02])))],
  ['chunk size 0', (c) => (c.sendMessage(2, 1, Buffer.alloc(4)), okConnect(c))],
  ['an empty video message before publishing', (c) => (c.sendMessage(6, 9, Buffer.alloc(0), 1), c.write(Buffer.from([0x06])))],
  ['a new message header inside an unfinished message', (c) => {
    const head = Buffer.from([0x03, 0, 0, 0, 0, 0, 200, 20, 0, 0, 0, 0]); // cid 3, 200 bytes
    c.write(Buffer.concat([head, Buffer.alloc(128, 0x05), Buffer.from([0x43, 0, 0, 0, 0, 0, 10, 20]), Buffer.alloc(10, 0x05)]));
  }],
];

describe('hostile RTMP input', () => {
  it.each(attacks)('%s closes that connection only', async (_name, attack) => {
    const c = await RtmpClient.open(f.rtmpPort);
    attack(c);
    await waitFor(() => c.closed, 5000, 20);
    expect(c.closed).toBe(true);
    expect(f.streams.internals.nms!.isLive('/live/cam-a')).toBe(true);
  });

  it('keeps serving the live camera, and logs the attempts below error level', async () => {
    const r = await readFrames((await playUrls(f, 'cam-a')).flv, 5, 10_000);
    expect(r.frames).toBe(5);
    const levels = logs.entries().filter((e) => e.msg === 'rtmp connection closed').map((e) => e.level);
    expect(levels.length).toBeGreaterThanOrEqual(attacks.length);
    expect(levels.every((l) => l === 'debug')).toBe(true);
    expect(logs.entries().filter((e) => e.level === 'error' || e.level === 'fatal')).toEqual([]);
    expect(await f.streams.metrics.getSingleMetricAsString('tw_streams_rtmp_closed_total')).toMatch(/cause="protocol"[^}]*\} \d+/);
  });

  it('does not allocate what a connection declares: 30 connections announcing 16 MB messages on 4 chunk streams', async () => {
    const before = process.memoryUsage().rss;
    const clients = await Promise.all(Array.from({ length: 30 }, () => RtmpClient.open(f.rtmpPort)));
    const payload = Buffer.alloc(1 << 20, 0x17);
    await Promise.all(
      clients.map(async (c) => {
        c.setChunkSize(0xffffff);
        for (let cid = 4; cid < 8; cid++) {
          // a video message header declaring 0xffffff bytes, then 1 MB of it: NMS allocated all 16 MB up front
          c.write(Buffer.from([cid, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]));
          c.write(payload);
        }
        await waitFor(() => c.closed, 10_000, 20);
      }),
    );
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(clients.every((c) => c.closed)).toBe(true);
    // before the guard: ~4 MB written into 16 MB buffers per connection, all held (~120 MB and more)
    expect(grown).toBeLessThan(60);
  });

  it('closes connections that never publish or play, and refuses more than the per-address allowance of waiting ones', async () => {
    const open = (localAddress: string) =>
      Array.from({ length: 45 }, () => {
        const s = connect({ port: f.rtmpPort, host: '127.0.0.1', localAddress });
        s.on('error', () => {});
        s.on('close', () => closed.add(s));
        return s;
      });
    const closed = new Set<Socket>();
    // from another address: 40 may wait, the rest are closed at once
    const others = open('127.0.0.2');
    // from the relay's own address (where its ffmpeg children come from): no per-address cap
    const own = open('127.0.0.1');
    await waitFor(() => others.filter((s) => closed.has(s)).length >= 5, 5000, 20);
    expect(own.filter((s) => closed.has(s))).toEqual([]);
    // the rest: after decideWithinMs (2 s here)
    await waitFor(() => closed.size === others.length + own.length, 8000, 50);
    expect(f.streams.internals.nms!.guard.pendingCount()).toBe(0);
    const r = await readFrames((await playUrls(f, 'cam-a')).flv, 3, 10_000);
    expect(r.frames).toBe(3);
  });
});
