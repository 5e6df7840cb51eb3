import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveAckLink, type AlarmActions, type AckClaims } from '@tianwang/alerts/actions';
import type { Alarm, Registry } from '@tianwang/core/registry';
import { alarmQueries } from '@tianwang/core/registry';
import type { Counter } from 'prom-client';
import { alarmCard, doneNote, errorBody, page, type AlarmView } from './view.js';

export interface AckPluginOptions {
  registry: Registry;
  actions: AlarmActions;
  /** key derived for 'sms-link' */
  linkKey: Buffer;
  timezone: string;
  counter: Counter<'action' | 'result'>;
}

type Params = { id: string };
type Body = { alarm?: string; csrf?: string; note?: string };
const ACTIONS = { ack: 'ack', rectify: 'rectify', 'false-alarm': 'false_alarm', arrive: 'arrive' } as const;

/**
 * The acknowledgement page behind the link in an SMS: `/a/<id>`. No login: the link is the capability (a short
 * id for a signed, expiring token naming the alarms and the recipient). The recipient sees the alarm in plain
 * words and can acknowledge, report the fix, or say it was a false alarm. POSTs carry a token bound to the link
 * (double submit) and are refused when the browser says they come from another site.
 */
export async function ackPlugin(app: FastifyInstance, o: AckPluginOptions): Promise<void> {
  const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: o.timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const csrfFor = (id: string) => createHmac('sha256', o.linkKey).update(`csrf|${id}`).digest('base64url');

  async function resolve(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<AckClaims | undefined> {
    const r = await resolveAckLink(o.registry, o.linkKey, req.params.id);
    if (r.ok) return r.claims;
    const expired = r.reason === 'expired';
    o.counter.inc({ action: 'view', result: r.reason });
    await reply.code(expired ? 410 : 404).type('text/html; charset=utf-8').send(page(reply.cspNonce, expired ? '链接已过期' : '链接无效', errorBody(expired ? 'expired' : 'unknown')));
    return undefined;
  }

  async function view(a: Alarm): Promise<AlarmView> {
    const base = { alarm: a, firstSeen: fmt.format(a.firstSeenAt), lastSeen: fmt.format(a.lastSeenAt) };
    try {
      if (a.subjectType === 'camera') {
        const cam = await o.registry.kitchens.getCamera(a.subjectId);
        const k = await o.registry.kitchens.get(cam.kitchenId);
        return { ...base, unit: k.name, device: cam.name || cam.id, location: k.address };
      }
      const d = await o.registry.devices.context(a.subjectId);
      return { ...base, unit: d.unitName, device: d.name, registrationCode: d.registrationCode, location: d.location };
    } catch {
      return { ...base, unit: '', device: a.subjectId };
    }
  }

  app.get<{ Params: Params; Querystring: { done?: string } }>('/a/:id', async (req, reply) => {
    const claims = await resolve(req, reply);
    if (!claims) return reply;
    const alarms = (await Promise.all(claims.a.map((id) => alarmQueries(o.registry.db).find(id)))).filter((a): a is Alarm => !!a);
    const cards = await Promise.all(alarms.map(view));
    o.counter.inc({ action: 'view', result: 'ok' });
    const body = doneNote(req.query.done) + cards.map((c) => alarmCard(c, `/a/${req.params.id}`, csrfFor(req.params.id), claims.s === 'maintenance')).join('');
    return reply.type('text/html; charset=utf-8').send(page(reply.cspNonce, `${alarms[0]?.title ?? ''} · 天网提醒`, body));
  });

  for (const [path, action] of Object.entries(ACTIONS)) {
    app.post<{ Params: Params; Body: Body }>(`/a/:id/${path}`, async (req, reply) => {
      // a browser tells where a form came from; a cross-site post is refused whatever it carries
      const site = req.headers['sec-fetch-site'];
      if (site && site !== 'same-origin' && site !== 'none') return reply.code(403).send({ code: 'TW_FORBIDDEN', message: 'cross-site request' });
      const claims = await resolve(req, reply);
      if (!claims) return reply;
      const body = (req.body ?? {}) as Body;
      const expected = Buffer.from(csrfFor(req.params.id));
      const given = Buffer.from(String(body.csrf ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(403).send({ code: 'TW_FORBIDDEN', message: 'form token missing or wrong' });
      const alarmId = Number(body.alarm);
      if (!claims.a.includes(alarmId)) return reply.code(403).send({ code: 'TW_FORBIDDEN', message: 'this link does not cover that alarm' });
      const note = String(body.note ?? '').trim().slice(0, 500);
      const actor = { name: claims.r, type: 'contact' as const };
      let changed: Alarm | undefined;
      if (action === 'ack') changed = await o.actions.alarms.acknowledge(alarmId, actor, 'sms_link');
      else if (action === 'arrive') {
        // only the maintenance company's link says "on site" (the arrival rate is theirs)
        if (claims.s !== 'maintenance') return reply.code(403).send({ code: 'TW_FORBIDDEN', message: 'only the maintenance company reports its arrival' });
        changed = await o.actions.alarms.arrive(alarmId, actor, 'sms_link');
      }
      else if (action === 'rectify') {
        if (!note) return reply.code(400).send({ code: 'TW_PAYLOAD_INVALID', message: 'note is required' });
        changed = await o.actions.alarms.rectify(alarmId, actor, note, 'sms_link');
      } else changed = await o.actions.alarms.close(alarmId, actor, 'sms_link', 'false_alarm', note || undefined);
      o.counter.inc({ action, result: changed ? 'ok' : 'no_change' });
      // post/redirect/get: a reload does not post again; a second click on a stale page is a harmless no-op
      return reply.redirect(`/a/${req.params.id}?done=${changed ? action : ''}`, 303);
    });
  }
}
