/**
 * The mosquitto the broker benchmarks compare against: Debian's mosquitto 2, anonymous, no persistence, no
 * per-client in-flight or queue limits (so it is never the one holding messages back), no logging.
 */
export function mosquittoConfig(port: number): string {
  return `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\npersistence false\nlog_type none\nmax_connections -1\n`;
}
