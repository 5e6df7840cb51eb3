import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { Logger } from '@tianwang/core/log';
import { WriteBatcher, type BatchedSession } from './write-batcher.js';

/**
 * node-media-server 4 inside our process, with three changes made from the outside:
 * - we own the RTMP listener (its own calls process.exit on EADDRINUSE, and start() must resolve when listening);
 * - its HTTP listener is never started: players reach FLV sessions only through our front, which checks the
 *   play signature first and then hands the request to an FlvSession in-process (no proxy hop, no empty 200);
 * - publish and play decisions are ours: NMS emits prePublish/prePlay right before it calls the
 *   broadcast's verifyAuth, so the listener installs a verifyAuth that returns our (synchronous) decision.
 * - writes to players are batched (write-batcher.ts): one writev per player per `writeBatchMs`, not one per packet.
 * NMS keeps its state in a module-level Context: one relay per process (tests: one per test file).
 */
const require = createRequire(import.meta.url);
const NodeMediaServer = require('node-media-server') as new (config: object) => NmsInstance;
const Context = require('node-media-server/src/core/context.js') as NmsContext;
const FlvSession = require('node-media-server/src/session/flv_session.js') as new (req: unknown, res: unknown) => NmsSession & { run(): void };
const nmsLogger = require('node-media-server/src/core/logger.js') as { log: (message: string, level?: string) => void; level: string };

export interface NmsSession {
  id: string;
  ip: string;
  protocol: string;
  isPublisher: boolean;
  streamPath: string;
  streamQuery: Record<string, unknown>;
  inBytes: number;
  outBytes: number;
  createTime: number;
  req?: IncomingMessage;
  broadcast: NmsBroadcast;
  close(): void;
}

interface NmsPacket {
  codec_type: number;
  flags: number;
  size: number;
}

export interface NmsBroadcast {
  streamPath: string;
  publisher: NmsSession | null;
  subscribers: Map<string, NmsSession>;
  verifyAuth: (key: string, session: NmsSession) => boolean;
  broadcastMessage: (packet: NmsPacket) => void;
  flvVideoHeader: Buffer | null;
  flvGopCache: Set<Buffer> | null;
  getPublishStatus(): 'publishing' | 'reconnecting' | 'idle';
}

interface NmsContext {
  sessions: Map<string, NmsSession>;
  broadcasts: Map<string, NmsBroadcast>;
  networkStats: { inBytes: number; outBytes: number };
  eventEmitter: import('node:events').EventEmitter;
}

interface NmsInstance {
  rtmpServer: { handleRequest(socket: Socket): void };
  store?: { _onSignal?: (signal: NodeJS.Signals) => void };
  run(): Promise<void>;
  stop(): Promise<void>;
}

export interface StreamStats {
  /** the last few keyframes (FLV tags), at least a second apart: snapshots and health probes decode these */
  keyframes: { at: number; tag: Buffer }[];
  frames: number;
  lastFrameAt: number;
  bytes: number;
  since: number;
}

export interface NmsHooks {
  /** synchronous: may this session publish? Returning a reason refuses it. */
  authorizePublish(session: NmsSession): string | null;
  /** synchronous: may this session play? Requests pre-authorised by the front bypass this. */
  authorizePlay(session: NmsSession): string | null;
  onPublish?(session: NmsSession): void;
  onPublishDone?(session: NmsSession): void;
  onPlay?(session: NmsSession): void;
  onPlayDone?(session: NmsSession): void;
}

export class NmsHost {
  private nms: NmsInstance | undefined;
  private rtmp: Server | undefined;
  private readonly preAuthorized = new WeakSet<object>();
  private readonly refused = new Set<string>();
  private readonly stats = new Map<string, StreamStats>();
  private readonly listeners: [string, (s: NmsSession) => void][] = [];
  private readonly batcher: WriteBatcher;

  constructor(
    private readonly opts: { host: string; rtmpPort: number; storeDir: string; /** 0: write each packet at once */ writeBatchMs: number },
    private readonly hooks: NmsHooks,
    private readonly log: Logger,
  ) {
    this.batcher = new WriteBatcher(opts.writeBatchMs, Context.networkStats);
  }

  async start(): Promise<void> {
    const log = this.log;
    // NMS logs every session at info through console.log; route it to pino one level lower
    nmsLogger.log = (message: string, level = 'info') => {
      if (level === 'error' || level === 'warn') log.debug({ nms: level }, message);
      else log.trace(message);
    };
    this.nms = new NodeMediaServer({
      bind: this.opts.host,
      auth: { play: true, publish: true, secret: 'decided-by-tianwang' },
      store: { path: this.opts.storeDir },
      webadmin: { enable: false },
    });
    nmsLogger.level = 'trace';
    this.on('prePublish', (s) => {
      const reason = this.hooks.authorizePublish(s);
      if (reason) {
        this.refused.add(s.id);
        log.info({ streamPath: s.streamPath, ip: s.ip, reason }, 'publish refused');
      }
      s.broadcast.verifyAuth = () => !reason;
    });
    this.on('postPublish', (s) => {
      const st: StreamStats = { keyframes: [], frames: 0, lastFrameAt: 0, bytes: 0, since: Date.now() };
      this.stats.set(s.streamPath, st);
      const b = s.broadcast;
      const forward = b.broadcastMessage;
      // count frames as they pass (health: frames, last frame time); one closure per publish
      b.broadcastMessage = (p) => {
        const now = Date.now();
        if (p.codec_type === 9 && (p.flags === 3 || p.flags === 4)) {
          st.frames++;
          st.lastFrameAt = now;
        }
        st.bytes += p.size;
        forward(p);
        // the broadcast just started a new GOP cache with this keyframe's FLV tag: keep a reference, no copy
        if (p.codec_type === 9 && p.flags === 3 && now - (st.keyframes.at(-1)?.at ?? 0) >= 900) {
          const tag = b.flvGopCache?.values().next().value;
          if (tag) {
            st.keyframes.push({ at: now, tag });
            if (st.keyframes.length > 3) st.keyframes.shift();
          }
        }
      };
      this.hooks.onPublish?.(s);
    });
    this.on('donePublish', (s) => {
      if (this.refused.delete(s.id)) return;
      this.hooks.onPublishDone?.(s);
    });
    this.on('prePlay', (s) => {
      const pre = s.req !== undefined && this.preAuthorized.has(s.req);
      const reason = pre ? null : this.hooks.authorizePlay(s);
      if (reason) {
        this.refused.add(s.id);
        log.info({ streamPath: s.streamPath, ip: s.ip, reason }, 'play refused');
      }
      s.broadcast.verifyAuth = () => !reason;
    });
    // postPlay comes before NMS sends the new player its headers and GOP cache: those are batched too
    this.on('postPlay', (s) => {
      this.batcher.install(s as NmsSession & BatchedSession);
      this.hooks.onPlay?.(s);
    });
    this.on('donePlay', (s) => {
      this.batcher.forget(s as NmsSession & BatchedSession);
      if (this.refused.delete(s.id)) return;
      this.hooks.onPlayDone?.(s);
    });
    await this.nms.run();
    // NMS's store installs SIGINT/SIGTERM handlers that re-raise the signal at the process: the service that
    // embeds us owns signals and calls stop() (which flushes the store), so a Ctrl-C stays one clean stop.
    const onSignal = this.nms.store?._onSignal;
    if (onSignal) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    const rtmp = createServer((socket) => this.nms?.rtmpServer.handleRequest(socket));
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
    // close() waits for open connections, which only nms.stop() destroys: start both, then wait
    const closed = new Promise<void>((resolve) => (this.rtmp ? this.rtmp.close(() => resolve()) : resolve()));
    await this.nms?.stop();
    await closed;
    this.nms = undefined;
    // NMS 4 never empties its module-level maps: a later relay in this process must start clean
    for (const s of Context.sessions.values()) s.close();
    Context.sessions.clear();
    Context.broadcasts.clear();
  }

  /** Hands an already authorised HTTP-FLV request to node-media-server (after our front answered the auth). */
  playHttpFlv(req: IncomingMessage, res: ServerResponse, streamPath: string): NmsSession {
    const [, app, name] = streamPath.split('/');
    Object.assign(req, { params: { app, name }, query: {}, hostname: req.headers.host?.split(':')[0] ?? '' });
    this.preAuthorized.add(req);
    const session = new FlvSession(req, res);
    session.run();
    Context.sessions.set(session.id, session);
    return session;
  }

  /** Same for WS-FLV, after the WebSocket upgrade. */
  playWsFlv(req: IncomingMessage, ws: WebSocket, streamPath: string): NmsSession {
    req.url = `${streamPath}.flv`;
    this.preAuthorized.add(req);
    const session = new FlvSession(req, ws);
    session.run();
    Context.sessions.set(session.id, session);
    return session;
  }

  isLive(streamPath: string): boolean {
    return Context.broadcasts.get(streamPath)?.getPublishStatus() === 'publishing';
  }

  streamStats(streamPath: string): StreamStats | undefined {
    return this.isLive(streamPath) ? this.stats.get(streamPath) : undefined;
  }

  /**
   * A small video-only FLV file of the stream's latest keyframes (sequence header + up to `count`
   * keyframes): decoding it gives a snapshot or health probe at once, without joining the live stream.
   */
  keyframesFlv(streamPath: string, count: number): Buffer | null {
    const st = this.streamStats(streamPath);
    const header = Context.broadcasts.get(streamPath)?.flvVideoHeader;
    if (!st || !header || st.keyframes.length === 0) return null;
    const flvHeader = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00]);
    return Buffer.concat([flvHeader, header, ...st.keyframes.slice(-count).map((k) => k.tag)]);
  }

  /** Closes the publisher of a path (camera disabled or secret revoked while live). */
  dropPublisher(streamPath: string): void {
    Context.broadcasts.get(streamPath)?.publisher?.close();
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
