import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import type { Rng } from '@tianwang/core/testing';

/**
 * Hostile connections for the relay's fuzz test and `npm run fuzz:streams`: random and mutated RTMP
 * handshakes, chunk headers and AMF commands, and HTTP / WebSocket requests with odd targets, headers and
 * bodies. Seeded, so a failing run can be replayed (`--seed`). Each case is one TCP connection that writes
 * its bytes in random pieces and is dropped after a short while, whatever the relay answered.
 */
const require = createRequire(import.meta.url);
const AMF = require('node-media-server/src/protocol/amf.js') as { encodeAmf0Cmd(opt: Record<string, unknown>): Buffer };

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)] as T;
const bytes = (r: Rng, n: number) => Buffer.from(Array.from({ length: n }, () => int(r, 256)));

/** Flips bits, cuts, duplicates or splices random bytes into `b`. */
export function mutate(r: Rng, b: Buffer): Buffer {
  let out = Buffer.from(b);
  for (let i = 0, n = 1 + int(r, 4); i < n; i++) {
    const at = int(r, Math.max(1, out.length));
    switch (int(r, 5)) {
      case 0:
        if (out.length) out[at] = (out[at] as number) ^ (1 << int(r, 8));
        break;
      case 1:
        out = out.subarray(0, at);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), bytes(r, 1 + int(r, 16)), out.subarray(at)]);
        break;
      case 3:
        out = Buffer.concat([out, out.subarray(at)]);
        break;
      default:
        if (out.length) out[at] = pick(r, [0, 0xff, 0x7f, 0x80, 0x09, 0x02, 0x03, 0x05]);
    }
  }
  return out;
}

/** One RTMP message as chunks: fmt 0 header then fmt 3 continuations (chunk size 128 unless told). */
export function chunked(cid: number, type: number, payload: Buffer, streamId = 0, chunk = 128): Buffer {
  const head = Buffer.alloc(12);
  head[0] = cid & 0x3f;
  head.writeUIntBE(payload.length & 0xffffff, 4, 3);
  head[7] = type;
  head.writeUInt32LE(streamId, 8);
  const parts: Buffer[] = [head];
  for (let off = 0; off < payload.length; off += chunk) parts.push(...(off ? [Buffer.from([0xc0 | (cid & 0x3f)])] : []), payload.subarray(off, off + chunk));
  return Buffer.concat(parts);
}

const NAMES = ['cam-a', 'cam-b', 'x', '', '../etc', 'cam-a?token=wrong', 'cam-a?itoken=AAAA', 'a'.repeat(300), 'cam%00', 'ʕ•ᴥ•ʔ'];
const APPS = ['live', 'other', '', '..', 'live/x', 'a'.repeat(100)];
const URLS = ['rtmp://127.0.0.1/live', 'not a url', '', 'rtmp://[x/live', 'http://a:b@c/d', '//', 'rtmp://%zz'];

function command(r: Rng): Buffer {
  const streamName = pick(r, NAMES);
  const value = (): unknown => pick(r, [null, undefined, 0, -1, 1e308, NaN, true, '', 'x'.repeat(int(r, 2000)), { a: 1 }, [1, 2], { tcUrl: 5 }]);
  const cmds: Record<string, unknown>[] = [
    { cmd: 'connect', transId: 1, cmdObj: { app: pick(r, APPS), tcUrl: pick(r, URLS), objectEncoding: value() } },
    { cmd: 'connect', transId: 1, cmdObj: value() },
    { cmd: 'createStream', transId: 2, cmdObj: null },
    { cmd: 'publish', transId: 3, cmdObj: null, streamName, type: 'live' },
    { cmd: 'play', transId: 3, cmdObj: null, streamName, start: -2 },
    { cmd: pick(r, ['deleteStream', 'FCPublish', 'releaseStream', 'closeStream', 'pause', 'seek']), transId: 4, cmdObj: null, streamName },
  ];
  let payload: Buffer;
  try {
    payload = AMF.encodeAmf0Cmd(pick(r, cmds));
  } catch {
    payload = bytes(r, 16);
  }
  return r() < 0.5 ? mutate(r, payload) : payload;
}

/** The bytes of one hostile RTMP connection. */
export function rtmpCase(r: Rng): Buffer[] {
  const c1 = Buffer.concat([Buffer.alloc(8), bytes(r, 1528)]);
  const handshake = Buffer.concat([Buffer.from([3]), c1, c1]); // C0 C1 C2 at once (C2 need not echo S1 here)
  const out: Buffer[] = [];
  switch (int(r, 6)) {
    case 0:
      return [bytes(r, int(r, 8192))]; // no handshake at all
    case 1:
      return [mutate(r, handshake), bytes(r, int(r, 2048))]; // broken handshake
    default:
      out.push(handshake);
  }
  const valid = r() < 0.5;
  if (valid) out.push(chunked(3, 20, AMF.encodeAmf0Cmd({ cmd: 'connect', transId: 1, cmdObj: { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' } })));
  for (let i = 0, n = 1 + int(r, 6); i < n; i++) {
    switch (int(r, 6)) {
      case 0:
        out.push(chunked(int(r, 64), pick(r, [1, 2, 3, 4, 5, 6, 8, 9, 15, 17, 18, 20, 22, int(r, 256)]), bytes(r, int(r, 600)), int(r, 3)));
        break;
      case 1: // a header that declares a large message, then part of it
        out.push(Buffer.from([int(r, 64), 0, 0, 0, int(r, 256), int(r, 256), int(r, 256), pick(r, [8, 9, 18, 20]), 1, 0, 0, 0]), bytes(r, int(r, 4096)));
        break;
      case 2:
        out.push(chunked(2, 1, Buffer.from(pick(r, [[0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0, 0, 0, 1], [0, 0]]))));
        break;
      case 3:
        out.push(bytes(r, int(r, 1024)));
        break;
      default:
        out.push(chunked(3, pick(r, [20, 17, 20]), command(r), 1));
    }
  }
  return out;
}

const PATHS = ['/play/cam-a.flv', '/ws/cam-a.flv', '/hls/cam-a/index.m3u8', '/hls/cam-a/seg-1.ts', '/rec/cam-a/1700000000.ts', '/api/play-urls', '/play/pub/AAAAAAAAAAAAAAAAAAAAAA.flv', '/hls/pub/AAAAAAAAAAAAAAAAAAAAAA/seg-1.ts', '/api/cameras/cam-a/snapshots', '/api/snapshots/1', '/api/cameras/cam-a/health', '/healthz', '//[x/ws/cam-a.flv', '//[x', '/%zz', '/play/cam-a.flv?exp=1&aud=i&sig=x', '*', 'http://[x/', '/' + 'a'.repeat(5000)];

/** The bytes of one hostile HTTP or WebSocket request. */
export function httpCase(r: Rng): Buffer[] {
  let path = pick(r, PATHS);
  if (r() < 0.4) path = mutate(r, Buffer.from(path)).toString('latin1');
  const method = pick(r, ['GET', 'GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'X']);
  const headers = [`Host: ${pick(r, ['x', '', '[x', 'a'.repeat(300), '127.0.0.1:1'])}`];
  const ws = r() < 0.4;
  if (ws) headers.push('Connection: Upgrade', 'Upgrade: websocket', `Sec-WebSocket-Version: ${pick(r, ['13', '8', 'x'])}`, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  if (ws && r() < 0.5) headers.push(`Sec-WebSocket-Protocol: ${pick(r, ['publisher', 'post', 'a, b', ''])}`);
  if (r() < 0.3) headers.push(`Authorization: Bearer ${pick(r, ['x', 'a.b', '', 'e30.e30'])}`);
  let body = Buffer.alloc(0);
  if (r() < 0.3) {
    body = r() < 0.5 ? Buffer.from(pick(r, ['{"camera":"cam-a"}', '{', '[]', '{"camera":' + '['.repeat(2000)])) : bytes(r, int(r, 3000));
    headers.push(r() < 0.7 ? `Content-Length: ${r() < 0.8 ? body.length : int(r, 100_000)}` : 'Transfer-Encoding: chunked');
  }
  const head = Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  const parts = [r() < 0.15 ? mutate(r, head) : head, body];
  // after an upgrade: WebSocket frames (masked or not, any opcode and length)
  if (ws) for (let i = 0, n = int(r, 4); i < n; i++) parts.push(Buffer.from([0x80 | int(r, 16), int(r, 256)]), bytes(r, int(r, 200)));
  return parts;
}

/** Opens a connection, writes `parts` in random pieces, waits a little, and closes it. Never rejects. */
export function runCase(r: Rng, port: number, parts: Buffer[], lingerMs = 300): Promise<void> {
  return new Promise((resolve) => {
    let s: Socket;
    try {
      s = connect(port, '127.0.0.1');
    } catch {
      return resolve();
    }
    const done = () => (clearTimeout(t), s.destroy(), resolve());
    const t = setTimeout(done, lingerMs + int(r, lingerMs));
    s.on('error', done);
    s.on('close', done);
    s.on('data', () => {});
    s.once('connect', () => {
      for (const p of parts) {
        for (let off = 0; off < p.length; ) {
          const n = 1 + int(r, Math.max(1, p.length - off));
          if (!s.destroyed) s.write(p.subarray(off, off + n));
          off += n;
        }
      }
    });
  });
}
