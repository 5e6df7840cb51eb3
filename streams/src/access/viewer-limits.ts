/**
 * Limits for public (consumer) viewing, per client IP: how many playback sessions it may hold at once. Inspectors
 * are not limited: they are signed in and few. How many URLs a consumer may ask for is the dashboard's to limit (it
 * alone issues public grants: address limit, viewer quota). In-memory, per relay node: a consumer reaching two nodes
 * gets twice the allowance, which is acceptable.
 */
export class ViewerLimits {
  private readonly open = new Map<string, number>();

  constructor(private readonly opts: { concurrentPerIp: number }) {}

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
}
