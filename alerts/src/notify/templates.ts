import type { Locale, TemplateId } from './provider.js';

/**
 * SMS texts, zh-CN first. Short and actionable: which unit, which device (registration code and location), what
 * happened, when, and the link. Aliyun sends the registered template with these same params (the provider adds
 * the 【signature】 itself); Twilio and the console get the rendered text with the signature in front.
 *
 * Registered templates to file with Aliyun (must match these texts):
 *   SMS_ALARM     ${unit}：${device}于${time}发生“${what}”，请立即处置。确认及反馈整改：${link}
 *   SMS_DIGEST    ${unit}：您有${count}条隐患提醒：${items}。请逐条处置并确认：${link}
 *   SMS_SUMMARY   ${district}${period}监管周报：${figures}。详见：${link}
 */
export const TEMPLATES: Record<TemplateId, Record<Locale, string>> = {
  alarm: {
    'zh-CN': '${unit}：${device}于${time}发生“${what}”，请立即处置。确认及反馈整改：${link}',
    en: '${unit}: ${device} - ${what} at ${time}. Please act now. Acknowledge / report the fix: ${link}',
  },
  digest: {
    'zh-CN': '${unit}：您有${count}条隐患提醒：${items}。请逐条处置并确认：${link}',
    en: '${unit}: ${count} hazard reminders: ${items}. Please act and acknowledge: ${link}',
  },
  // a periodic summary for a supervisor (the weekly report's SMS to a district's lead inspector): figures, no action
  summary: {
    'zh-CN': '${district}${period}监管周报：${figures}。详见：${link}',
    en: '${district} supervision report ${period}: ${figures}. Details: ${link}',
  },
};

export function render(template: TemplateId, locale: Locale, params: Record<string, string>, signName: string): string {
  const body = TEMPLATES[template][locale].replace(/\$\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
  return locale === 'zh-CN' ? `【${signName}】${body}` : `[${signName === '天网提醒' ? 'Tianwang' : signName}] ${body}`;
}

/** Escalation stages say why they reach someone new: the officer did not react in time. */
export function stageNote(stage: string, locale: Locale, minutes: { principal: number; inspector: number }): string {
  if (stage === 'principal') return locale === 'zh-CN' ? `（安全管理员${minutes.principal}分钟未确认）` : ` (safety officer silent for ${minutes.principal} min)`;
  if (stage === 'inspector') return locale === 'zh-CN' ? `（使用单位${minutes.inspector}分钟未确认）` : ` (unit silent for ${minutes.inspector} min)`;
  if (stage === 'maintenance') return locale === 'zh-CN' ? '（请维保单位立即赶赴现场）' : ' (maintenance: go on site now)';
  return '';
}

/** A rectification the inspector sent back: the reason, cut so that the SMS stays a few segments long. */
export function reworkNote(reason: string, locale: Locale): string {
  const r = reason.replace(/\s+/g, ' ').trim().slice(0, 60);
  return locale === 'zh-CN' ? `（整改未通过：${r}，请重新整改）` : ` (fix rejected: ${r}; please fix again)`;
}

export interface AlarmTextInput {
  unit: string;
  deviceName: string;
  registrationCode?: string;
  location?: string;
  what: string;
  time: string;
  link: string;
}

export function alarmParams(i: AlarmTextInput, locale: Locale): Record<string, string> {
  const extra = [i.registrationCode ? (locale === 'zh-CN' ? `注册代码${i.registrationCode}` : `reg. ${i.registrationCode}`) : '', i.location ?? ''].filter(Boolean);
  const device = extra.length ? (locale === 'zh-CN' ? `${i.deviceName}（${extra.join('，')}）` : `${i.deviceName} (${extra.join(', ')})`) : i.deviceName;
  return { unit: i.unit, device, what: i.what, time: i.time, link: i.link };
}

/** Merges several reminders for one recipient into one message (rate limit), listing each briefly. */
export function digestParams(items: { device: string; what: string; unit?: string }[], link: string, locale: Locale, maxItemsChars = 150): Record<string, string> {
  const sep = locale === 'zh-CN' ? '；' : '; ';
  let text = '';
  let shown = 0;
  for (const [i, it] of items.entries()) {
    const piece = `${i + 1}.${[it.device, it.what].filter(Boolean).join(locale === 'zh-CN' ? '' : ' ')}`;
    if (shown > 0 && text.length + piece.length > maxItemsChars) break;
    text += (shown ? sep : '') + piece;
    shown++;
  }
  if (shown < items.length) text += locale === 'zh-CN' ? `等` : ` and ${items.length - shown} more`;
  // say whose equipment it is: one unit by name, several by the first and a count (inspectors get those)
  const units = [...new Set(items.map((it) => it.unit).filter((u): u is string => Boolean(u)))];
  const fallback = locale === 'zh-CN' ? '设备隐患' : 'Hazards';
  const unit = units.length <= 1 ? (units[0] ?? fallback) : locale === 'zh-CN' ? `${units[0]}等${units.length}个单位` : `${units[0]} and ${units.length - 1} more`;
  return { unit, count: String(items.length), items: text, link };
}
