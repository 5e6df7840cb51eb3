import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A small RTSP server for pull-mode cameras. ffmpeg cannot serve RTSP (its `-rtsp_flags listen` works only
 * on the input side), so each camera's ffmpeg sends RTP over UDP to a local port, and this server answers
 * OPTIONS / DESCRIBE / SETUP / PLAY / TEARDOWN and relays the packets to every player over the RTSP TCP
 * connection (interleaved, RFC 2326 §10.12). UDP transport is refused with 461; ffmpeg then retries
 * over TCP. Basic authentication: username = camera id, password = its secret.
 */
export interface RtspSource {
  id: string;
  secret: string;
  /** SDP as ffmpeg wrote it */
  sdp: string;
}

interface Player {
  socket: Socket;
  cameraId: string;
  playing: boolean;
}

const MAX_QUEUED_BYTES = 2 * 1024 * 1024;

export class RtspServer {
  private server: Server | undefined;
  private readonly sources = new Map<string, RtspSource>();
  private readonly players = new Set<Player>();
  private readonly udp = new Map<string, UdpSocket[]>();
  port = 0;

  constructor(private readonly host = '127.0.0.1') {}

  async start(port: number): Promise<void> {
    this.server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.host, resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(cameraId: string, secret?: string): string {
    const auth = secret ? `${encodeURIComponent(cameraId)}:${encodeURIComponent(secret)}@` : '';
    return `rtsp://${auth}${this.host}:${this.port}/${encodeURIComponent(cameraId)}`;
  }

  /** Binds the RTP (and RTCP, port + 1) UDP ports a camera's ffmpeg sends to; returns the RTP port. */
  async openInput(cameraId: string): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const rtp = createSocket('udp4');
      const rtcp = createSocket('udp4');
      try {
        await bind(rtp, 0, this.host);
        const port = (rtp.address() as AddressInfo).port;
        await bind(rtcp, port + 1, this.host); // RTCP sender reports land here and are ignored
        rtp.on('message', (pkt) => this.relay(cameraId, pkt));
        rtcp.on('message', () => {});
        this.udp.set(cameraId, [rtp, rtcp]);
        return port;
      } catch {
        rtp.close();
        rtcp.close();
      }
    }
    throw new Error('no free UDP port pair for RTP');
  }

  setSource(source: RtspSource): void {
    this.sources.set(source.id, source);
  }

  async stop(): Promise<void> {
    for (const p of this.players) p.socket.destroy();
    for (const sockets of this.udp.values()) for (const s of sockets) s.close();
    this.udp.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(cameraId: string, pkt: Buffer): void {
    const header = Buffer.from([0x24, 0, pkt.length >> 8, pkt.length & 0xff]);
    for (const p of this.players) {
      if (!p.playing || p.cameraId !== cameraId) continue;
      if (p.socket.writableLength > MAX_QUEUED_BYTES) continue; // a stalled player loses packets, not our memory
      p.socket.write(header);
      p.socket.write(pkt);
    }
  }

  private onConnection(socket: Socket): void {
    let buf = Buffer.alloc(0);
    const session = randomBytes(8).toString('hex');
    let player: Player | undefined;
    socket.on('error', () => {});
    socket.on('close', () => player && this.players.delete(player));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf[0] === 0x24) {
          // interleaved RTCP receiver reports from the player: skip
          if (buf.length < 4) return;
          const len = buf.readUInt16BE(2);
          if (buf.length < 4 + len) return;
          buf = buf.subarray(4 + len);
          continue;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > 8192) socket.destroy();
          return;
        }
        const head = buf.subarray(0, end).toString('latin1');
        const headers = new Map<string, string>();
        const [requestLine = '', ...lines] = head.split('\r\n');
        for (const l of lines) {
          const i = l.indexOf(':');
          if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
        }
        const bodyLen = Number(headers.get('content-length') ?? 0);
        if (buf.length < end + 4 + bodyLen) return;
        buf = buf.subarray(end + 4 + bodyLen);
        const [method = '', url = ''] = requestLine.split(' ');
        player = this.answer(socket, method, url, headers, session, player);
      }
    });
  }

  private answer(socket: Socket, method: string, url: string, headers: Map<string, string>, session: string, player: Player | undefined): Player | undefined {
    const cseq = headers.get('cseq') ?? '0';
    const reply = (status: string, extra: Record<string, string> = {}, body = '') => {
      const h = { CSeq: cseq, Server: 'tianwang-sim', ...extra, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) };
      socket.write(`RTSP/1.0 ${status}\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
    };
    if (method === 'OPTIONS') return reply('200 OK', { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER' }), player;
    const cameraId = decodeURIComponent(new URL(url.replace(/^rtsp:/, 'http:')).pathname.split('/')[1] ?? '');
    const source = this.sources.get(cameraId);
    if (!source) return reply('404 Not Found'), player;
    if (!basicAuthOk(headers.get('authorization'), source)) return reply('401 Unauthorized', { 'WWW-Authenticate': 'Basic realm="tianwang-sim"' }), player;
    switch (method) {
      case 'DESCRIBE': {
        const base = `rtsp://${this.host}:${this.port}/${encodeURIComponent(cameraId)}/`;
        return reply('200 OK', { 'Content-Type': 'application/sdp', 'Content-Base': base }, rewriteSdp(source.sdp, cameraId)), player;
      }
      case 'SETUP':
        if (!/RTP\/AVP\/TCP/i.test(headers.get('transport') ?? '')) return reply('461 Unsupported Transport'), player;
        player ??= { socket, cameraId, playing: false };
        this.players.add(player);
        return reply('200 OK', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', Session: `${session};timeout=60` }), player;
      case 'PLAY':
        if (!player) return reply('455 Method Not Valid in This State'), player;
        player.playing = true;
        return reply('200 OK', { Session: session, Range: 'npt=0.000-' }), player;
      case 'TEARDOWN':
        if (player) this.players.delete(player);
        reply('200 OK', { Session: session });
        socket.end();
        return undefined;
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return reply('200 OK', { Session: session }), player;
      default:
        return reply('501 Not Implemented'), player;
    }
  }
}

function basicAuthOk(header: string | undefined, source: RtspSource): boolean {
  const m = /^Basic (.+)$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(Buffer.from(m[1]!, 'base64').toString('utf8'));
  const want = Buffer.from(`${source.id}:${source.secret}`);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** ffmpeg's SDP describes its UDP destination; a player over RTSP needs port 0, any address and a control URL. */
export function rewriteSdp(sdp: string, name: string): string {
  const lines = sdp.split(/\r?\n/).filter(Boolean);
  const out: string[] = [];
  for (const l of lines) {
    if (l.startsWith('s=')) out.push(`s=${name}`);
    else if (l.startsWith('c=')) out.push('c=IN IP4 0.0.0.0');
    else if (l.startsWith('m=')) {
      out.push(l.replace(/^m=(\w+) \d+/, 'm=$1 0'), 'a=control:streamid=0');
    } else out.push(l);
  }
  return `${out.join('\r\n')}\r\n`;
}

function bind(s: UdpSocket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, host, () => {
      s.off('error', reject);
      resolve();
    });
  });
}
