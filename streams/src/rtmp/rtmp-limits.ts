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

export const RTMP_LIMITS: RtmpLimits = {
  decideWithinMs: 10_000,
  maxPending: 256,
  maxPendingPerIp: 32,
  pendingBufferBytes: 64 * 1024,
  playerBufferBytes: 64 * 1024,
  publisherBufferBytes: 16 * 1024 * 1024,
  maxChunkStreams: 16,
  refusedLingerMs: 1000,
};
