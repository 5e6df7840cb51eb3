import type { CameraCache } from '../camera-cache.js';
import { verifyInternalToken } from '../access/internal-token.js';
import type { StreamsMetrics } from '../metrics.js';
import type { NmsHooks, NmsSession, StreamRequest } from './nms-host.js';
import type { PublicSessions } from '../access/public-sessions.js';
import { verifyPlay, type PlayGrant } from '../access/play-signing.js';
import { cameraIdOf, decidePublish } from '../access/publish-auth.js';
import type { PullRelays } from '../ffmpeg/pull-relay.js';
import type { ViewerLimits } from '../access/viewer-limits.js';

export interface RtmpAccessDeps {
  cache: CameraCache;
  /** key 'publish': the relay's own ffmpeg children carry internal tokens made with it */
  publishKey: Buffer;
  /** key 'play-url': viewers' play signatures */
  playKey: Buffer;
  limits: ViewerLimits;
  pulls: PullRelays;
  metrics: StreamsMetrics;
  /** a publisher came or went: recorders and disabled cameras are looked at again */
  onPublishersChanged(): void;
  /** public sessions, ended by the relay when the public rules say so (public-sessions.ts) */
  publicSessions: PublicSessions;
  /** ends a player's session now */
  endPlayer(session: NmsSession): void;
}

/**
 * Who may publish and play over RTMP, and what a session holds while it plays: a pull camera's RTSP pull (kept
 * while anyone watches), a public viewer's slot in the per-address limit and its hold in the public rules (ended at
 * its grant's expiry or when the camera stops being public). The same checks, statuses and reasons as the HTTP front's gate (http-front.ts).
 */
export function rtmpAccess(d: RtmpAccessDeps): NmsHooks {
  const { cache, metrics, pulls } = d;
  const pullViewers = new Map<string, string>(); // session id → pull camera id
  const publicViewers = new Map<string, { release: () => void; grant: PlayGrant; cancel?: () => void }>(); // session id → limit slot, grant
  return {
    authorizePublish(s: StreamRequest) {
      if (verifyInternalToken(d.publishKey, s.streamPath, s.streamQuery.itoken)) {
        const c = cache.camera(cameraIdOf(s.streamPath) ?? '');
        return c?.mode === 'pull' && c.enabled ? null : 'internal publish only for enabled pull cameras';
      }
      const decision = decidePublish(s.streamPath, s.streamQuery.token, (id) => cache.camera(id));
      return decision.ok ? null : decision.reason;
    },
    authorizePlay(s: StreamRequest) {
      if (verifyInternalToken(d.publishKey, s.streamPath, s.streamQuery.itoken)) return null;
      const id = cameraIdOf(s.streamPath);
      if (!id) return { status: 404, reason: 'not a camera stream path' };
      const params = new URLSearchParams(Object.entries(s.streamQuery).map(([k, v]): [string, string] => [k, String(v)]));
      const check = verifyPlay(d.playKey, id, params);
      if (!check.ok) return { status: check.status, reason: `play signature ${check.reason}` };
      const camera = cache.camera(id);
      if (!camera?.enabled) return { status: 404, reason: 'unknown camera' };
      if (check.grant.aud === 'p') {
        if (!cache.isPublic(id)) {
          cache.refreshSoon(); // a kitchen that has just opted in: the consumer's retry finds it public
          return { status: 404, reason: 'unknown camera' };
        }
        const release = d.limits.acquireSession(s.ip.replace(/:\d+$/, '').replace(/^::ffff:/, ''));
        if (!release) return { status: 429, reason: 'too many streams from this address' };
        publicViewers.set(s.id, { release, grant: check.grant });
      }
      return null;
    },
    onRefused(kind, detail) {
      if (kind === 'publish') metrics.publishRefused.inc({ reason: detail });
      else if (kind === 'play') metrics.playRefused.inc({ status: detail });
      else metrics.rtmpClosed.inc({ cause: detail });
    },
    onPlay(s) {
      const viewer = publicViewers.get(s.id);
      if (viewer) viewer.cancel = d.publicSessions.hold(viewer.grant, 'rtmp', () => d.endPlayer(s));
      const camera = cache.camera(cameraIdOf(s.streamPath) ?? '');
      if (camera?.mode === 'pull' && camera.enabled) {
        pullViewers.set(s.id, camera.id);
        pulls.acquire(camera);
      }
    },
    onPlayDone(s) {
      const cam = pullViewers.get(s.id);
      if (cam !== undefined) {
        pullViewers.delete(s.id);
        pulls.release(cam);
      }
      const viewer = publicViewers.get(s.id);
      viewer?.cancel?.();
      viewer?.release();
      publicViewers.delete(s.id);
    },
    onPublish: () => d.onPublishersChanged(),
    onPublishDone: () => d.onPublishersChanged(),
  };
}
