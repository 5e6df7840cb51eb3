import { issueSessionToken } from '@tianwang/core/crypto';
import { NotFoundError, OperationalError } from '@tianwang/core/errors';
import type { SessionUser } from '../auth/sessions.js';

export interface PlayUrls {
  flv: string;
  wsFlv: string;
  hls: string;
  expiresAt: string | number;
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

  async playUrls(user: SessionUser, cameraId: string): Promise<PlayUrls> {
    let res: Response;
    try {
      res = await fetch(new URL('/api/play-urls', this.baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token(user)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ camera: cameraId }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', 'the stream relay is unreachable', { cause: err });
    }
    if (res.status === 404) throw new NotFoundError(`camera ${cameraId}`);
    if (!res.ok) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `the stream relay answered ${res.status}`);
    const body = (await res.json()) as PlayUrls;
    return { flv: body.flv, wsFlv: body.wsFlv, hls: body.hls, expiresAt: body.expiresAt };
  }

  /** A snapshot of a camera taken by the relay (its JPEG stays with the relay; the row holds its SHA-256). */
  async snapshot(user: SessionUser, cameraId: string): Promise<{ id: number; sha256: string; takenAt: string; bytes: number }> {
    let res: Response;
    try {
      res = await fetch(new URL(`/api/cameras/${encodeURIComponent(cameraId)}/snapshots`, this.baseUrl), {
        method: 'POST', headers: { authorization: `Bearer ${this.token(user)}` }, signal: AbortSignal.timeout(this.timeoutMs * 3),
      });
    } catch (err) {
      throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', 'the stream relay is unreachable', { cause: err });
    }
    if (res.status === 404) throw new NotFoundError(`camera ${cameraId} (or not live)`);
    if (!res.ok) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `the stream relay answered ${res.status}`);
    const b = (await res.json()) as { id: number; sha256: string; takenAt: string; bytes: number };
    return { id: Number(b.id), sha256: b.sha256, takenAt: b.takenAt, bytes: b.bytes };
  }
}
