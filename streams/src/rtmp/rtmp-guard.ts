import type { Socket } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { AMF, type NmsRtmpSession, type RtmpParser } from './nms-internals.js';
import { RTMP_LIMITS, type RtmpLimits } from './rtmp-limits.js';

export { RTMP_LIMITS, type RtmpLimits } from './rtmp-limits.js';

/**
 * Every RTMP connection passes through here before node-media-server's parser may act on it. NMS trusts
 * its input: a bad `tcUrl` or truncated AMF throws out of its socket handler and kills the process, a
 * declared message length is allocated as is (16 MB per chunk stream), and the publish and play answers
 * go out, and the stream is registered, before anyone has decided who may publish or play. So, per
 * connection and without touching NMS's files:
 * - parse errors close that one socket (the throw is caught at its data handler), never the process;
 * - commands are decoded and checked here first (connect needs an object with an app name and a URL
 *   tcUrl; publish/play need a stream name), then publish and play are **decided before NMS sees them**:
 *   a refused client gets an error status and a closed socket, and its stream path is never registered;
 * - audio, video and data messages are parsed only from the stream's accepted publisher: a refused
 *   publisher, a player, or a client that ignores our FIN cannot put one packet in front of a viewer, into
 *   the GOP cache, a recording or a snapshot;
 * - what a connection may make us hold is bounded: message buffers (a small budget until it is accepted),
 *   chunk streams, time to reach publish/play, connections not yet accepted (in total and per address).
 */
/** What a publish or play asks for, before node-media-server knows about it. */
export interface StreamRequest {
  id: string;
  ip: string;
  streamPath: string;
  streamQuery: Record<string, unknown>;
}

export interface RtmpGuardHooks {
  /** null: accepted (NMS then registers the publish or play); otherwise the reason it is refused */
  decide(kind: 'publish' | 'play', req: StreamRequest, session: NmsRtmpSession): string | null;
  /** a connection was closed for breaking the protocol or a limit (not an auth refusal) */
  onViolation(info: { ip: string; cause: ViolationCause; reason: string; err?: unknown }): void;
}

type Phase = 'handshake' | 'connected' | 'publishing' | 'playing' | 'closed';

/** Why a connection was cut: broke the protocol, hit a limit, too slow, or the relay had too many waiting. */
export type ViolationCause = 'protocol' | 'limit' | 'timeout' | 'overload';

class Violation extends Error {
  constructor(
    readonly kind: ViolationCause,
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MEDIA_TYPES = new Set([8, 9, 15, 18, 22]);
/** the shortest body each media type needs: NMS reads these bytes without checking (others are dropped) */
const MIN_BODY: Record<number, number> = { 8: 2, 9: 5, 18: 1 };
/** RTMP 5.4: protocol control messages carry 4 bytes (5 for Set Peer Bandwidth) */
const CONTROL_MIN: Record<number, number> = { 1: 4, 2: 4, 3: 4, 5: 4, 6: 5 };

export class RtmpGuard {
  private readonly pending = new Map<string, number>();
  private pendingTotal = 0;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly hooks: RtmpGuardHooks,
    readonly limits: RtmpLimits = RTMP_LIMITS,
  ) {}

  /**
   * Whether a new connection may start; false (too many not yet accepted) is reported as a violation. The
   * per-address cap does not apply to this host itself: the relay's own ffmpeg children (recorders, HLS,
   * pulls: dozens at once after a restart) all connect from it.
   */
  admit(socket: Socket): boolean {
    const ip = addressOf(socket);
    const self = socket.remoteAddress !== undefined && socket.remoteAddress === socket.localAddress;
    if (this.pendingTotal < this.limits.maxPending && (self || (this.pending.get(ip) ?? 0) < this.limits.maxPendingPerIp)) return true;
    this.hooks.onViolation({ ip, cause: 'overload', reason: 'too many connections waiting to publish or play' });
    return false;
  }

  /** Wraps a new NMS RTMP session; call before session.run(). */
  protect(session: NmsRtmpSession): void {
    const socket = session.socket;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    new GuardedConnection(session, addressOf(socket), this.hooks, this.limits, (ip, delta) => this.addPending(ip, delta));
  }

  /** Destroys every guarded socket (stop(): NMS's own RTMP server never saw ours). */
  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  pendingCount(): number {
    return this.pendingTotal;
  }

  private addPending(ip: string, delta: number): void {
    this.pendingTotal += delta;
    const n = (this.pending.get(ip) ?? 0) + delta;
    if (n > 0) this.pending.set(ip, n);
    else this.pending.delete(ip);
  }
}

/** One connection: its phase, its deadline, and the wrappers around NMS's parser methods. */
class GuardedConnection {
  private phase: Phase = 'handshake';
  private pending = true;
  private readonly deadline: NodeJS.Timeout;
  private readonly rtmp: RtmpParser;

  constructor(
    private readonly session: NmsRtmpSession,
    private readonly ip: string,
    private readonly hooks: RtmpGuardHooks,
    private readonly limits: RtmpLimits,
    private readonly countPending: (ip: string, delta: number) => void,
  ) {
    this.rtmp = session.rtmp;
    countPending(ip, 1);
    this.deadline = setTimeout(() => this.violation(new Violation('timeout', `no publish or play within ${limits.decideWithinMs} ms`)), limits.decideWithinMs);
    this.deadline.unref();
    session.socket.once('close', () => this.close(false));
    this.wrap();
  }

  private wrap(): void {
    const { session, rtmp, limits } = this;
    const onData = session.onData;
    session.onData = (data) => {
      // after a refusal or a violation nothing more is parsed, whatever the client keeps sending
      if (this.phase === 'closed') return;
      try {
        onData(data);
      } catch (err) {
        if (err instanceof Violation) this.violation(err);
        else this.violation(new Violation('protocol', 'malformed RTMP'), err);
      }
    };

    const packetParse = rtmp.packetParse.bind(rtmp);
    rtmp.packetParse = () => {
      const before = rtmp.inPackets.get(chunkStreamId(rtmp));
      const inProgress = before !== undefined && before.bytes > 0;
      packetParse();
      if (rtmp.inPackets.size > limits.maxChunkStreams) throw new Violation('limit', `more than ${limits.maxChunkStreams} chunk streams`);
      // a new message header on a chunk stream whose message is half read: NMS would go on with the new
      // length and can walk its read offset backwards (a loop); encoders never do this
      if (inProgress && rtmp.parserPacket.header.fmt <= 1) throw new Violation('protocol', 'message header inside an unfinished message');
    };

    const packetAlloc = rtmp.packetAlloc.bind(rtmp);
    rtmp.packetAlloc = () => {
      const pkt = rtmp.parserPacket;
      if (pkt.capacity < pkt.header.length) {
        let held = 0;
        for (const p of rtmp.inPackets.values()) if (p !== pkt) held += p.capacity;
        if (held + pkt.header.length + 1024 > this.budget()) throw new Violation('limit', `message of ${pkt.header.length} bytes over the connection's buffer budget`);
      }
      packetAlloc();
    };

    const packetHandler = rtmp.packetHandler.bind(rtmp);
    rtmp.packetHandler = () => {
      const pkt = rtmp.parserPacket;
      const { type, length } = pkt.header;
      if (length > pkt.capacity) throw new Violation('protocol', 'message longer than its buffer');
      const min = CONTROL_MIN[type];
      if (min !== undefined && length < min) throw new Violation('protocol', `control message ${type} too short`);
      if (type === 1) {
        const size = pkt.payload.readUInt32BE(0);
        // RTMP 5.4.1: 1 to 2147483647; 0 would make NMS's parser divide by zero
        if (size < 1 || size > 0x7fffffff) throw new Violation('protocol', `chunk size ${size}`);
      }
      if (type === 20 || type === 17) return this.command();
      if (MEDIA_TYPES.has(type)) {
        if (this.phase !== 'publishing' || session.broadcast.publisher !== session) throw new Violation('protocol', 'media from a connection that is not the accepted publisher');
        if (length < (MIN_BODY[type] ?? Infinity)) return; // empty or cut tag, AMF3 data, aggregate: dropped
        if (type === 18 && !isMetadata(pkt.payload.subarray(0, length))) return; // cue points would replace the stream's metadata
      }
      packetHandler();
    };
  }

  private budget(): number {
    const l = this.limits;
    return this.phase === 'publishing' ? l.publisherBufferBytes : this.phase === 'playing' ? l.playerBufferBytes : l.pendingBufferBytes;
  }

  /** AMF0 commands, checked and dispatched here instead of NMS's invokeHandler. */
  private command(): void {
    const { rtmp, session } = this;
    const { type, length, stream_id: streamId } = rtmp.parserPacket.header;
    const msg = AMF.decodeAmf0Cmd(rtmp.parserPacket.payload.subarray(type === 17 ? 1 : 0, length));
    switch (msg.cmd) {
      case 'connect': {
        if (this.phase !== 'handshake') throw new Violation('protocol', 'second connect');
        const obj = msg.cmdObj;
        if (!isObject(obj) || typeof obj.app !== 'string' || typeof obj.tcUrl !== 'string') throw new Violation('protocol', 'connect without app and tcUrl');
        if (!NAME.test(obj.app)) throw new Violation('protocol', 'connect: app is not a plain name');
        if (!URL.canParse(obj.tcUrl)) throw new Violation('protocol', 'connect: tcUrl is not a URL');
        // NMS echoes it in its answer; only 0 (AMF0) and 3 (AMF3) mean anything
        obj.objectEncoding = obj.objectEncoding === 3 ? 3 : 0;
        rtmp.onConnect(msg);
        this.phase = 'connected';
        return;
      }
      case 'createStream':
        if (this.phase !== 'connected') throw new Violation('protocol', 'createStream outside a connection');
        return rtmp.onCreateStream(msg);
      case 'publish':
      case 'play': {
        const kind = msg.cmd;
        if (this.phase !== 'connected') throw new Violation('protocol', `${kind} ${this.phase === 'handshake' ? 'before connect' : 'on a connection that already publishes or plays'}`);
        if (typeof msg.streamName !== 'string') throw new Violation('protocol', `${kind} without a stream name`);
        const [name = '', query = ''] = msg.streamName.split('?', 2);
        const streamPath = `/${rtmp.streamApp}/${name}`;
        const reason = NAME.test(name) ? this.hooks.decide(kind, { id: session.id, ip: session.ip, streamPath, streamQuery: parseQuery(query) }, session) : 'stream name is not a plain name';
        if (reason !== null) {
          rtmp.sendStatusMessage(streamId, 'error', kind === 'publish' ? 'NetStream.Publish.BadName' : 'NetStream.Play.Failed', reason);
          return this.close(true);
        }
        if (kind === 'publish') rtmp.onPublish(msg);
        else rtmp.onPlay(msg);
        // NMS registers the session synchronously; a publish it did not take sends nothing more we parse
        if (kind === 'publish' && session.broadcast.publisher !== session) return this.close(true);
        this.phase = kind === 'publish' ? 'publishing' : 'playing';
        this.settle();
        return;
      }
      default:
        // releaseStream, FCPublish, deleteStream, …: NMS ignores them too
        return;
    }
  }

  private settle(): void {
    clearTimeout(this.deadline);
    if (this.pending) this.countPending(this.ip, -1);
    this.pending = false;
  }

  private violation(v: Violation, err?: unknown): void {
    if (this.phase === 'closed') return;
    this.close(false);
    this.hooks.onViolation({ ip: this.ip, cause: v.kind, reason: v.message, ...(err === undefined ? {} : { err }) });
  }

  /** linger: end() so the client can read our error status, destroy after refusedLingerMs whatever it does. */
  private close(linger: boolean): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.settle();
    const socket = this.session.socket;
    if (!linger) return void socket.destroy();
    socket.end();
    setTimeout(() => socket.destroy(), this.limits.refusedLingerMs).unref();
  }
}

function addressOf(socket: Socket): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function chunkStreamId(rtmp: RtmpParser): number {
  // the same arithmetic as NMS's packetParse (including its odd 3-byte form): the stream it is about to use
  const b = rtmp.parserBuffer;
  if (rtmp.parserBasicBytes === 2) return 64 + (b[1] as number);
  if (rtmp.parserBasicBytes === 3) return (64 + (b[1] as number) + (b[2] as number)) << 8;
  return (b[0] as number) & 0x3f;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "@setDataFrame" or "onMetaData" as the first AMF0 string of a data message. */
function isMetadata(body: Buffer): boolean {
  if (body[0] !== 0x02 || body.length < 3) return false;
  const name = body.toString('latin1', 3, 3 + body.readUInt16BE(1));
  return name === '@setDataFrame' || name === 'onMetaData';
}
