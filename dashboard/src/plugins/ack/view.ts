import type { Alarm } from '@tianwang/core/registry';
import { escapeHtml as h } from '../../http/security.js';

export interface AlarmView {
  alarm: Alarm;
  unit: string;
  device: string;
  registrationCode?: string;
  location?: string;
  firstSeen: string;
  lastSeen: string;
}

const STATUS: Record<string, [string, string]> = {
  open: ['待确认', 'waiting for acknowledgement'],
  acknowledged: ['已确认，待整改', 'acknowledged, fix pending'],
  rectified: ['已反馈整改，待隐患消除后自动关闭', 'fix reported; closes when the condition has cleared'],
  closed: ['已关闭', 'closed'],
};
const OUTCOME: Record<string, [string, string]> = {
  resolved: ['已整改', 'resolved'],
  auto_cleared: ['隐患已自行消除', 'cleared by itself'],
  false_alarm: ['误报', 'false alarm'],
};
const SEVERITY: Record<string, [string, string]> = {
  critical: ['紧急', 'critical'],
  major: ['严重', 'major'],
  minor: ['一般', 'minor'],
  warning: ['提示', 'warning'],
};
const DONE: Record<string, [string, string]> = {
  ack: ['已确认收到，后续提醒已停止。请尽快处置并反馈整改情况。', 'Acknowledged: further reminders stopped. Please fix the hazard and report it here.'],
  rectify: ['整改情况已提交，谢谢。', 'Fix reported. Thank you.'],
  false_alarm: ['已标记为误报。', 'Marked as a false alarm.'],
  arrive: ['已记录到达现场时间。', 'Arrival on site recorded.'],
};

const CSS = `body{font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f5f7;color:#1d2129}
main{max-width:560px;margin:0 auto;padding:16px}header{background:#c7000b;color:#fff;padding:12px 16px}header b{font-size:18px}
.en{color:#6b7280;font-size:.85em}header .en,button .en,.sev .en{color:#ffe3e3}button.secondary .en{color:#4b5563}.card{background:#fff;border-radius:8px;padding:16px;margin:12px 0;box-shadow:0 1px 2px #0001}
h1{font-size:20px;margin:0 0 4px}.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:13px;color:#fff;background:#6b7280}
.sev.critical{background:#c7000b}.sev.major{background:#e8590c}.sev.minor{background:#d4a000}dl{margin:8px 0}dt{color:#6b7280;font-size:13px}dd{margin:0 0 6px}
button{font-size:17px;padding:10px 16px;border:0;border-radius:6px;background:#c7000b;color:#fff;width:100%;margin-top:8px}
button.secondary{background:#e5e7eb;color:#1d2129}textarea{width:100%;box-sizing:border-box;font:inherit;min-height:80px;padding:8px}
.ok{background:#e7f6ec;border-left:4px solid #2b8a3e;padding:8px 12px;border-radius:4px}.status{font-weight:600}`;

/** `brand`: the header's words (another no-login page, e.g. the kitchens' rectification reply, names itself); `extra`: more CSS and a script, both under the nonce */
export function page(nonce: string, title: string, body: string, o: { brand?: [string, string]; css?: string; script?: string } = {}): string {
  const [zh, en] = o.brand ?? ['天网 · 隐患提醒', 'Tianwang hazard reminder'];
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${h(title)}</title><style nonce="${h(nonce)}">${CSS}${o.css ?? ''}</style></head>
<body><header><b>${h(zh)}</b> <span class="en">${h(en)}</span></header><main>${body}</main>${o.script ? `<script nonce="${h(nonce)}">${o.script}</script>` : ''}</body></html>`;
}

const both = (pair: [string, string] | undefined, fallback = '') => (pair ? `${h(pair[0])} <span class="en">${h(pair[1])}</span>` : h(fallback));

/** `onSite`: the link went to the maintenance company, which reports its arrival (the 30-minute arrival rate). */
export function alarmCard(v: AlarmView, linkPath: string, csrf: string, onSite = false): string {
  const a = v.alarm;
  const titleEn = typeof a.detail.titleEn === 'string' ? a.detail.titleEn : '';
  const form = (action: string, inner: string, cls = '') =>
    `<form method="post" action="${h(linkPath)}/${action}"><input type="hidden" name="alarm" value="${a.id}"><input type="hidden" name="csrf" value="${h(csrf)}">${inner.replace('<button', `<button${cls ? ` class="${cls}"` : ''}`)}</form>`;
  const actions: string[] = [];
  if (onSite && !a.arrivedAt) actions.push(form('arrive', '<button type="submit">已到达现场 <span class="en">On site</span></button>'));
  if (a.status === 'open') actions.push(form('ack', '<button type="submit">确认收到 <span class="en">Acknowledge</span></button>'));
  if (a.status === 'open' || a.status === 'acknowledged') {
    actions.push(
      form('rectify', `<label for="note-${a.id}">整改情况 <span class="en">What was done</span></label><textarea id="note-${a.id}" name="note" required maxlength="500" placeholder="例：已联系维保单位到场，困人已解救，电梯恢复运行"></textarea><button type="submit">反馈整改 <span class="en">Report the fix</span></button>`),
      form('false-alarm', '<button type="submit">误报 <span class="en">False alarm</span></button>', 'secondary'),
    );
  }
  const outcome = a.status === 'closed' && a.outcome ? ` · ${both(OUTCOME[a.outcome])}` : '';
  return `<section class="card"><h1>${h(a.title)} <span class="sev ${h(a.severity)}">${both(SEVERITY[a.severity])}</span></h1>
<div class="en">${h(titleEn)}</div>
<dl><dt>使用单位 <span class="en">Unit</span></dt><dd>${h(v.unit)}</dd>
<dt>设备 <span class="en">Equipment</span></dt><dd>${h(v.device)}${v.registrationCode ? `<br>注册代码 <span class="en">Reg. code</span> ${h(v.registrationCode)}` : ''}${v.location ? `<br>${h(v.location)}` : ''}</dd>
<dt>发生时间 <span class="en">Since</span></dt><dd>${h(v.firstSeen)}${a.count > 1 ? `（共${a.count}次，最近 ${h(v.lastSeen)}）<span class="en">${a.count} times</span>` : ''}</dd>
<dt>状态 <span class="en">Status</span></dt><dd class="status">${both(STATUS[a.status])}${outcome}</dd>
${a.rectificationNote ? `<dt>整改情况 <span class="en">Fix</span></dt><dd>${h(a.rectificationNote)}</dd>` : ''}</dl>
${actions.join('')}</section>`;
}

export function doneNote(done: string | undefined): string {
  const d = done ? DONE[done] : undefined;
  return d ? `<p class="ok" role="status">${h(d[0])}<br><span class="en">${h(d[1])}</span></p>` : '';
}

export function errorBody(kind: 'expired' | 'unknown'): string {
  return kind === 'expired'
    ? `<section class="card"><h1>链接已过期</h1><p class="en">This link has expired.</p><p>如隐患仍未消除，请联系辖区市场监管局。<br><span class="en">If the hazard persists, contact the district market-supervision bureau.</span></p></section>`
    : `<section class="card"><h1>链接无效</h1><p class="en">This link is not valid.</p><p>请检查短信中的链接是否完整。<br><span class="en">Check that the whole link from the SMS was opened.</span></p></section>`;
}
