import { escapeHtml as h } from '../../http/security.js';
import { CHECKLIST } from '../../kitchens/checklist.js';

export interface RectifyView {
  kitchen: string;
  licenceNo: string;
  round: number;
  dueOn: string;
  /** round 1: failed checklist keys (comma separated); later: the inspector's reason */
  reason: string;
  recordedAt: string;
  /** what the link may still do: reply (the round is open), or only show where things stand */
  state: 'open' | 'replied' | 'superseded' | 'closed';
  reply?: { note: string; photos: number; at: string };
}

const STATE: Record<RectifyView['state'], [string, string]> = {
  open: ['待整改', 'fix pending'],
  replied: ['已提交整改，等待复查', 'fix reported, waiting for the re-check'],
  superseded: ['此通知已被新的整改通知取代，请查看最新短信', 'a newer notice replaced this one: see the latest SMS'],
  closed: ['复查通过，已结案', 're-check passed, closed'],
};

export const RECTIFY_CSS = `.items li{margin:4px 0}.photos{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}.photos img{width:72px;height:72px;object-fit:cover;border-radius:4px}
input[type=file]{width:100%;margin:8px 0}.err{color:#c7000b}`;

/** Uploads each chosen photo as its own request (the bytes are the body), then posts the note form. */
export const RECTIFY_SCRIPT = `(()=>{const f=document.getElementById('reply');if(!f)return;const files=document.getElementById('photos'),prev=document.getElementById('preview'),st=document.getElementById('upload-state');
files.addEventListener('change',()=>{prev.textContent='';for(const x of files.files){const i=document.createElement('img');i.src=URL.createObjectURL(x);prev.append(i)}});
f.addEventListener('submit',async(e)=>{e.preventDefault();const b=f.querySelector('button');b.disabled=true;try{let n=0;for(const x of files.files){st.textContent='上传照片 '+(++n)+'/'+files.files.length+' Uploading';
const r=await fetch(f.dataset.photos,{method:'POST',headers:{'content-type':x.type,'x-csrf-token':f.elements.csrf.value},body:x});if(!r.ok){const j=await r.json().catch(()=>({}));throw new Error(j.message||r.status)}}
f.submit()}catch(err){st.textContent='上传失败 Upload failed: '+err.message;st.className='err';b.disabled=false}})})();`;

export function rectifyCard(v: RectifyView, linkPath: string, csrf: string): string {
  const items = v.round === 1
    ? CHECKLIST.filter((c) => v.reason.split(',').includes(c.key)).map((c) => `<li>${h(c.label)} <span class="en">${h(c.en)}</span></li>`).join('')
    : `<li>${h(v.reason)}</li>`;
  const form = v.state !== 'open' ? '' : `<form id="reply" method="post" action="${h(linkPath)}/reply" data-photos="${h(linkPath)}/photos">
<input type="hidden" name="csrf" value="${h(csrf)}">
<label for="photos">整改照片（最多9张，JPEG/PNG/WebP，每张≤5MB）<span class="en">Photos of the fix (up to 9)</span></label>
<input id="photos" type="file" accept="image/jpeg,image/png,image/webp" multiple required><div id="preview" class="photos"></div>
<label for="note">整改说明 <span class="en">What was done</span></label>
<textarea id="note" name="note" required maxlength="500" placeholder="例：已为全部员工配发帽子口罩，垃圾桶已加盖"></textarea>
<p id="upload-state" role="status"></p><button type="submit">提交整改 <span class="en">Send the fix</span></button></form>`;
  const reply = v.reply ? `<dt>整改反馈 <span class="en">Reply</span></dt><dd>${h(v.reply.note)}<br>照片 ${v.reply.photos} 张 <span class="en">${v.reply.photos} photos</span> · ${h(v.reply.at)}</dd>` : '';
  return `<section class="card"><h1>整改通知 <span class="en">Rectification notice</span></h1>
<dl><dt>餐饮单位 <span class="en">Restaurant</span></dt><dd>${h(v.kitchen)}<br>许可证 <span class="en">Licence</span> ${h(v.licenceNo)}</dd>
<dt>线上抽检 <span class="en">Online inspection</span></dt><dd>${h(v.recordedAt)}${v.round > 1 ? `（第${v.round}次通知）<span class="en">notice ${v.round}</span>` : ''}</dd>
<dt>${v.round === 1 ? '不合格项 <span class="en">Failed items</span>' : '退回原因 <span class="en">Why the fix was sent back</span>'}</dt><dd><ul class="items">${items}</ul></dd>
<dt>整改期限 <span class="en">Fix by</span></dt><dd>${h(v.dueOn)}</dd>
<dt>状态 <span class="en">Status</span></dt><dd class="status">${h(STATE[v.state][0])} <span class="en">${h(STATE[v.state][1])}</span></dd>${reply}</dl>
${form}</section>`;
}
