import { issueSessionToken } from '@tianwang/core/crypto';
import { NotFoundError, OperationalError, UserError } from '@tianwang/core/errors';
import type { SessionUser } from '../auth/sessions.js';

export interface PlayUrls {
  flv: string;
  wsFlv: string;
  hls: string;
  expiresAt: string | number;
}

/** A camera's latest health as the relay's monitor saw it (docs/streams.md "Health and alarms"). */
export interface CameraHealth {
  state: 'ok' | 'offline' | 'blank' | 'frozen' | 'unknown';
  reason: string;
  checkedAt: string | null;
}

/**
 * The stream relay's API as the dashboard uses it (docs/streams.md "Issuing"): each call carries a bearer
 * session token of the signed-in user (core's issueSessionToken, one minute), so the relay applies its own
 * scope check on top of the dashboard's.
 */
export class RelayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly masterSecret: string,
    private readonly timeoutMs = 5000,
  ) {}

  private token(user: SessionUser): string {
    return issueSessionToken(this.masterSecret, { sub: user.id, role: user.role, district: user.districtId, unit: user.unitId }, 60);
  }

  /** One call to the relay as `user`: unreachable → 503 TW_DEPENDENCY_UNAVAILABLE, 404 → not found (`what`), other errors → 503. */
  private async call(user: SessionUser, method: string, path: string, what: string, init: { body?: unknown; timeoutMs?: number; passBadRequest?: boolean } = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { authorization: `Bearer ${this.token(user)}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(init.timeoutMs ?? this.timeoutMs),
      });
    } catch (err) {
      throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', 'the stream relay is unreachable', { cause: err });
    }
    if (res.ok) return res;
    if (res.status === 400 && init.passBadRequest) {
      const b = (await res.json().catch(() => ({}))) as { message?: string };
      throw new UserError('TW_PAYLOAD_INVALID', b.message ?? 'the stream relay refused the request');
    }
    await res.body?.cancel();
    if (res.status === 404) throw new NotFoundError(what);
    throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `the stream relay answered ${res.status}`);
  }

  async playUrls(user: SessionUser, cameraId: string): Promise<PlayUrls> {
    const res = await this.call(user, 'POST', '/api/play-urls', `camera ${cameraId}`, { body: { camera: cameraId } });
    const body = (await res.json()) as PlayUrls;
    return { flv: body.flv, wsFlv: body.wsFlv, hls: body.hls, expiresAt: body.expiresAt };
  }

  /** A snapshot of a camera taken by the relay (its JPEG stays with the relay; the row holds its SHA-256). */
  async snapshot(user: SessionUser, cameraId: string): Promise<{ id: number; sha256: string; takenAt: string; bytes: number }> {
    const res = await this.call(user, 'POST', `/api/cameras/${encodeURIComponent(cameraId)}/snapshots`, `camera ${cameraId} (or not live)`, { timeoutMs: this.timeoutMs * 3 });
    const b = (await res.json()) as { id: number; sha256: string; takenAt: string; bytes: number };
    return { id: Number(b.id), sha256: b.sha256, takenAt: b.takenAt, bytes: b.bytes };
  }

  /** The JPEG of a stored snapshot, as the relay keeps it (the caller compares its hash with the row's). */
  async snapshotJpeg(user: SessionUser, snapshotId: number): Promise<Buffer> {
    const res = await this.call(user, 'GET', `/api/snapshots/${snapshotId}`, `snapshot ${snapshotId}`);
    return Buffer.from(await res.arrayBuffer());
  }

  /** The recorded stretches of [from, to) (docs/streams.md "Spans and clips"). */
  async recordedSpans(user: SessionUser, cameraId: string, from: number, to: number): Promise<{ start: string; end: string }[]> {
    const res = await this.call(user, 'GET', `/api/cameras/${encodeURIComponent(cameraId)}/recordings/spans?from=${from}&to=${to}`, `camera ${cameraId}`);
    return ((await res.json()) as { spans: { start: string; end: string }[] }).spans;
  }

  /**
   * [from, to) cut to MP4 by the relay: the streaming response (its body is not read here) and the clip's SHA-256.
   * A long timeout: the body of a 30-minute clip takes a while to pass through.
   */
  async clip(user: SessionUser, cameraId: string, from: number, to: number): Promise<{ body: ReadableStream<Uint8Array>; bytes: number; sha256: string }> {
    const res = await this.call(user, 'GET', `/api/cameras/${encodeURIComponent(cameraId)}/clip.mp4?from=${from}&to=${to}`, 'recording in that time range', { timeoutMs: 600_000, passBadRequest: true });
    return { body: res.body!, bytes: Number(res.headers.get('content-length')), sha256: res.headers.get('x-sha256') ?? '' };
  }

  /** The camera's latest health from the relay's monitor (`unknown` before its first check). */
  async health(user: SessionUser, cameraId: string): Promise<CameraHealth> {
    const res = await this.call(user, 'GET', `/api/cameras/${encodeURIComponent(cameraId)}/health`, `camera ${cameraId}`);
    const h = (await res.json()) as { state?: string; reason?: string; checkedAt?: string | number };
    const state = (['ok', 'offline', 'blank', 'frozen'] as const).find((s) => s === h.state) ?? 'unknown';
    return { state, reason: h.reason ?? '', checkedAt: h.checkedAt ? new Date(h.checkedAt).toISOString() : null };
  }
}
