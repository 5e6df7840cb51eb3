import { bool, host, port, v } from '../define.js';

export const dashboardVars = {
  TW_HTTP_HOST: v(host('0.0.0.0'), 'Address the dashboard binds to.'),
  TW_HTTP_PORT: v(port(8080), 'Dashboard web UI and API (also /metrics in all-in-one mode).'),
  TW_TRUST_PROXY: v(bool(false), 'Trust X-Forwarded-* headers (set when a reverse proxy terminates TLS).'),
};
