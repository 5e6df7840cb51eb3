import { ApiError } from '@/api/http';

type T = (key: string, named?: Record<string, unknown>) => string;

/** The sign-in failure as the user should read it (the server's code decides, never its English message). */
export function loginErrorText(e: unknown, t: T): string {
  if (!(e instanceof ApiError)) return t('login.errors.network');
  switch (e.code) {
    case 'TW_UNAUTHENTICATED':
      return t('login.errors.wrong');
    case 'TW_RATE_LIMITED': {
      const s = e.retryAfter ?? 60;
      return s >= 90 ? t('login.errors.throttledMin', { n: Math.ceil(s / 60) }) : t('login.errors.throttled', { n: s });
    }
    case 'TW_PAYLOAD_INVALID':
      return t('login.errors.required');
    default:
      return e.status >= 500 ? t('login.errors.server') : t('login.errors.other', { code: e.code });
  }
}
