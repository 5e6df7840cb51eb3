import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createFakeServer, failureScript, json, listen, readBody, waiter, type FakeProviderBase, type ReceivedSms } from './fake-common.js';

/**
 * A local endpoint that answers like Aliyun SMS (dysmsapi, API version 2017-05-25, action SendSms) and checks
 * what the SDK sends: the ACS3-HMAC-SHA256 signature of the current SDK (Authorization header over the canonical
 * request), or the older RPC signature (HMAC-SHA1 "Signature" query parameter), the required parameters, and the
 * template parameters as JSON. Business errors come in a 200 body, as the real service does.
 */
export interface FakeAliyun extends FakeProviderBase {
  /** "127.0.0.1:port" */
  host: string;
  accessKeyId: string;
  accessKeySecret: string;
  /**
   * Sets what QuerySendDetails reports for a message (BizId): 1 waiting for the receipt (the default after a send),
   * 2 failed with `errCode`, 3 delivered.
   */
  setReceipt(bizId: string, sendStatus: 1 | 2 | 3, errCode?: string): void;
}

const MOBILE = /^(?:86)?1\d{10}$/;

// the SDK's percent-encoding (RFC 3986 plus !'()*)
const enc = (s: string) => encodeURIComponent(s).replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');

function verifyAcs3(method: string, path: string, query: URLSearchParams, headers: Record<string, string | string[] | undefined>, body: Buffer, secret: string): string | undefined {
  const auth = String(headers.authorization ?? '');
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(auth);
  if (!m) return 'IncompleteSignature';
  const signed = m[2]!.split(';');
  if (!signed.includes('host') || !signed.includes('x-acs-date') || !signed.includes('x-acs-signature-nonce')) return 'IncompleteSignature';
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (headers['x-acs-content-sha256'] !== payloadHash) return 'ContentSHA256NotMatched';
  const canonicalQuery = [...new Set(query.keys())].sort().map((k) => `${k}=${enc(query.get(k) ?? '')}`).join('&');
  const canonicalHeaders = signed.map((h) => `${h}:${String(headers[h] ?? '').trim()}\n`).join('');
  const canonicalRequest = `${method}\n${path}\n${canonicalQuery}\n${canonicalHeaders}\n${signed.join(';')}\n${payloadHash}`;
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
  return expected === m[3] ? undefined : 'SignatureDoesNotMatch';
}

function verifyRpcV1(method: string, params: URLSearchParams, secret: string): string | undefined {
  const sig = params.get('Signature');
  if (!sig) return 'IncompleteSignature';
  const keys = [...new Set(params.keys())].filter((k) => k !== 'Signature').sort();
  const canonical = keys.map((k) => `${enc(k)}=${enc(params.get(k) ?? '')}`).join('&');
  const stringToSign = `${method}&${enc('/')}&${enc(canonical)}`;
  const expected = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  return expected === sig ? undefined : 'SignatureDoesNotMatch';
}

export async function startFakeAliyun(o: { accessKeyId?: string; accessKeySecret?: string; port?: number } = {}): Promise<FakeAliyun> {
  const accessKeyId = o.accessKeyId ?? 'LTAI-test-key';
  const accessKeySecret = o.accessKeySecret ?? 'test-secret-0123456789';
  const received: ReceivedSms[] = [];
  const receipts = new Map<string, { sendStatus: 1 | 2 | 3; errCode: string; at: number }>();
  let seq = 0;
  const script = failureScript();
  // China time as Aliyun writes it: "yyyy-MM-dd HH:mm:ss"
  const chinaTime = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  /** QuerySendDetails: PhoneNumber, SendDate (yyyyMMdd), PageSize (≤ 50) and CurrentPage are required; BizId narrows to one send. */
  const querySendDetails = (all: URLSearchParams, requestId: string, res: Parameters<typeof json>[0]) => {
    const phone = all.get('PhoneNumber') ?? '';
    const day = all.get('SendDate') ?? '';
    const size = Number(all.get('PageSize'));
    const page = Number(all.get('CurrentPage'));
    if (!phone || !/^\d{8}$/.test(day) || !(size >= 1 && size <= 50) || !(page >= 1)) return json(res, 400, { Code: 'MissingParameter', Message: 'PhoneNumber, SendDate, PageSize and CurrentPage are required', RequestId: requestId });
    const bizId = all.get('BizId');
    const rows = received.filter((r) => r.provider === 'aliyun' && r.to === phone && (!bizId || r.messageId === bizId) && chinaTime(r.at).slice(0, 10).replace(/-/g, '') === day);
    const dtos = rows.slice((page - 1) * size, page * size).map((r) => {
      const rc = receipts.get(r.messageId) ?? { sendStatus: 1 as const, errCode: '', at: r.at };
      return {
        PhoneNum: r.to, SendStatus: rc.sendStatus, ErrCode: rc.sendStatus === 3 ? 'DELIVERED' : rc.errCode, TemplateCode: r.templateCode, Content: JSON.stringify(r.params ?? {}),
        SendDate: chinaTime(r.at), ReceiveDate: rc.sendStatus === 1 ? '' : chinaTime(rc.at), OutId: '',
      };
    });
    return json(res, 200, { Code: 'OK', Message: 'OK', RequestId: requestId, TotalCount: String(rows.length), SmsSendDetailDTOs: { SmsSendDetailDTO: dtos } });
  };
  const fake = { attempts: 0, delayMs: 0 } as FakeAliyun;
  const server = createFakeServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    fake.attempts++;
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    const requestId = randomUUID().toUpperCase();
    const method = req.method ?? 'GET';
    if (url.pathname !== '/' || (method !== 'POST' && method !== 'GET')) return json(res, 404, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found', RequestId: requestId });
    // parameters may come in the query (current SDK) or a form body (older SDKs)
    const params = new URLSearchParams(url.search);
    const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body.toString('utf8')) : undefined;
    const all = new URLSearchParams([...params, ...(form ?? [])]);
    const action = all.get('Action') ?? String(req.headers['x-acs-action'] ?? '');
    const version = all.get('Version') ?? String(req.headers['x-acs-version'] ?? '');
    if (action !== 'SendSms' && action !== 'QuerySendDetails') return json(res, 404, { Code: 'InvalidAction.NotFound', Message: `Specified api is not found: ${action}`, RequestId: requestId });
    if (version !== '2017-05-25') return json(res, 400, { Code: 'InvalidVersion', Message: `Specified parameter Version is not valid: ${version}`, RequestId: requestId });
    const keyId = all.get('AccessKeyId') ?? /Credential=([^,]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (keyId !== accessKeyId) return json(res, 404, { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.', RequestId: requestId });
    const sigError = all.has('Signature') ? verifyRpcV1(method, all, accessKeySecret) : verifyAcs3(method, url.pathname, params, req.headers, body, accessKeySecret);
    if (sigError) return json(res, 400, { Code: sigError, Message: 'The request signature does not conform to Aliyun standards.', RequestId: requestId });
    if (action === 'QuerySendDetails') return querySendDetails(all, requestId, res);
    const phones = all.get('PhoneNumbers') ?? '';
    const signName = all.get('SignName');
    const templateCode = all.get('TemplateCode');
    if (!phones || !signName || !templateCode) return json(res, 400, { Code: 'MissingParameter', Message: 'PhoneNumbers, SignName and TemplateCode are required', RequestId: requestId });
    let templateParams: Record<string, string> = {};
    try {
      templateParams = JSON.parse(all.get('TemplateParam') ?? '{}') as Record<string, string>;
    } catch {
      return json(res, 200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值', RequestId: requestId });
    }
    const failure = script.take(phones);
    if (failure?.kind === 'drop') return void req.socket.destroy();
    if (failure?.kind === 'http') return json(res, failure.status, { Code: String(failure.code ?? 'ServiceUnavailable'), Message: failure.message ?? 'The request has failed due to a temporary failure of the server.', RequestId: requestId });
    if (failure?.kind === 'business') return json(res, 200, { Code: failure.code, Message: failure.message ?? failure.code, RequestId: requestId });
    if (!phones.split(',').every((p) => MOBILE.test(p))) return json(res, 200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号', RequestId: requestId });
    const bizId = `${Date.now()}${String(++seq).padStart(4, "0")}^0`;
    for (const to of phones.split(',')) received.push({ provider: 'aliyun', to, signName, templateCode, params: templateParams, at: Date.now(), messageId: bizId });
    return json(res, 200, { Code: 'OK', Message: 'OK', BizId: bizId, RequestId: requestId });
  });
  const port = await listen(server, o.port);
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    accessKeyId,
    accessKeySecret,
    setReceipt: (bizId: string, sendStatus: 1 | 2 | 3, errCode = '') => void receipts.set(bizId, { sendStatus, errCode, at: Date.now() }),
    received,
    failNext: script.failNext,
    failFor: script.failFor,
    failWith: script.failWith,
    waitFor: waiter(received),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  });
}
