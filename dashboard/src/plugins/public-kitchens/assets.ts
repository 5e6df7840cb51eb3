/**
 * The public kitchen pages' stylesheet and script, served as files (/k/assets/…) so that the pages carry no inline
 * code and stay cacheable as they are (no per-response nonce). Mobile first: one column, large tap targets.
 */
export const CSS = `body{font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f5f7;color:#1d2129}
main{max-width:560px;margin:0 auto;padding:12px}header{background:#0b7a3e;color:#fff;padding:12px 16px}header b{font-size:18px}header a{color:#fff;text-decoration:none}
.en{color:#6b7280;font-size:.85em}header .en,button .en{color:#d9f2e3}.card{background:#fff;border-radius:8px;padding:16px;margin:12px 0;box-shadow:0 1px 2px #0001}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px}dl{margin:8px 0}dt{color:#6b7280;font-size:13px}dd{margin:0 0 6px}
.badge{display:inline-block;border-radius:4px;padding:0 8px;color:#fff;font-weight:600}.pass,.A{background:#0b7a3e}.B{background:#2f6fd6}.fail,.C{background:#d46b08}.none{background:#9ca3af}
button,.button{display:block;box-sizing:border-box;font-size:17px;padding:10px 16px;border:0;border-radius:6px;background:#0b7a3e;color:#fff;width:100%;margin-top:8px;text-align:center;text-decoration:none}
video{width:100%;aspect-ratio:16/9;background:#000;border-radius:6px}.tabs button{display:inline-block;width:auto;margin:4px 4px 0 0;padding:4px 10px;font-size:14px;background:#e5e7eb;color:#1d2129}
.tabs button[aria-pressed=true]{background:#0b7a3e;color:#fff}.msg{color:#4b5563}form.search{display:flex;flex-wrap:wrap;gap:8px}form.search select,form.search input{font:inherit;padding:8px;flex:1 1 140px}
ul.list{list-style:none;padding:0;margin:0}ul.list li{border-top:1px solid #eee;padding:10px 0}ul.list a{color:#0b7a3e;font-weight:600;text-decoration:none}.qr a{color:#0b7a3e;margin-left:8px}
.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}[hidden]{display:none!important}.badge .en{color:#f3f4f6}`;

/**
 * The live view: asks for a grant when the visitor taps (a page view costs no viewer place), plays the HLS stream
 * natively (Safari, Chrome on Android and recent desktop Chrome) or through mpegts.js (HTTP-FLV) where the browser
 * has no HLS; muted, inline. The grant's time is the viewer's limit, and the relay enforces it: it refuses the HLS
 * playlist and ends an HTTP-FLV stream at the grant's expiry. So when a stream ends or fails (either player) the page
 * asks: time left (a playlist the relay is still preparing, 503; a relay restart) → the same URLs again, after 1.5 s,
 * at most 20 times; no time left → the time-limit message and the button, and only a new tap asks for a new grant
 * (which the dashboard's rules decide). A timer at the grant's end does the same for a stream that simply stalls.
 */
export const JS = `(()=>{const box=document.getElementById('live');if(!box)return;const msg=box.querySelector('.msg'),btn=box.querySelector('button.watch'),stage=box.querySelector('.stage'),tabs=box.querySelector('.tabs');
const say=(zh,en)=>{msg.textContent='';msg.append(zh+' ');const s=document.createElement('span');s.className='en';s.textContent=en;msg.append(s)};
let player=null,cur=null,timer=null,until=0,tries=0;const stop=()=>{if(player){player.destroy();player=null}stage.textContent=''};
const timeUp=()=>{clearTimeout(timer);stop();cur=null;tabs.textContent='';say('本次观看时间已到','Time is up for this view');btn.hidden=false;btn.disabled=false};
const ended=st=>{if(!player||cur!==st)return;if(until-Date.now()<1500)return timeUp();if(tries++<20)setTimeout(()=>{if(player&&cur===st)play(st,true)},1500)};
async function mpegts(){if(window.mpegts)return window.mpegts;await new Promise((ok,no)=>{const s=document.createElement('script');s.src='/k/assets/mpegts.js';s.onload=ok;s.onerror=no;document.head.append(s)});return window.mpegts}
async function play(st,again){stop();if(!again)tries=0;cur=st;const end=()=>ended(st);const v=document.createElement('video');v.muted=true;v.autoplay=true;v.playsInline=true;v.controls=true;v.setAttribute('muted','');v.setAttribute('playsinline','');stage.append(v);
if(v.canPlayType('application/vnd.apple.mpegurl')){v.onerror=end;v.onended=end;v.src=st.hls;player={destroy(){v.onerror=v.onended=null;v.removeAttribute('src');v.load();v.remove()}}}
else{const m=await mpegts();if(cur!==st)return;const p=m.createPlayer({type:'flv',isLive:true,url:st.flv},{enableStashBuffer:false,liveBufferLatencyChasing:true});p.on(m.Events.ERROR,end);p.on(m.Events.LOADING_COMPLETE,end);p.attachMediaElement(v);p.load();player={destroy(){p.destroy();v.remove()}}}
v.play().catch(()=>{})}
btn.addEventListener('click',async()=>{btn.disabled=true;say('正在连接…','Connecting…');try{const r=await fetch(box.dataset.grant,{method:'POST'});const g=await r.json();
if(g.state!=='live'){const t={closed:['当前不在营业时间，直播时间 '+g.businessHours,'Live only during business hours '+g.businessHours],full:['观看人数已满，请稍后再试','Too many viewers now, try again later'],none:['暂无可观看的画面','No camera to show'],off:['本店未开放后厨直播','No public live view']}[g.state]||['暂时无法观看','Not available now',];say(t[0],t[1]);btn.disabled=false;return}
until=Date.now()+g.seconds*1000;clearTimeout(timer);timer=setTimeout(timeUp,g.seconds*1000);tabs.textContent='';g.streams.forEach((st,i)=>{const b=document.createElement('button');b.type='button';b.textContent=st.label+' '+st.labelEn;b.setAttribute('aria-pressed',String(i===0));
b.onclick=()=>{tabs.querySelectorAll('button').forEach(x=>x.setAttribute('aria-pressed','false'));b.setAttribute('aria-pressed','true');play(st)};tabs.append(b)});
await play(g.streams[0]);say('直播中（静音），每次可观看 '+Math.ceil(g.seconds/60)+' 分钟','Live, muted; '+Math.ceil(g.seconds/60)+' min per view');btn.hidden=true}
catch(e){say('连接失败，请稍后再试','Could not connect, try again');btn.disabled=false}})})();`;
