import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { captureLog, playUrls, publish, readFrames, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// Hostile HTTP and WebSocket clients against the front: bad request targets answer 400 (a `new URL` throw in
// the upgrade handler used to end the process; in a request, a 500 logged at error), and a player cannot
// turn itself into a publisher or make the relay buffer what it sends.
let f: Fixture;
let pub: ReturnType<typeof publish>;
const logs = captureLog('debug');

beforeAll(async () => {
  f = await startFixture({ log: logs.log });
  pub = publish(f.publishUrl('cam-a'));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a'), 15_000);
});

afterAll(async () => {
  pub?.kill('SIGKILL');
  await f?.stop();
});

/** Sends raw bytes, returns what came back until the server closed (or the deadline). */
function raw(request: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(f.httpPort, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => (clearTimeout(t), resolve(out)));
    const t = setTimeout(() => (s.destroy(), resolve(out)), timeoutMs);
    s.write(request);
  });
}

const upgrade = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('hostile HTTP and WebSocket input', () => {
  it('answers 400 to WebSocket upgrades whose target is not a path, and keeps running', async () => {
    for (const path of ['//[x/ws/cam-a.flv', '//[x', 'http://[x/ws/cam-a.flv', '*', '//a:b@[::1/ws/cam-a.flv']) {
      expect(await raw(upgrade(path))).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(await raw(upgrade('/ws/cam-a.flv'))).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('answers 400, not 500, to requests whose target has a bad host, without an error log', async () => {
    for (const path of ['//[x/play/cam-a.flv', '//[x/api/play-urls', 'http://[x/', '//%%%/', '/play/cam-a.flv?sig=%zz']) {
      expect(await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(logs.entries().filter((e) => e.level === 'error' || e.level === 'fatal')).toEqual([]);
  });

  it('never lets a WebSocket player publish, or buffer what it sends', async () => {
    const url = (await playUrls(f, 'cam-a')).wsFlv;
    // NMS takes the subprotocol "publisher" for a push: the front chooses none, and ws then refuses the connection
    const asPublisher = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url, ['publisher']);
      ws.on('open', () => resolve('open'));
      ws.on('error', (err) => resolve(String(err.message)));
    });
    expect(asPublisher).not.toBe('open');
    // a player that sends a message (here 64 KB) is cut off
    const closed = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('open', () => ws.send(Buffer.alloc(65_536, 0x09)));
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => {});
    });
    expect(closed).toBeGreaterThan(0);
    expect(f.streams.internals.nms!.isLive('/live/cam-a')).toBe(true);
  });

  it('refuses an HTTP-FLV play request that carries a body', async () => {
    const { flv } = await playUrls(f, 'cam-a');
    const path = new URL(flv).pathname + new URL(flv).search;
    const res = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 9\r\n\r\nFLV\x01\x05\x00\x00\x00\x09`);
    expect(res).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('closes a refused upgrade even when the client never closes its side', async () => {
    // the client keeps its side open and keeps writing: once the relay has let go of the socket, a write is reset
    const s = connect({ port: f.httpPort, host: '127.0.0.1', allowHalfOpen: true });
    let gone = false;
    s.on('error', () => (gone = true));
    s.on('close', () => (gone = true));
    s.write(upgrade('/ws/cam-a.flv'));
    const writer = setInterval(() => !s.destroyed && s.write('x'), 200);
    try {
      await waitFor(() => gone, 5000, 50);
    } finally {
      clearInterval(writer);
      s.destroy();
    }
  });

  it('still serves players', async () => {
    expect((await readFrames((await playUrls(f, 'cam-a')).flv, 5)).frames).toBe(5);
  });
});
