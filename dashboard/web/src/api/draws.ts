/** 双随机 draws and online spot-checks as the web app reads them (docs/dashboard.md "Bright kitchens"). */
import { api } from './http';
import type { Page } from './types';
import type { Verification as ServerVerification } from '../../../src/kitchens/draw-store';
import type { Evidence } from './kitchens';

/** `GET /draws/:id/verify`: the server's own type (type-only import, erased from the bundle) */
export type Verification = ServerVerification;

export type RiskClass = 'A' | 'B' | 'C' | 'D';
export interface NewDraw {
  period: string;
  districtId?: string;
  count?: number;
  share?: number;
  weighted: boolean;
  inspectorsPerCheck: number;
  seed?: string;
}
export interface DrawSummary {
  [k: string]: unknown;
  id: number;
  districtId: string | null;
  period: string;
  checks: number;
  createdBy: string;
  createdAt: string;
  publishedAt: string | null;
}
export interface Draw {
  id: number;
  districtId: string | null;
  period: string;
  algorithm: string;
  seed: string;
  inputsHash: string;
  resultHash: string;
  createdBy: string;
  createdAt: string;
  publishedAt: string | null;
  inputs: { count: number; inspectorsPerCheck: number; weights: Record<RiskClass, number>; kitchens: unknown[]; inspectors: unknown[] };
  checks: { kitchenId: string; kitchenName: string; licenceNo: string; inspectors: { id: string; displayName: string }[] }[];
}
export interface RecordItem {
  key: string;
  label: string;
  pass: boolean;
  evidence: Evidence[];
}
export interface SpotCheck {
  id: number;
  drawId: number;
  kitchenId: string;
  kitchenName: string;
  inspectorIds: string[];
  status: 'assigned' | 'recorded' | 'rectifying' | 'closed';
  items: RecordItem[] | null;
  result: 'pass' | 'fail' | null;
  notes: string;
  recordedBy: string | null;
  recordedAt: string | null;
  recordHash: string | null;
}

export const drawsApi = {
  list: (cursor: string | null) => api.get<Page<DrawSummary>>('/draws', { limit: 50, cursor: cursor ?? undefined }),
  create: (d: NewDraw) => api.post<Draw>('/draws', d),
  get: (id: number) => api.get<Draw>(`/draws/${id}`),
  verify: (id: number) => api.get<Verification>(`/draws/${id}/verify`),
  publish: (id: number) => api.post<Draw>(`/draws/${id}/publish`),
  tasks: (drawId: number) => api.get<Page<SpotCheck>>('/spot-checks', { drawId, limit: 1000 }),
};

export const spotChecksApi = {
  get: (id: number) => api.get<SpotCheck>(`/spot-checks/${id}`),
  record: (id: number, body: { items: { key: string; pass: boolean; snapshotIds: number[] }[]; notes: string }) => api.post<SpotCheck>(`/spot-checks/${id}/record`, body),
};

/** The evidence image, same origin (GET /api/v1/snapshots/:id answers the JPEG the relay keeps). */
export const snapshotUrl = (id: number) => `/api/v1/snapshots/${id}`;
