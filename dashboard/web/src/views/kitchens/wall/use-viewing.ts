import { kitchensApi, type Play } from '@/api/kitchens';
import { renewDelayMs } from './tile-machine';

/**
 * One tile's audited viewing (docs/dashboard.md "Live viewing, audited"): signed play URLs fetched from the API
 * for this tile's camera, renewed before they expire (which also moves the audit's last_seen_at), ended when the
 * tile stops watching (hidden, off-screen, another camera, page left or
 * reloaded: ended from pagehide; a crashed browser's viewing ends at its last renewal). A renewal the server refuses (the camera
 * left the user's scope) drops the viewing: the next connection asks afresh and gets the 404.
 */
export function useViewing() {
  let play: Play | null = null;
  let cameraId: string | null = null;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** a viewing being opened (its request in flight): the next urlFor waits for it instead of opening a second one */
  let opening: Promise<unknown> | null = null;
  /** bumps on every end(): a viewing that was being opened meanwhile is ended as soon as it arrives */
  let ends = 0;

  const expired = (p: Play) => renewDelayMs(p.expiresAt, Date.now()) <= 1000;

  function scheduleRenew() {
    clearTimeout(renewTimer);
    if (!play) return;
    renewTimer = setTimeout(() => void renew(), renewDelayMs(play.expiresAt, Date.now()));
  }

  async function renew(): Promise<void> {
    if (!play) return;
    const id = play.viewingId;
    try {
      const fresh = await kitchensApi.renew(id);
      if (play?.viewingId === id) play = fresh;
    } catch {
      if (play?.viewingId === id) play = null;
      return;
    }
    scheduleRenew();
  }

  /** The signed WS-FLV URL for `camera`: the open viewing's if still valid, else a new viewing. */
  async function urlFor(camera: string): Promise<string> {
    // Two opens at once (a retry and the rotation) each started a viewing, and the first was never ended: the audit
    // showed it open until its last renewal. One at a time, and one that was ended while in flight is ended on arrival.
    while (opening) await opening.catch(() => undefined);
    if (play && cameraId !== camera) await end();
    if (play && expired(play)) await renew();
    if (!play) {
      const endsBefore = ends;
      const request = kitchensApi.play(camera);
      opening = request;
      let p: Play;
      try {
        p = await request;
      } finally {
        opening = null;
      }
      if (ends !== endsBefore) {
        void kitchensApi.end(p.viewingId, true).catch(() => undefined);
        throw new Error('the viewing was ended while it was being opened');
      }
      play = p;
      cameraId = camera;
      scheduleRenew();
    }
    return play.wsFlv;
  }

  /** ends the viewing; `keepalive` when the page is going away (pagehide), so that the request survives it */
  async function end(keepalive = false): Promise<void> {
    ends++;
    clearTimeout(renewTimer);
    const p = play;
    play = null;
    cameraId = null;
    // a failed end is not worth an error on the wall: the audit then ends the viewing at its last renewal
    if (p) await kitchensApi.end(p.viewingId, keepalive).catch(() => undefined);
  }

  return { urlFor, end, viewingId: () => play?.viewingId ?? null };
}
