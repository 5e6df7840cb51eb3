import type { IncomingMessage } from 'node:http';
import type { StreamsConfig } from '@tianwang/core/config';
import type { Logger } from '@tianwang/core/log';
import type { Camera, cameraMediaQueries } from '@tianwang/core/registry';
import type { CameraCache } from './camera-cache.js';
import type { HealthMonitor } from './health/health-monitor.js';
import type { HlsPackagers } from './ffmpeg/hls-packager.js';
import type { Keyframes } from './health/keyframe-source.js';
import type { StreamsMetrics } from './metrics.js';
import type { NmsHost } from './rtmp/nms-host.js';
import type { ViewerLimits } from './access/viewer-limits.js';
import type { PublicSessions } from './access/public-sessions.js';
import type { SharedSegmentTokens } from './access/shared-segments.js';

/** What the HTTP front and the API handlers share: built once by createStreams() in start(). */
export interface RelayContext {
  config: StreamsConfig;
  log: Logger;
  masterSecret: string;
  playKey: Buffer;
  /** deriveKey(secret, 'hls-segment'): public cameras' shared segment tokens (shared-segments.ts) */
  segmentKey: Buffer;
  /** the shared segment token of each public camera's current window, signed once */
  sharedSegments: SharedSegmentTokens;
  dataDir: string;
  recordingsRoot: string;
  cache: CameraCache;
  nms: NmsHost;
  hls: HlsPackagers;
  limits: ViewerLimits;
  publicSessions: PublicSessions;
  health: HealthMonitor;
  media: ReturnType<typeof cameraMediaQueries>;
  metrics: StreamsMetrics;
  /** loopback RTMP URL the relay's own ffmpeg children read a camera from */
  readUrl(cameraId: string): string;
  /** latest keyframes of a camera as a small FLV, and when the latest arrived (pulls a pull camera for the occasion) */
  keyframes(camera: Camera, count: number, timeoutMs: number): Promise<Keyframes | null>;
}

/** Base URL for links handed to viewers: TW_STREAMS_PUBLIC_URL, else what the client used to reach us. */
export function baseUrl(ctx: RelayContext, req: IncomingMessage): string {
  if (ctx.config.streamsPublicUrl) return ctx.config.streamsPublicUrl.replace(/\/$/, '');
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${req.headers.host ?? `127.0.0.1:${ctx.config.streamsHttpPort}`}`;
}
