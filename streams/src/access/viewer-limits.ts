/**
 * Limits for public (consumer) viewing, per client IP: how many play URLs per minute it may ask for, and
 * how many playback sessions it may hold at once. Inspectors are not limited: they are signed in and few.
 * In-memory, per relay node: a consumer reaching two nodes gets twice the allowance, which is acceptable.
 */
export class ViewerLimits {
  private readonly issued = new Map<string, number[]>();
  private readonly open = new Map<string, number>();

  constructor(private readonly opts: { urlsPerMinute: number; concurrentPerIp: number }) {}

  /** Counts one play-URL request; false when the IP is over its rate. */
  allowIssue(ip: string, nowMs = Date.now()): boolean {
    const recent = (this.issued.get(ip) ?? []).filter((t) => t > nowMs - 60_000);
    if (recent.length >= this.opts.urlsPerMinute) {
      this.issued.set(ip, recent);
      return false;
    }
    recent.push(nowMs);
    this.issued.set(ip, recent);
    if (this.issued.size > 10_000) this.prune(nowMs);
    return true;
  }

  /** Takes a playback slot; returns a release function, or null when the IP holds all it may. */
  acquireSession(ip: string): (() => void) | null {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.opts.concurrentPerIp) return null;
    this.open.set(ip, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left <= 0) this.open.delete(ip);
      else this.open.set(ip, left);
    };
  }

  private prune(nowMs: number): void {
    for (const [ip, times] of this.issued) if (!times.some((t) => t > nowMs - 60_000)) this.issued.delete(ip);
  }
}
