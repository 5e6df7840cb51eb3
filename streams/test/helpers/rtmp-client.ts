import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';

/**
 * A raw RTMP client for tests: it does what a real encoder does (handshake, connect, createStream,
 * publish/play, audio/video/data messages), and also what a hostile one does (malformed AMF, odd chunk
 * streams, bytes after a refusal, ignoring the server's FIN). Commands are encoded with node-media-server's
 * own AMF0 encoder; server messages are read back with a small chunk reader.
 */
const require = createRequire(import.meta.url);
const AMF = require('node-media-server/src/protocol/amf.js') as {
  encodeAmf0Cmd(opt: Record<string, unknown>): Buffer;
  decodeAmf0Cmd(buf: Buffer): Record<string, unknown> & { cmd?: string };
};

export interface RtmpMessage {
  type: number;
  streamId: number;
  payload: Buffer;
  /** decoded AMF0 command (types 20) */
  command?: Record<string, unknown> & { cmd?: string };
}

export class RtmpClient {
  readonly messages: RtmpMessage[] = [];
  private inChunkSize = 128;
  private outChunkSize = 128;
  private buf = Buffer.alloc(0);
  private readonly inPackets = new Map<number, { type: number; length: number; streamId: number; timestamp: number; body: Buffer[]; got: number }>();
  private waiters: (() => void)[] = [];
  closed = false;
  /** the server ended or closed its side */
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('end', () => ((this.ended = true), this.wake()));
    socket.on('close', () => ((this.closed = true), (this.ended = true), this.wake()));
    socket.on('error', () => {});
  }

  /** TCP connect plus the simple (version 3, random C1) handshake. allowHalfOpen: keep writing after the server's FIN. */
  static async open(port: number, opts: { host?: string; ignoreFin?: boolean } = {}): Promise<RtmpClient> {
    const socket = connect({ port, host: opts.host ?? '127.0.0.1', allowHalfOpen: opts.ignoreFin ?? false });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RtmpClient(socket);
    const c1 = Buffer.concat([Buffer.alloc(8), randomBytes(1528)]);
    socket.write(Buffer.concat([Buffer.from([3]), c1]));
    const s0s1s2 = await c.readExactly(1 + 1536 * 2, 5000);
    socket.write(s0s1s2.subarray(1, 1537)); // C2 echoes S1
    socket.on('data', (d: Buffer) => c.onData(d));
    if (c.buf.length) c.onData(Buffer.alloc(0));
    return c;
  }

  private async readExactly(n: number, timeoutMs: number): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    const onData = (d: Buffer) => ((this.buf = Buffer.concat([this.buf, d])), this.wake());
    this.socket.on('data', onData);
    try {
      while (this.buf.length < n) {
        if (this.ended || Date.now() > deadline) throw new Error(`handshake: got ${this.buf.length} of ${n} bytes`);
        await this.wait(deadline - Date.now());
      }
    } finally {
      this.socket.off('data', onData);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((fn) => fn());
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => (clearTimeout(t), resolve()));
    });
  }

  /** Waits for a server message matching `pred` (or the connection ending: then null). */
  async waitFor(pred: (m: RtmpMessage) => boolean, timeoutMs = 5000): Promise<RtmpMessage | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (this.ended || Date.now() > deadline) return null;
      await this.wait(deadline - Date.now());
    }
  }

  /** The first onStatus/_result/_error whose code or cmd matches. */
  status(code: RegExp, timeoutMs = 5000): Promise<RtmpMessage | null> {
    return this.waitFor((m) => {
      const info = m.command?.info as { code?: string } | undefined;
      return code.test(String(info?.code ?? m.command?.cmd ?? ''));
    }, timeoutMs);
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const used = this.readChunk();
      if (used === 0) break;
      this.buf = this.buf.subarray(used);
    }
    this.wake();
  }

  /** Parses one chunk from this.buf; returns the bytes used, 0 when incomplete. */
  private readChunk(): number {
    const b = this.buf;
    if (b.length < 1) return 0;
    const fmt = b[0]! >> 6;
    let cid = b[0]! & 0x3f;
    let p = 1;
    if (cid === 0) {
      if (b.length < 2) return 0;
      cid = 64 + b[1]!;
      p = 2;
    } else if (cid === 1) {
      if (b.length < 3) return 0;
      cid = 64 + b[1]! + b[2]! * 256;
      p = 3;
    }
    const hlen = [11, 7, 3, 0][fmt]!;
    if (b.length < p + hlen) return 0;
    let st = this.inPackets.get(cid);
    if (!st) {
      st = { type: 0, length: 0, streamId: 0, timestamp: 0, body: [], got: 0 };
      this.inPackets.set(cid, st);
    }
    const next = { ...st };
    if (fmt <= 2) next.timestamp = b.readUIntBE(p, 3);
    if (fmt <= 1) {
      next.length = b.readUIntBE(p + 3, 3);
      next.type = b[p + 6]!;
    }
    if (fmt === 0) next.streamId = b.readUInt32LE(p + 7);
    p += hlen;
    if (next.timestamp === 0xffffff) {
      if (b.length < p + 4) return 0;
      p += 4;
    }
    const want = Math.min(this.inChunkSize, next.length - next.got);
    if (b.length < p + want) return 0;
    next.body = [...next.body, b.subarray(p, p + want)];
    next.got += want;
    if (next.got >= next.length) {
      const payload = Buffer.concat(next.body);
      this.handle({ type: next.type, streamId: next.streamId, payload });
      next.body = [];
      next.got = 0;
    }
    this.inPackets.set(cid, next);
    return p + want;
  }

  private handle(m: RtmpMessage): void {
    if (m.type === 1 && m.payload.length >= 4) this.inChunkSize = m.payload.readUInt32BE(0) & 0x7fffffff;
    if (m.type === 20) {
      try {
        m.command = AMF.decodeAmf0Cmd(m.payload);
      } catch {
        /* the test looks at the raw payload */
      }
    }
    this.messages.push(m);
  }

  /** Writes one message as chunks (fmt 0, then fmt 3 continuations). */
  sendMessage(cid: number, type: number, payload: Buffer, streamId = 0, timestamp = 0): boolean {
    const parts: Buffer[] = [];
    const head = Buffer.alloc(12);
    head[0] = cid & 0x3f;
    head.writeUIntBE(Math.min(timestamp, 0xffffff), 1, 3);
    head.writeUIntBE(payload.length, 4, 3);
    head[7] = type;
    head.writeUInt32LE(streamId, 8);
    parts.push(head);
    for (let off = 0; off < payload.length || off === 0; off += this.outChunkSize) {
      if (off > 0) parts.push(Buffer.from([0xc0 | (cid & 0x3f)]));
      parts.push(payload.subarray(off, off + this.outChunkSize));
      if (payload.length === 0) break;
    }
    return this.write(Buffer.concat(parts));
  }

  write(bytes: Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    try {
      return this.socket.write(bytes);
    } catch {
      return false;
    }
  }

  command(opt: Record<string, unknown>, streamId = 0): boolean {
    return this.sendMessage(3, 20, AMF.encodeAmf0Cmd(opt), streamId);
  }

  setChunkSize(size: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(size);
    this.sendMessage(2, 1, b);
    this.outChunkSize = size;
  }

  /** connect + createStream; resolves with the server's answers (null when refused or silent). */
  async connectApp(app: string, tcUrl: unknown = `rtmp://127.0.0.1/${app}`): Promise<RtmpMessage | null> {
    this.command({ cmd: 'connect', transId: 1, cmdObj: { app, tcUrl, flashVer: 'FMLE/3.0', type: 'nonprivate' } });
    const res = await this.status(/NetConnection\.Connect|_result|_error/);
    this.command({ cmd: 'createStream', transId: 2, cmdObj: null });
    return res;
  }

  publish(streamName: string): void {
    this.command({ cmd: 'publish', transId: 3, cmdObj: null, streamName, type: 'live' }, 1);
  }

  play(streamName: string): void {
    this.command({ cmd: 'play', transId: 3, cmdObj: null, streamName, start: -2 }, 1);
  }

  /** An FLV tag body sent as an RTMP audio (8), video (9) or data (18) message on stream 1. */
  sendTag(type: number, data: Buffer, timestamp: number): boolean {
    return this.sendMessage(type === 9 ? 6 : type === 8 ? 4 : 5, type, data, 1, timestamp);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The tags of an FLV file (e.g. one ffmpeg wrote): type, timestamp, body. */
export function flvTags(flv: Buffer): { type: number; timestamp: number; data: Buffer }[] {
  const tags: { type: number; timestamp: number; data: Buffer }[] = [];
  let p = flv.readUInt32BE(5) + 4;
  while (p + 11 <= flv.length) {
    const type = flv[p]!;
    const size = flv.readUIntBE(p + 1, 3);
    const timestamp = flv.readUIntBE(p + 4, 3) | (flv[p + 7]! << 24);
    if (p + 11 + size > flv.length) break;
    tags.push({ type, timestamp, data: flv.subarray(p + 11, p + 11 + size) });
    p += 11 + size + 4;
  }
  return tags;
}
