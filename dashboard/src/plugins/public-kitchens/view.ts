import { escapeHtml as h } from '../../http/security.js';
import type { DistrictOption, Inspection, PublicKitchen, Rating } from '../../public/kitchen-facts.js';

const both = (zh: string, en: string) => `${h(zh)} <span class="en">${h(en)}</span>`;

export function shell(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)}</title><link rel="stylesheet" href="/k/assets/kitchen.css"></head>
<body><header><a href="/k"><b>阳光厨房 · 外卖放心点</b> <span class="en">Open kitchens</span></a></header><main>${body}</main>
<script src="/k/assets/kitchen.js" defer></script></body></html>`;
}

const RATING: Record<'A' | 'B' | 'C', [string, string, string, string]> = {
  A: ['优秀', 'excellent', '近12个月线上抽检全部合格', 'every online inspection in 12 months passed'],
  B: ['良好', 'good', '有不合格项，均已整改复查通过', 'problems found were all fixed and re-checked'],
  C: ['一般', 'fair', '有不合格项正在整改', 'a problem found is being fixed'],
};

const day = (d: Date, tz: string) => new Intl.DateTimeFormat('zh-CN', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

export function kitchenPage(k: PublicKitchen, i: { latest: Inspection | null; rating: Rating }, tz: string): string {
  const latest = i.latest
    ? `<span class="badge ${i.latest.result}">${i.latest.result === 'pass' ? both('合格', 'passed') : both('不合格', 'failed')}</span> ${h(day(i.latest.recordedAt, tz))}${
      i.latest.rectification ? `<br>${i.latest.rectification === 'open' ? both('整改中', 'being fixed') : both('已整改，复查通过', 'fixed and re-checked')}` : ''}`
    : both('暂无线上抽检记录', 'no online inspection yet');
  const rating = i.rating
    ? `<span class="badge ${i.rating}">${i.rating} ${h(RATING[i.rating][0])}</span> <span class="en">${h(RATING[i.rating][1])}</span><br><small>${both(RATING[i.rating][2], RATING[i.rating][3])}</small>`
    : `<span class="badge none">${both('暂无评级', 'not rated')}</span>`;
  const live = k.publicViewing
    ? `<section class="card" id="live" data-grant="/k/${h(k.code)}/live"><h2>${both('后厨直播', 'Kitchen live')}</h2><div class="tabs"></div><div class="stage"></div>
<p class="msg">${both(`营业时间内可观看（${k.businessHours}）`, `live during business hours (${k.businessHours})`)}</p>
<button class="watch" type="button">${both('观看后厨直播', 'Watch the kitchen live')}</button></section>`
    : `<section class="card"><h2>${both('后厨直播', 'Kitchen live')}</h2><p class="msg">${both('本店未开放后厨直播', 'This kitchen does not show its live view')}</p></section>`;
  return shell(`${k.name} · 阳光厨房`, `<section class="card"><h1>${h(k.name)}</h1>
<dl><dt>${both('食品经营许可证', 'Food business licence')}</dt><dd>${h(k.licenceNo)}</dd>
${k.address ? `<dt>${both('地址', 'Address')}</dt><dd>${h(k.address)}</dd>` : ''}<dt>${both('所在辖区', 'District')}</dt><dd>${h(k.district)}</dd>
<dt>${both('营业时间', 'Business hours')}</dt><dd>${h(k.businessHours)}</dd>
<dt>${both('最近一次线上抽检', 'Latest online inspection')}</dt><dd>${latest}</dd>
<dt>${both('食品安全评级', 'Food safety rating')}</dt><dd>${rating}</dd></dl></section>
${live}
<section class="card"><h2>${both('投诉举报', 'Complaints')}</h2><p>${both('发现食品安全问题，请拨打', 'Report a food-safety problem:')} <a href="tel:12315">12315</a> · <a href="https://www.12315.cn/" rel="noopener noreferrer">www.12315.cn</a></p></section>
<section class="card"><p class="qr">${both('本页二维码', 'QR code of this page')}<a href="/k/${h(k.code)}/qr.png">PNG</a><a href="/k/${h(k.code)}/qr.svg">SVG</a></p>
<p><a href="/k">${both('全部阳光厨房', 'All open kitchens')}</a> · <a href="/k/draws">${both('双随机抽查结果公示', 'Published random inspections')}</a></p></section>`);
}

export function listPage(o: { districts: DistrictOption[]; district?: string | undefined; q?: string | undefined; kitchens: PublicKitchen[]; limit: number }): string {
  const options = [`<option value="">全部辖区 All districts</option>`, ...o.districts.map((d) => `<option value="${h(d.id)}"${d.id === o.district ? ' selected' : ''}>${h(d.name)}</option>`)].join('');
  const items = o.kitchens.length
    ? `<ul class="list">${o.kitchens.map((k) => `<li><a href="/k/${h(k.code)}">${h(k.name)}</a><br><small>${h(k.district)} · ${h(k.licenceNo)}${k.publicViewing ? ` · ${both('后厨直播', 'live view')}` : ''}</small></li>`).join('')}</ul>${o.kitchens.length === o.limit ? `<p class="msg">${both('仅显示前' + o.limit + '家，请缩小搜索范围', `first ${o.limit} shown: narrow the search`)}</p>` : ''}`
    : `<p class="msg">${both('没有找到', 'Nothing found')}</p>`;
  return shell('阳光厨房 · 外卖放心点', `<section class="card"><h1>${both('阳光厨房', 'Open kitchens')}</h1>
<form class="search" method="get" action="/k"><select name="district" aria-label="辖区 District">${options}</select><input name="q" maxlength="40" value="${h(o.q ?? '')}" placeholder="店名或地址 Name or address" aria-label="店名 Name">
<button type="submit">${both('搜索', 'Search')}</button></form></section><section class="card">${items}</section>
<p><a href="/k/draws">${both('双随机抽查结果公示', 'Published random inspections')}</a></p>`);
}

export interface PublicDrawView {
  id: number;
  period: string;
  drawnAt: string;
  kitchens: number;
  seed: string;
  resultHash: string;
  verified: boolean;
  checks: { kitchenName: string; licenceNo: string; inspectors: string[] }[];
}

export function drawsPage(draws: PublicDrawView[], tz: string): string {
  const body = draws.length
    ? draws.map((d) => `<section class="card"><h2>${h(d.period)} <span class="en">#${d.id}</span></h2>
<p>${both(`${h(day(new Date(d.drawnAt), tz))} 从${d.kitchens}家中随机抽取${d.checks.length}家`, `${d.checks.length} of ${d.kitchens} kitchens drawn at random`)}
 ${d.verified ? `<span class="badge pass">${both('已验证', 'verified')}</span>` : `<span class="badge fail">${both('验证未通过', 'does not verify')}</span>`}</p>
<ul class="list">${d.checks.map((c) => `<li>${h(c.kitchenName)} <small>${h(c.licenceNo)}</small><br><small>${both('检查人员', 'Inspectors')}: ${h(c.inspectors.join('、'))}</small></li>`).join('')}</ul>
<p class="mono">seed ${h(d.seed)}<br>result ${h(d.resultHash)}<br><a href="/api/v1/public/draws/${d.id}">JSON</a></p></section>`).join('')
    : `<section class="card"><p class="msg">${both('暂无公示', 'Nothing published yet')}</p></section>`;
  return shell('双随机抽查结果公示', `<section class="card"><h1>${both('双随机一公开', 'Random inspections, published')}</h1><p class="msg">${both('抽查对象和检查人员均随机抽取，任何人可用公布的种子复核', 'kitchens and inspectors are drawn at random; anyone can re-run a draw from its published seed')}</p></section>${body}`);
}
