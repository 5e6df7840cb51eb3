/**
 * Secrets out of text the relay logs or returns. ffmpeg repeats its input and output URLs in its messages
 * ("rtsp://admin:pw@10.0.0.5/ch1: Connection refused"), and so does Node in spawn errors (`spawnargs`):
 * an RTSP source may carry the camera's password in its user info, path or query, and the relay's own
 * loopback URLs carry the internal token. So any URL in such text keeps its scheme and host only, and
 * any known secret (a source URL, its password) is replaced wherever it appears, even outside a URL.
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]{1,15}):\/\/([^\s'"<>]*)/gi;

export function redactSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) if (secret.length >= 4) out = out.split(secret).join('<redacted>');
  return out.replace(URL_IN_TEXT, (_m, scheme: string, rest: string) => {
    const authority = rest.split(/[/?#]/, 1)[0] ?? '';
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    return `${scheme}://${host}${rest.length > authority.length || authority.includes('@') ? '/<redacted>' : ''}`;
  });
}

/** The strings of a source URL that are secret: the whole URL, and its password raw and decoded. */
export function secretsOf(url: string): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
    if (u.search.length > 1) out.push(u.search.slice(1));
  } catch {
    // not a URL: the whole string stays secret
  }
  return out;
}

/** An error as a log field without what Node attaches to spawn errors (spawnargs, path, cmd: the arguments). */
export function safeError(err: unknown, known: readonly string[] = []): { type: string; code?: string; message: string } {
  const e = err as { name?: string; code?: unknown; message?: unknown };
  return {
    type: e?.name ?? 'Error',
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: redactSecrets(String(e?.message ?? err), known),
  };
}
