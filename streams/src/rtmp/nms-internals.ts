import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The parts of node-media-server 4.4.3 the relay reaches into, with the types we rely on. NMS is CommonJS
 * without types; everything we touch of it is declared here, so an upgrade has one file to check.
 */
const require = createRequire(import.meta.url);

export interface NmsPacket {
  codec_type: number;
  flags: number;
  size: number;
  dts: number;
  /** the parser's reusable payload buffer: only the first `size` bytes are this packet */
  data: Buffer;
}

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

export interface NmsBroadcast {
  streamPath: string;
  publisher: NmsSession | null;
  subscribers: Map<string, NmsSession>;
  verifyAuth: (key: string, session: NmsSession) => boolean;
  broadcastMessage: (packet: NmsPacket) => void;
  flvHeader: Buffer;
  flvMetaData: Buffer | null;
  flvAudioHeader: Buffer | null;
  flvVideoHeader: Buffer | null;
  flvGopCache: Set<Buffer> | null;
  getPublishStatus(): 'publishing' | 'reconnecting' | 'idle';
}

export interface NmsContext {
  sessions: Map<string, NmsSession>;
  broadcasts: Map<string, NmsBroadcast>;
  networkStats: { inBytes: number; outBytes: number };
  eventEmitter: EventEmitter;
}

export interface NmsInstance {
  store?: { _onSignal?: (signal: NodeJS.Signals) => void };
  run(): Promise<void>;
  stop(): Promise<void>;
}

/** One RTMP chunk stream's message being assembled (protocol/rtmp.js RtmpPacket). */
export interface RtmpChunkPacket {
  header: { fmt: number; cid: number; timestamp: number; length: number; type: number; stream_id: number };
  payload: Buffer;
  capacity: number;
  bytes: number;
}

export interface AmfCommand {
  cmd?: unknown;
  transId?: unknown;
  cmdObj?: unknown;
  streamName?: unknown;
  [key: string]: unknown;
}

/** protocol/rtmp.js: the per-connection chunk parser and command handler. */
export interface RtmpParser {
  parserBuffer: Buffer;
  parserBasicBytes: number;
  parserPacket: RtmpChunkPacket;
  inPackets: Map<number, RtmpChunkPacket>;
  inChunkSize: number;
  streamApp?: string;
  packetParse(): void;
  packetAlloc(): void;
  packetHandler(): void;
  invokeHandler(): void;
  onConnect(msg: AmfCommand): void;
  onCreateStream(msg: AmfCommand): void;
  onPublish(msg: AmfCommand): void;
  onPlay(msg: AmfCommand): void;
  sendStatusMessage(sid: number, level: string, code: string, description: string): void;
}

export interface NmsRtmpSession extends NmsSession {
  socket: Socket;
  rtmp: RtmpParser;
  onData: (data: Buffer) => void;
  run(): void;
}

export const NodeMediaServer = require('node-media-server') as new (config: object) => NmsInstance;
export const Context = require('node-media-server/src/core/context.js') as NmsContext;
export const RtmpSession = require('node-media-server/src/session/rtmp_session.js') as new (socket: Socket) => NmsRtmpSession;
export const FlvSession = require('node-media-server/src/session/flv_session.js') as new (req: unknown, res: unknown) => NmsSession & { run(): void; onData: (data: Buffer) => void };
export const nmsLogger = require('node-media-server/src/core/logger.js') as { log: (message: string, level?: string) => void; level: string };
export const AMF = require('node-media-server/src/protocol/amf.js') as {
  decodeAmf0Cmd(buf: Buffer): AmfCommand;
  decodeAmf0Data(buf: Buffer): { cmd?: unknown; dataObj?: unknown };
  encodeAmf0Data(opt: { cmd: string; dataObj: unknown }): Buffer;
};
export const Flv = require('node-media-server/src/protocol/flv.js') as {
  createHeader(hasAudio: boolean, hasVideo: boolean): Buffer;
  createMessage(packet: Pick<NmsPacket, 'codec_type' | 'size' | 'dts' | 'data'>): Buffer;
};
