/**
 * The one way the app talks to the API: JSON in and out, the session cookie sent by the browser (same origin), the
 * CSRF token in `x-csrf-token` on every state-changing request (docs/dashboard.md, Sessions), and errors turned
 * into ApiError with the server's stable code. A 401 anywhere but the sign-in itself calls the handler the router
 * installs (back to the login page).
 */
export interface RowError {
  row: number;
  column: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** seconds, from retry-after (TW_RATE_LIMITED) */
    readonly retryAfter?: number,
    /** row-level problems of an .xlsx import */
    readonly errors?: RowError[],
  ) {
    super(message);
  }
}

let csrfToken = '';
let onUnauthorized: (() => void) | undefined;

export const setCsrfToken = (t: string) => {
  csrfToken = t;
};
export const setUnauthorizedHandler = (fn: () => void) => {
  onUnauthorized = fn;
};

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** a raw body (an .xlsx upload) sent with its own content type */
  raw?: Blob;
  /** answer a Blob instead of JSON (exports) */
  blob?: boolean;
  /** the request outlives the page (sent from pagehide) */
  keepalive?: boolean;
}

export async function request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: o.blob ? '*/*' : 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
  let body: BodyInit | undefined;
  if (o.raw) {
    body = o.raw;
    headers['content-type'] = o.raw.type || 'application/octet-stream';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(withQuery(`/api/v1${path}`, o.query), { method, headers, body, credentials: 'same-origin', ...(o.keepalive ? { keepalive: true } : {}) });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && path !== '/auth/login') onUnauthorized?.();
    throw err;
  }
  if (o.blob) return (await res.blob()) as T;
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText;
  let errors: RowError[] | undefined;
  try {
    const j = (await res.json()) as { code?: string; message?: string; errors?: RowError[] };
    code = j.code ?? code;
    message = j.message ?? message;
    errors = j.errors;
  } catch {}
  const ra = Number(res.headers.get('retry-after'));
  return new ApiError(res.status, code, message, Number.isFinite(ra) && ra > 0 ? ra : undefined, errors);
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** Downloads a list as .xlsx (the same filters, `format=xlsx`), saved under `name`. */
export async function downloadXlsx(path: string, query: Query, name: string): Promise<void> {
  await download(path, name, { ...query, format: 'xlsx' });
}

/** Downloads a file of the API (an export, an evidence bundle), saved under `name`. */
export async function download(path: string, name: string, query?: Query): Promise<void> {
  const blob = await request<Blob>('GET', path, { ...(query ? { query } : {}), blob: true });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
