import { createServer, type Server } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocket } from 'ws';
import type { Logger } from '@tianwang/core/log';
import { BroadcastTaps, type StreamStats } from './broadcast-tap.js';
import { Context, FlvSession, NodeMediaServer, RtmpSession, nmsLogger, type NmsInstance, type NmsRtmpSession, type NmsSession } from './nms-internals.js';
import { redactSecrets } from '../redact.js';
import { RtmpGuard, type RtmpLimits, type StreamRequest, type ViolationCause } from './rtmp-guard.js';
import { WriteBatcher, type BatchedSession } from './write-batcher.js';

export type { NmsSession } from './nms-internals.js';
export type { StreamStats } from './broadcast-tap.js';
export type { StreamRequest } from './rtmp-guard.js';
/**
 * node-media-server 4 inside our process, changed from the outside only:
 * - we own the RTMP listener (its own calls process.exit on EADDRINUSE, and start() must resolve when
 *   listening), and every connection goes through rtmp-guard.ts first: parse errors close one socket, not
 *   the process; buffers and waiting connections are bounded; publish and play are decided before NMS
 *   registers anything, and only the accepted publisher's packets are parsed;
 * - its HTTP listener is never started: players reach FLV sessions only through our front, which checks the
 *   play signature first and then hands the request to an FlvSession in-process (no proxy hop, no empty 200);
 * - NMS still asks (prePublish/prePlay right before its verifyAuth): the listener answers with the decision
 *   already taken, so a session nobody decided on is refused;
 * - writes to players are batched (write-batcher.ts); broadcast-tap.ts counts frames, keeps keyframes and
 *   gives players `onMetaData` and an honest FLV header.
 * NMS keeps its state in a module-level Context: one relay per process (tests: one per test file).
 */
/** how long an ended player's connection may stay open for the client to read the end */
const END_LINGER_MS = 1000;

export interface Refusal {
  status: 401 | 403 | 404 | 409 | 429;
  reason: string;
}

export interface NmsHooks {
  /** synchronous: may this connection publish? A reason refuses it. */
  authorizePublish(req: StreamRequest): string | null;
  /** synchronous: may this connection play? Requests pre-authorised by the front never get here. */
  authorizePlay(req: StreamRequest): Refusal | null;
  /** every refusal and every connection cut for breaking the protocol, once (metrics) */
  onRefused?(kind: 'publish' | 'play' | 'connection', detail: string): void;
  onPublish?(session: NmsSession): void;
  onPublishDone?(session: NmsSession): void;
  onPlay?(session: NmsSession): void;
  onPlayDone?(session: NmsSession): void;
}

export class NmsHost {
  private nms: NmsInstance | undefined;
  private rtmp: Server | undefined;
  /** FLV requests our front already authorised, and RTMP sessions the guard accepted */
  private readonly accepted = new WeakSet<object>();
  /** sessions that reached postPublish/postPlay: only those get the done hooks */
  private readonly started = new WeakSet<object>();
  private readonly listeners: [string, (s: NmsSession) => void][] = [];
  private readonly batcher: WriteBatcher;
  private readonly taps = new BroadcastTaps();
  readonly guard: RtmpGuard;

  constructor(
    private readonly opts: { host: string; rtmpPort: number; storeDir: string; /** 0: write each packet at once */ writeBatchMs: number; rtmpLimits?: RtmpLimits },
    private readonly hooks: NmsHooks,
    private readonly log: Logger,
  ) {
    this.batcher = new WriteBatcher(opts.writeBatchMs, Context.networkStats);
    this.guard = new RtmpGuard(
      {
        decide: (kind, req, session) => this.decide(kind, req, session),
        onViolation: ({ ip, cause, reason, err }) => this.onViolation(ip, cause, reason, err),
      },
      opts.rtmpLimits,
    );
  }

  async start(): Promise<void> {
    const log = this.log;
    // NMS logs every session at info through console.log; route it to pino one level lower, and never a URL's secrets
    nmsLogger.log = (message: string, level = 'info') => {
      if (level === 'error' || level === 'warn') log.debug({ nms: level }, redactSecrets(String(message)));
      else log.trace(redactSecrets(String(message)));
    };
    this.nms = new NodeMediaServer({
      bind: this.opts.host,
      auth: { play: true, publish: true, secret: 'decided-by-tianwang' },
      store: { path: this.opts.storeDir },
      webadmin: { enable: false },
    });
    nmsLogger.level = 'trace';
    const decided = (s: NmsSession) => this.accepted.has(s) || (s.req !== undefined && this.accepted.has(s.req));
    this.on('prePublish', (s) => {
      const ok = decided(s);
      if (!ok) log.warn({ streamPath: s.streamPath, protocol: s.protocol }, 'publish reached node-media-server without a decision: refused');
      s.broadcast.verifyAuth = () => ok;
    });
    this.on('postPublish', (s) => {
      this.started.add(s);
      this.taps.begin(s.broadcast);
      this.hooks.onPublish?.(s);
    });
    this.on('donePublish', (s) => {
      if (!this.started.has(s)) return;
      this.taps.end(s.streamPath);
      this.hooks.onPublishDone?.(s);
    });
    this.on('prePlay', (s) => {
      const ok = decided(s);
      if (!ok) log.warn({ streamPath: s.streamPath, protocol: s.protocol }, 'play reached node-media-server without a decision: refused');
      s.broadcast.verifyAuth = () => ok;
      this.taps.beforePlay(s.broadcast);
    });
    // postPlay comes before NMS sends the new player its headers and GOP cache: those are batched too
    this.on('postPlay', (s) => {
      this.started.add(s);
      this.batcher.install(s as NmsSession & BatchedSession);
      this.hooks.onPlay?.(s);
    });
    this.on('donePlay', (s) => {
      this.batcher.forget(s as NmsSession & BatchedSession);
      if (this.started.has(s)) this.hooks.onPlayDone?.(s);
    });
    await this.nms.run();
    // NMS's store installs SIGINT/SIGTERM handlers that re-raise the signal at the process: the service that
    // embeds us owns signals and calls stop() (which flushes the store), so a Ctrl-C stays one clean stop.
    const onSignal = this.nms.store?._onSignal;
    if (onSignal) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    const rtmp = createServer((socket) => this.accept(socket));
    this.rtmp = rtmp;
    await new Promise<void>((resolve, reject) => {
      rtmp.once('error', reject);
      rtmp.listen(this.opts.rtmpPort, this.opts.host, () => {
        rtmp.off('error', reject);
        rtmp.on('error', (err) => log.error({ err }, 'rtmp listener error'));
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    for (const [event, fn] of this.listeners.splice(0)) Context.eventEmitter.off(event, fn);
    this.batcher.stop();
    // close() waits for open connections: destroy ours, then wait
    const closed = new Promise<void>((resolve) => (this.rtmp ? this.rtmp.close(() => resolve()) : resolve()));
    this.guard.destroyAll();
    await this.nms?.stop();
    await closed;
    this.nms = undefined;
    // NMS 4 never empties its module-level maps: a later relay in this process must start clean
    for (const s of Context.sessions.values()) s.close();
    Context.sessions.clear();
    Context.broadcasts.clear();
  }

  /** A new RTMP connection: NMS's session, guarded before it reads a byte. */
  private accept(socket: import('node:net').Socket): void {
    socket.on('error', () => socket.destroy());
    if (!this.guard.admit(socket)) return void socket.destroy();
    const session = new RtmpSession(socket);
    this.guard.protect(session);
    session.run();
    Context.sessions.set(session.id, session);
  }

  /** The publish/play decision for an RTMP connection, before node-media-server hears of it. */
  private decide(kind: 'publish' | 'play', req: StreamRequest, session: NmsRtmpSession): string | null {
    const fields = { streamPath: req.streamPath, ip: req.ip };
    if (kind === 'publish') {
      const reason = this.hooks.authorizePublish(req);
      if (reason) {
        this.log.info({ ...fields, reason }, 'publish refused');
        this.hooks.onRefused?.('publish', 'unauthorized');
        return reason;
      }
      // a camera whose old connection has not gone yet, or a second device with its secret: worth a warning
      if (Context.broadcasts.get(req.streamPath)?.getPublishStatus() === 'publishing') {
        this.log.warn(fields, 'publish refused: the stream already has a publisher');
        this.hooks.onRefused?.('publish', 'busy');
        return 'stream already has a publisher';
      }
    } else {
      const refusal = this.hooks.authorizePlay(req);
      if (refusal) {
        this.log.info({ ...fields, reason: refusal.reason, status: refusal.status }, 'play refused');
        this.hooks.onRefused?.('play', String(refusal.status));
        return refusal.reason;
      }
    }
    this.accepted.add(session);
    return null;
  }

  private onViolation(ip: string, cause: ViolationCause, reason: string, err: unknown): void {
    // anyone can send garbage: debug, never error (the count is in the metrics)
    this.log.debug({ ip, cause, reason, ...(err === undefined ? {} : { err }) }, 'rtmp connection closed');
    this.hooks.onRefused?.('connection', cause);
  }

  /** Hands an already authorised HTTP-FLV request to node-media-server (after our front answered the auth). */
  playHttpFlv(req: IncomingMessage, res: ServerResponse, streamPath: string): NmsSession {
    const [, app, name] = streamPath.split('/');
    Object.assign(req, { params: { app, name }, query: {}, hostname: '' });
    this.accepted.add(req);
    const session = new FlvSession(req, res);
    session.run();
    // a player has nothing to send: NMS would parse a request body as an FLV publish
    req.off('data', session.onData);
    Context.sessions.set(session.id, session);
    return session;
  }

  /** Same for WS-FLV, after the WebSocket upgrade (the front picked no subprotocol: NMS reads "publisher" as a push). */
  playWsFlv(req: IncomingMessage, ws: WebSocket, streamPath: string): NmsSession {
    req.url = `${streamPath}.flv`;
    this.accepted.add(req);
    const session = new FlvSession(req, ws);
    session.run();
    ws.off('message', session.onData);
    // players never send: anything that does is not one
    ws.on('message', () => ws.terminate());
    Context.sessions.set(session.id, session);
    return session;
  }

  isLive(streamPath: string): boolean {
    return Context.broadcasts.get(streamPath)?.getPublishStatus() === 'publishing';
  }

  streamStats(streamPath: string): StreamStats | undefined {
    return this.isLive(streamPath) ? this.taps.get(streamPath) : undefined;
  }

  /**
   * A small video-only FLV file of the stream's latest keyframes (sequence header + up to `count`
   * keyframes) and the time the latest of them arrived: decoding it gives a snapshot or health probe at
   * once, without joining the live stream.
   */
  keyframesFlv(streamPath: string, count: number): { flv: Buffer; at: number } | null {
    const st = this.streamStats(streamPath);
    const header = Context.broadcasts.get(streamPath)?.flvVideoHeader;
    const last = st?.keyframes.at(-1);
    if (!st || !header || !last) return null;
    const flvHeader = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00]);
    return { flv: Buffer.concat([flvHeader, header, ...st.keyframes.slice(-count).map((k) => k.tag)]), at: last.at };
  }

  /**
   * Ends a player's session now (public-sessions.ts: its grant expired, its camera is no longer public): nothing
   * queued or later is written to it, and its connection closes. HTTP-FLV ends its response (a player sees the end of
   * the stream), WS-FLV closes with 1008 and `why`, RTMP loses its socket; a client that does not close its side is
   * cut 1 s later.
   */
  endPlayer(session: NmsSession, why = 'play URL expired'): void {
    const s = session as NmsSession & Partial<NmsRtmpSession> & { res?: ServerResponse | WebSocket };
    this.batcher.forget(s as NmsSession & BatchedSession);
    const linger = (fn: () => void) => setTimeout(fn, END_LINGER_MS).unref();
    if (s.socket) s.socket.destroy();
    else if (s.res instanceof WebSocket) {
      const ws = s.res;
      ws.close(1008, why);
      linger(() => ws.terminate());
    } else if (s.res) {
      const res = s.res;
      res.end();
      linger(() => res.destroy());
    }
  }

  /** Cuts the publisher of a path (camera disabled or secret revoked while live): destroyed, not half-closed,
   *  so a camera that keeps sending cannot go on feeding viewers. */
  dropPublisher(streamPath: string): void {
    const p = Context.broadcasts.get(streamPath)?.publisher as (NmsSession & Partial<NmsRtmpSession>) | null | undefined;
    if (p?.socket) p.socket.destroy();
    else p?.close();
  }

  counts(): { publishers: number; viewers: number; inBytes: number; outBytes: number } {
    let publishers = 0;
    let viewers = 0;
    for (const b of Context.broadcasts.values()) {
      if (b.getPublishStatus() === 'publishing') publishers++;
      viewers += b.subscribers.size;
    }
    return { publishers, viewers, ...Context.networkStats };
  }

  private on(event: string, fn: (s: NmsSession) => void): void {
    const safe = (s: NmsSession) => {
      try {
        fn(s);
      } catch (err) {
        this.log.error({ err, event }, 'stream event handler failed');
      }
    };
    this.listeners.push([event, safe]);
    Context.eventEmitter.on(event, safe);
  }
}
