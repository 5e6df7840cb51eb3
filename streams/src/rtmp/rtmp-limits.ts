import { loadConfig, type StreamsConfig } from '@tianwang/core/config';

/**
 * What one RTMP connection may make the relay hold, and for how long, before and after it is accepted
 * (rtmp-guard.ts). The budgets are for message buffers: node-media-server allocates what a message header
 * declares (up to 16 MB per chunk stream) as soon as the header arrives.
 */
export interface RtmpLimits {
  /** handshake + connect + publish/play must be done within this */
  decideWithinMs: number;
  /** connections not yet publishing or playing, whole relay / per client address */
  maxPending: number;
  maxPendingPerIp: number;
  /** message buffers a connection may hold: before it is accepted, as a player, as a publisher */
  pendingBufferBytes: number;
  playerBufferBytes: number;
  publisherBufferBytes: number;
  /** chunk streams per connection (encoders use 3 to 6) */
  maxChunkStreams: number;
  /** a refused connection gets this long to read our error before its socket is destroyed */
  refusedLingerMs: number;
}

/** The limits as configured (TW_RTMP_*, core/src/config/sections/streams.ts, where the defaults live). */
export function rtmpLimitsOf(sc: StreamsConfig): RtmpLimits {
  return {
    decideWithinMs: sc.rtmpDecideWithinMs,
    maxPending: sc.rtmpMaxPending,
    maxPendingPerIp: sc.rtmpMaxPendingPerIp,
    pendingBufferBytes: sc.rtmpPendingBufferBytes,
    playerBufferBytes: sc.rtmpPlayerBufferBytes,
    publisherBufferBytes: sc.rtmpPublisherBufferBytes,
    maxChunkStreams: sc.rtmpMaxChunkStreams,
    refusedLingerMs: sc.rtmpRefusedLingerMs,
  };
}

/** The default limits (an unset environment), for a guard built without a configuration (tests). */
export const RTMP_LIMITS: RtmpLimits = rtmpLimitsOf(loadConfig({}).streams);
