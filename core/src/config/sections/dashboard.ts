import { z } from 'zod';
import { bool, host, port, positiveInt, url, v } from '../define.js';

export const dashboardVars = {
  TW_HTTP_HOST: v(host('0.0.0.0'), 'Address the dashboard binds to.'),
  TW_HTTP_PORT: v(port(8080), 'Dashboard web UI and API (also /metrics in all-in-one mode).'),
  TW_TRUST_PROXY: v(bool(false), 'Trust X-Forwarded-* headers (set when a reverse proxy terminates TLS).'),
  TW_SESSION_IDLE_MIN: v(positiveInt(30, 10_080), 'A dashboard session ends after this many minutes without a request.'),
  TW_SESSION_MAX_H: v(positiveInt(12, 720), 'A dashboard session ends this many hours after sign-in, however active.'),
  TW_LOGIN_WINDOW_MIN: v(positiveInt(15, 1440), 'Failed sign-ins are counted over this many minutes; a throttled account or address waits until the window ends.'),
  TW_LOGIN_MAX_FAILURES: v(positiveInt(5, 1000), 'Failed sign-ins of one account within TW_LOGIN_WINDOW_MIN before it is throttled (429).'),
  TW_LOGIN_MAX_FAILURES_ADDRESS: v(positiveInt(20, 100_000), 'Failed sign-ins from one client address within TW_LOGIN_WINDOW_MIN before it is throttled (429).'),
  TW_BOARD_REFRESH_S: v(positiveInt(10, 3600), 'How often the live board re-reads active alarm counts and checks the registry for changed devices or units (re-reading them when changed), seconds.'),
  TW_WEEKLY_REPORT_CRON: v(
    z.string().regex(/^(off|\S+ \S+ \S+ \S+ \S+)$/, 'must be a 5-field cron pattern, e.g. "0 7 * * 1", or off').default('0 7 * * 1'),
    'When the weekly alarm report of each district is written to TW_DATA_DIR/reports (cron, in TW_TIMEZONE; "off" disables it). Default Mondays 07:00, for the week before.',
  ),
  TW_STREAMS_API_URL: v(url(['http', 'https']).optional(), 'Base URL the dashboard reaches the stream relay API at (play URLs for inspectors). Unset: http://127.0.0.1:<TW_STREAMS_HTTP_PORT>.'),
  TW_PUBLIC_VIEW_S: v(positiveInt(180, 3600), 'Public kitchen pages: how long one consumer watches a live view before asking again (the signed URL expires then), seconds.'),
  TW_PUBLIC_VIEWERS_PER_KITCHEN: v(positiveInt(50, 100_000), 'Public kitchen pages: consumers watching one kitchen at once; one more is asked to try again later (429).'),
  TW_PUBLIC_REQUESTS_PER_MIN: v(positiveInt(120, 100_000), 'Public pages and their API (kitchen pages, QR codes, the list, published draws): requests per client address per minute (429 beyond).'),
};
