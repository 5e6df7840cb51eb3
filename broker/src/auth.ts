import { verifySecret } from '@tianwang/core/crypto';
import type { Logger } from '@tianwang/core/log';
import { DEVICE_ID_PATTERN, statusTopic } from '@tianwang/core/topics';
import type { AuthenticateError, Client } from 'aedes';
import { devicePrincipal, type Principal } from './acl.js';
import type { ClientState, TwClient } from './client-state.js';
import type { DeviceCredentialCache } from './device-auth-source.js';
import type { LoginLimiter } from './login-limiter.js';
import type { BrokerMetrics } from './metrics.js';
import { checkServicePassword, isServiceAccount, serviceClientIdAllowed, SERVICE_USERNAME_PREFIX } from './service-accounts.js';

/** CONNACK return codes of MQTT 3.1.1, table 3.1 */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export type AuthFailure =
  | 'anonymous' | 'unknown_service' | 'service_disabled' | 'bad_service_password' | 'bad_client_id'
  | 'unknown_device' | 'disabled' | 'no_credential' | 'bad_secret' | 'client_id_mismatch' | 'will_topic' | 'registry_unavailable';

const RETURN_CODES: Record<AuthFailure, number> = {
  anonymous: NOT_AUTHORIZED,
  unknown_service: BAD_USERNAME_OR_PASSWORD,
  service_disabled: NOT_AUTHORIZED,
  bad_service_password: BAD_USERNAME_OR_PASSWORD,
  // [MQTT-3.1.3-9] a rejected client ID is answered with 0x02 and the connection closed
  bad_client_id: IDENTIFIER_REJECTED,
  client_id_mismatch: IDENTIFIER_REJECTED,
  unknown_device: BAD_USERNAME_OR_PASSWORD,
  no_credential: BAD_USERNAME_OR_PASSWORD,
  bad_secret: BAD_USERNAME_OR_PASSWORD,
  disabled: NOT_AUTHORIZED,
  will_topic: NOT_AUTHORIZED,
  registry_unavailable: SERVER_UNAVAILABLE,
};

export interface AuthOptions {
  cache: DeviceCredentialCache;
  logins: LoginLimiter;
  servicePassword: string;
  simAdmin: boolean;
  metrics: BrokerMetrics;
  log: Logger;
  /** the client currently registered under an ID, to mark it as taken over */
  registered: (clientId: string) => Client | undefined;
  /** called for every admitted client before its session (and restored subscriptions) is set up */
  admitted?: (client: TwClient) => void;
}

/** The aedes `authenticate` hook: no anonymous clients; devices against the registry, services by role. */
export function createAuthenticate(o: AuthOptions) {
  const release = (st: ClientState) => {
    if (st.loginSlot === 'free') return;
    st.loginSlot = 'free';
    o.logins.release(st.sourceKey);
  };

  const failure = (client: TwClient, username: string | undefined, reason: AuthFailure, done: (e: AuthenticateError | null, ok: boolean | null) => void) => {
    const st = client.tw;
    // a registry outage is not the client's failure: answered at once, not charged to its source
    const delayMs = reason === 'registry_unavailable' ? 0 : o.logins.failureDelay(st.sourceKey);
    o.metrics.authFailures.labels(reason).inc();
    // never the password: only who tried, from where, and why it failed
    o.log.info({ clientId: client.id, username, source: st.source, transport: st.transport, reason, delayMs }, 'login refused');
    const err = new Error(`login refused: ${reason}`) as AuthenticateError;
    (err as { returnCode: number }).returnCode = RETURN_CODES[reason];
    const answer = () => {
      release(st);
      done(err, false);
    };
    if (delayMs === 0) return answer();
    // the source is over its failure rate: the answer (and the slot) waits, even if the client goes away
    o.metrics.limitViolations.labels('login_rate').inc();
    setTimeout(answer, delayMs).unref();
  };

  const success = (client: TwClient, principal: Principal, done: (e: AuthenticateError | null, ok: boolean | null) => void) => {
    const st = client.tw;
    release(st);
    st.principal = principal;
    const previous = o.registered(client.id) as TwClient | undefined;
    // [MQTT-3.1.4-2] aedes closes the previous session with this ID; say why in its presence entry
    if (previous && previous !== client && previous.tw) previous.tw.closeReason = 'takeover';
    o.admitted?.(client);
    done(null, true);
  };

  const check = async (client: TwClient, username: string | undefined, password: Buffer | undefined, done: (e: AuthenticateError | null, ok: boolean | null) => void) => {
    if (!username) return failure(client, username, 'anonymous', done);
    if (username.startsWith(SERVICE_USERNAME_PREFIX)) {
      const account = username.slice(SERVICE_USERNAME_PREFIX.length);
      if (!isServiceAccount(account)) return failure(client, username, 'unknown_service', done);
      if (account === 'sim-admin' && !o.simAdmin) return failure(client, username, 'service_disabled', done);
      if (!checkServicePassword(o.servicePassword, account, password)) return failure(client, username, 'bad_service_password', done);
      if (!(client.tw.emptyClientId && client.clean) && !serviceClientIdAllowed(account, client.id)) return failure(client, username, 'bad_client_id', done);
      return success(client, { type: 'service', account }, done);
    }
    if (!DEVICE_ID_PATTERN.test(username)) return failure(client, username, 'unknown_device', done);
    // the client ID must be the device ID: nobody else can take over this device's session
    if (client.id !== username) return failure(client, username, 'client_id_mismatch', done);
    let auth;
    try {
      auth = await o.cache.get(username);
    } catch (err) {
      o.log.warn({ err, clientId: username }, 'device registry lookup failed');
      return failure(client, username, 'registry_unavailable', done);
    }
    if (!auth) return failure(client, username, 'unknown_device', done);
    if (!auth.credentialHash) return failure(client, username, 'no_credential', done);
    if (!password || !verifySecret(password.toString('utf8'), auth.credentialHash)) return failure(client, username, 'bad_secret', done);
    if (!auth.enabled) return failure(client, username, 'disabled', done);
    const will = (client as unknown as { _will?: { topic: string } | null })._will;
    if (will && will.topic !== statusTopic(auth.kind, auth.id)) return failure(client, username, 'will_topic', done);
    return success(client, devicePrincipal(auth.id, auth.kind, auth.credentialHash), done);
  };

  return function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (e: AuthenticateError | null, ok: boolean | null) => void): void {
    const c = client as TwClient;
    // credentials are checked at once; only a failure's answer waits (login-limiter.ts)
    if (c.tw.loginSlot === 'held') c.tw.loginSlot = 'judging';
    void check(c, username, password, done);
  };
}
