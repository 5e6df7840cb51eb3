/**
 * The bright-kitchens API as the web app reads it (docs/dashboard.md "Bright kitchens"): the camera tree, audited
 * viewing (signed play URLs per tile, renewed, ended), camera health, spot-check tasks and their snapshot evidence.
 */
import { api, request, type Query } from './http';
import type { District, Page } from './types';

export interface KitchenRow {
  id: string;
  name: string;
  licenceNo: string;
  districtId: string;
  districtName: string;
  riskClass: string;
  cameras: number;
}
export interface CameraRow {
  id: string;
  kitchenId: string;
  kitchenName: string;
  area: string;
  name: string;
  enabled: boolean;
  recordingEnabled: boolean;
}
export interface Play {
  viewingId: number;
  flv: string;
  wsFlv: string;
  hls: string;
  expiresAt: string | number;
}
export interface CameraHealth {
  cameraId: string;
  state: 'ok' | 'offline' | 'blank' | 'frozen' | 'unknown';
  reason: string;
  checkedAt: string | null;
}
export interface Evidence {
  snapshotId: number;
  cameraId: string;
  sha256: string;
  takenAt: string;
}
export interface SpotCheckTask {
  id: number;
  drawId: number;
  kitchenId: string;
  kitchenName: string;
  inspectorIds: string[];
  status: string;
}

/** Every page of a list (the tree needs all kitchens and cameras in scope; 1000 a request). */
export async function listAll<T>(path: string, query: Query = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<T>>(path, { ...query, limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export const kitchensApi = {
  districts: () => api.get<District[]>('/districts'),
  kitchens: () => listAll<KitchenRow>('/kitchens'),
  cameras: () => listAll<CameraRow>('/cameras'),
  kitchenCameras: (kitchenId: string) => listAll<CameraRow>('/cameras', { kitchenId }),
  play: (cameraId: string) => api.post<Play>(`/cameras/${encodeURIComponent(cameraId)}/play`),
  renew: (viewingId: number) => api.post<Play>(`/viewings/${viewingId}/renew`),
  /** keepalive: sent as the page goes away (the request outlives it) */
  end: (viewingId: number, keepalive = false) => request<void>('POST', `/viewings/${viewingId}/end`, { keepalive }),
  health: (cameraId: string) => api.get<CameraHealth>(`/cameras/${encodeURIComponent(cameraId)}/health`),
  myTasks: () => api.get<Page<SpotCheckTask>>('/spot-checks', { mine: true, status: 'assigned', limit: 100 }),
  snapshot: (spotCheckId: number, cameraId: string) => api.post<Evidence>(`/spot-checks/${spotCheckId}/snapshots`, { cameraId }),
};

/** `GET /api/v1/viewings` (admins): who watched which kitchen's camera, when, how long. */
export interface ViewingRow {
  [k: string]: unknown;
  id: number;
  userId: string;
  userName: string;
  cameraId: string;
  kitchenId: string;
  kitchenName: string;
  startedAt: string;
  lastSeenAt: string;
  endedAt: string | null;
  durationS: number;
}
export const viewingsApi = {
  list: (q: Query) => api.get<Page<ViewingRow>>('/viewings', q),
};

export interface Span {
  start: string;
  end: string;
}
/** 录像回放 (docs/dashboard.md "Playback") */
export const recordingsApi = {
  spans: (cameraId: string, from: number, to: number) => api.get<{ cameraId: string; spans: Span[] }>(`/cameras/${encodeURIComponent(cameraId)}/recordings`, { from, to }),
  /** the clip's URL: played inline by <video>, or downloaded (audited) */
  clipUrl: (cameraId: string, from: number, to: number, download = false) =>
    `/api/v1/cameras/${encodeURIComponent(cameraId)}/clip?from=${Math.round(from)}&to=${Math.round(to)}${download ? '&download=true' : ''}`,
};
