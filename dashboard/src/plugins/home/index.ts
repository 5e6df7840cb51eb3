import type { FastifyInstance } from 'fastify';
import { page } from '../ack/view.js';

/**
 * The front page. The inspectors' board (live devices, alarm centre, charts, video wall, spot-checks) is the
 * next issue and will need a sign-in; until then this page says what the service is and what it serves today,
 * and shows no data: nothing here is for anonymous eyes.
 */
export async function homePlugin(app: FastifyInstance): Promise<void> {
  app.get('/', async (_req, reply) => {
    const body = `<div class="card"><h1>天网 · 特种设备与明厨亮灶远程监管</h1>
<p class="en">Tianwang · remote supervision of special equipment and bright kitchens</p>
<p>本服务目前提供：隐患短信中的确认与整改反馈链接（<code>/a/…</code>，无需登录）、健康检查（<code>/healthz</code>）和运行指标（<code>/metrics</code>）。</p>
<p class="en">Served today: the acknowledgement and fix-report links in hazard SMS (/a/…, no sign-in), a health check (/healthz)
and metrics (/metrics).</p>
<p>监管人员工作台（实时设备、报警中心、历史曲线、视频墙、线上抽检）即将上线，届时需登录使用。</p>
<p class="en">The inspectors' board (live devices, alarm centre, history charts, video wall, online spot-checks) comes next,
behind a sign-in.</p></div>`;
    return reply.type('text/html; charset=utf-8').send(page(reply.cspNonce, '天网 tianwang', body));
  });
}
