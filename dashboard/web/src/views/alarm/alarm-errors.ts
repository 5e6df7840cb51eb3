import { ApiError } from '@/api/http';

type T = (key: string, values?: Record<string, unknown>) => string;

/** A refused photo in words: the limits are the server's (415 type, 413 size, 409 count or verified), its message otherwise. */
export function photoError(e: unknown, t: T): string {
  if (e instanceof ApiError && e.status === 413) return t('alarm.detail.photoTooLarge');
  if (e instanceof ApiError && e.status === 415) return t('alarm.detail.photoType');
  return t('alarm.detail.photoRefused', { msg: e instanceof Error ? e.message : String(e) });
}

export const actionError = (e: unknown, t: T): string => t('alarm.detail.actionFailed', { msg: e instanceof Error ? e.message : String(e) });
