import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { PlatformConfig } from '@tianwang/core/config';
import { deriveKey, resolveDevSecret } from '@tianwang/core/crypto';
import type { Logger } from '@tianwang/core/log';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { cameraMediaQueries, type Registry } from '@tianwang/core/registry';
import { Lifecycle, type Shutdown } from '@tianwang/core/service';
import { CameraCache } from './camera-cache.js';
import { HealthMonitor, type CameraHealth } from './health/health-monitor.js';
import { HlsPackagers } from './ffmpeg/hls-packager.js';
import { createHttpFront } from './http/http-front.js';
import { cameraKeyframes } from './health/keyframe-source.js';
import { internalToken } from './access/internal-token.js';
import { createStreamsMetrics, type StreamsMetrics } from './metrics.js';
import { listenHttp } from './http/listen-http.js';
import { NmsHost } from './rtmp/nms-host.js';
import { publicAlias } from './access/play-signing.js';
import { streamPathOf } from './access/publish-auth.js';
import { PullRelays } from './ffmpeg/pull-relay.js';
import { Recorders } from './recording/recorder.js';
import { RecorderReconciler } from './recording/recorder-reconciler.js';
import type { RelayContext } from './relay-context.js';
import { Retention } from './recording/retention.js';
import { rtmpAccess } from './rtmp/rtmp-access.js';
import { rtmpLimitsOf, type RtmpLimits } from './rtmp/rtmp-limits.js';
import { ViewerLimits } from './access/viewer-limits.js';
import { PublicSessions } from './access/public-sessions.js';
import { SharedSegmentTokens } from './access/shared-segments.js';

export { signPlay, verifyPlay } from './access/play-signing.js';
export { type CameraHealth, type HealthState } from './health/health-monitor.js';
export { judgePicture } from './health/frame-analysis.js';
export { liveChildren } from './ffmpeg/ffmpeg-supervisor.js';

export type StreamsServiceConfig = Pick<PlatformConfig, 'common' | 'streams'> & { alerts?: { timezone: string } };

export interface StreamsDeps {
  registry: Registry;
  log: Logger;
  /** camera health (latest hash, camera-events stream); without it health is kept in memory only */
  redis?: Redis;
}

/**
 * Overrides of configured values for tests and the benchmark; the defaults live in the config schema
 * (TW_STREAMS_RECONCILE_MS, TW_STREAMS_CAMERA_REFRESH_MS, TW_STREAMS_WRITE_BATCH_MS, TW_RTMP_*).
 */
export interface StreamsTuning {
  /** how often recorders are reconciled with cameras and recording hours */
  reconcileMs?: number;
  /** how often cameras are re-read from the registry */
  cacheRefreshMs?: number;
  /** players' packets are written together every this many ms (0: each packet at once; see write-batcher.ts) */
  writeBatchMs?: number;
  /** what an RTMP connection may hold and how long it may wait (rtmp-guard.ts) */
  rtmpLimits?: Partial<RtmpLimits>;
}

export interface Streams {
  start(): Promise<void>;
  stop(): Promise<void>;
  metrics: StreamsMetrics['registry'];
  /** ports actually bound (useful when configured as 0 in tests is not allowed: informational) */
  readonly httpPort: number;
  /** latest health of a camera (also in the Redis hash pipelineKeys(prefix).cameraHealth(id)) */
  health(cameraId: string): CameraHealth | undefined;
  /** internals for tests and the benchmark */
  readonly internals: { pulls?: PullRelays; recorders?: Recorders; hls?: HlsPackagers; healthMonitor?: HealthMonitor; nms?: NmsHost };
}

export function createStreams(config: StreamsServiceConfig, deps: StreamsDeps, tuning: StreamsTuning = {}): Streams {
  const sc = config.streams;
  const log = deps.log.child({ component: 'streams' });
  const dataDir = config.common.dataDir;
  const timeZone = config.alerts?.timezone ?? 'Asia/Shanghai';
  const loopHost = sc.streamsHost === '0.0.0.0' || sc.streamsHost === '::' ? '127.0.0.1' : sc.streamsHost;
  const internals: Streams['internals'] = {};
  let nms: NmsHost | undefined;
  const metrics = createStreamsMetrics(() => nms?.counts() ?? { publishers: 0, viewers: 0, inBytes: 0, outBytes: 0 });
  let healthMonitor: HealthMonitor | undefined;

  // one start at a time, a failed start undone, start after stop (core/src/service/lifecycle.ts)
  const lifecycle = new Lifecycle(startSteps, log);

  async function startSteps(shutdown: Shutdown): Promise<void> {
    const masterSecret = await resolveDevSecret(dataDir, 'secret.key', config.common.secretKey);
    const publishKey = deriveKey(masterSecret, 'publish');
    const playKey = deriveKey(masterSecret, 'play-url');
    const rtmpBase = `rtmp://${loopHost}:${sc.rtmpPort}`;
    const readUrl = (id: string) => `${rtmpBase}${streamPathOf(id)}?itoken=${internalToken(publishKey, streamPathOf(id))}`;
    const recordingsRoot = join(dataDir, 'recordings');

    const cache = new CameraCache(deps.registry, log, tuning.cacheRefreshMs ?? sc.streamsCameraRefreshMs, (id) => publicAlias(playKey, id));
    await cache.start();
    shutdown.add('camera cache', () => cache.stop());

    const limits = new ViewerLimits({ concurrentPerIp: sc.publicViewersPerIp });
    const publicSessions = new PublicSessions((id) => cache.isPublic(id), metrics.playEnded);
    cache.onRefresh(() => publicSessions.recheck());
    const pulls = new PullRelays({ masterSecret, idleMs: sc.pullIdleS * 1000, publishUrl: readUrl, onRestart: () => metrics.ffmpegRestarts.inc({ role: 'pull' }) }, log);
    internals.pulls = pulls;
    shutdown.add('rtsp pulls', () => pulls.stop());

    const recorders = new Recorders(
      {
        root: recordingsRoot,
        segmentS: sc.recordingSegmentS,
        timeZone,
        readUrl,
        onRestart: () => metrics.ffmpegRestarts.inc({ role: 'recorder' }),
        holdSource: (camera) => pulls.acquire(camera),
        releaseSource: (id) => pulls.release(id),
      },
      log,
    );
    const reconciler = new RecorderReconciler({ cache, recorders, host: () => nms, periodMs: tuning.reconcileMs ?? sc.streamsReconcileMs }, log);

    const host = new NmsHost(
      { host: sc.streamsHost, rtmpPort: sc.rtmpPort, storeDir: join(dataDir, 'nms'), writeBatchMs: tuning.writeBatchMs ?? sc.streamsWriteBatchMs, rtmpLimits: { ...rtmpLimitsOf(sc), ...tuning.rtmpLimits } },
      rtmpAccess({ cache, publishKey, playKey, limits, pulls, metrics, onPublishersChanged: () => reconciler.soon(), publicSessions, endPlayer: (s) => nms?.endPlayer(s) }),
      log,
    );
    nms = host;
    internals.nms = host;
    await host.start();
    shutdown.add('node-media-server', () => host.stop());

    const hls = new HlsPackagers({ rootDir: join(dataDir, 'hls'), idleMs: sc.hlsIdleS * 1000, readUrl, onRestart: () => metrics.ffmpegRestarts.inc({ role: 'hls' }) }, log);
    internals.hls = hls;
    shutdown.add('hls packagers', () => hls.stop());

    internals.recorders = recorders;
    reconciler.start();
    shutdown.add('recorders', () => reconciler.stop());

    const retention = new Retention({ root: recordingsRoot, keepMs: sc.recordingDays * 86_400_000 }, log);
    retention.start();
    shutdown.add('retention', () => retention.stop());

    healthMonitor = new HealthMonitor(
      {
        cameras: () => cache.allCameras(),
        businessHours: (k) => cache.kitchen(k)?.businessHours ?? null,
        isLive: (id) => host.isLive(streamPathOf(id)),
        stats: (id) => host.streamStats(streamPathOf(id)),
        keyframes: (camera, count, ms, signal) => cameraKeyframes(host, pulls, camera, count, ms, signal),
        redis: deps.redis,
        keys: pipelineKeys(config.common.keyPrefix),
        timeZone,
        intervalMs: sc.cameraHealthIntervalS * 1000,
        mode: sc.cameraHealthMode,
      },
      log,
    );
    internals.healthMonitor = healthMonitor;
    const hm = healthMonitor;
    hm.start();
    shutdown.add('health monitor', () => hm.stop());

    const segmentKey = deriveKey(masterSecret, 'hls-segment');
    const ctx: RelayContext = {
      config: sc,
      log,
      masterSecret,
      playKey,
      segmentKey,
      sharedSegments: new SharedSegmentTokens(segmentKey),
      dataDir,
      recordingsRoot,
      cache,
      nms: host,
      hls,
      limits,
      publicSessions,
      health: hm,
      media: cameraMediaQueries(deps.registry.db),
      metrics,
      readUrl,
      keyframes: (camera, count, ms) => cameraKeyframes(host, pulls, camera, count, ms),
    };
    shutdown.add('http front', await listenHttp(createHttpFront(ctx), sc.streamsHttpPort, sc.streamsHost, log));
    log.info({ rtmpPort: sc.rtmpPort, httpPort: sc.streamsHttpPort }, 'stream relay ready');
  }

  return {
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
    metrics: metrics.registry,
    get httpPort() {
      return sc.streamsHttpPort;
    },
    health: (id) => healthMonitor?.get(id),
    internals,
  };
}
