import { ElMessage, ElMessageBox } from 'element-plus';
import { ref, type Ref } from 'vue';
import { ApiError, api } from '@/api/http';
import { i18n } from '@/i18n';
import type { Resource, Row } from './resource';

const t = (k: string, named?: Record<string, unknown>) => (named ? i18n.global.t(k, named) : i18n.global.t(k));

export interface ShownSecret {
  id: string;
  secret: string;
}

/**
 * The row actions of a registry page beyond editing: disable/enable, rotate a credential (the new secret is shown
 * once), and an admin setting a user's password. `changed` reloads the list after each.
 */
export function useRegistryActions(res: Ref<Resource>, changed: () => void) {
  const secret = ref<ShownSecret | null>(null);
  const secretOpen = ref(false);
  const label = (r: Row) => String(r.name ?? r.displayName ?? r.username ?? r.id);
  const url = (r: Row, tail = '') => `/${res.value.path}/${encodeURIComponent(String(r.id))}${tail}`;

  async function confirm(text: string, title: string): Promise<boolean> {
    try {
      await ElMessageBox.confirm(text, title, { type: 'warning', confirmButtonText: t('common.confirm'), cancelButtonText: t('common.cancel') });
      return true;
    } catch {
      return false;
    }
  }

  async function run(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      changed();
    } catch (e) {
      ElMessage.error(e instanceof ApiError ? `${e.message}（${e.code}）` : t('common.loadFailed'));
    }
  }

  /** A create answer that carries a secret (a device, a push camera) shows it once. */
  function showSecret(answer: unknown, fallbackId: string) {
    const a = answer as { secret?: string | null; id?: string; device?: { id: string }; camera?: { id: string } } | undefined;
    if (!a?.secret) return;
    secret.value = { id: a.device?.id ?? a.camera?.id ?? a.id ?? fallbackId, secret: a.secret };
    secretOpen.value = true;
  }

  async function toggle(r: Row) {
    const on = r.enabled === false;
    if (await confirm(t(on ? 'registry.enableConfirm' : 'registry.disableConfirm', { name: label(r) }), t(on ? 'common.enable' : 'common.disable')))
      await run(() => api.patch(url(r), { enabled: on }));
  }

  async function rotate(r: Row) {
    if (await confirm(t('registry.rotateConfirm'), t('registry.rotate'))) await run(async () => showSecret(await api.post(url(r, '/credential')), String(r.id)));
  }

  async function setPassword(r: Row) {
    let value: string;
    try {
      const answer = await ElMessageBox.prompt(t('registry.newPasswordFor', { name: label(r) }), t('registry.setPassword'), {
        inputType: 'password',
        inputValidator: (v: string) => (v && v.length >= 10) || t('account.tooShort'),
        confirmButtonText: t('common.save'),
        cancelButtonText: t('common.cancel'),
      });
      value = (answer as { value: string }).value;
    } catch {
      return;
    }
    await run(async () => {
      await api.post(url(r, '/password'), { password: value });
      ElMessage.success(t('registry.passwordSet'));
    });
  }

  return { secret, secretOpen, showSecret, toggle, rotate, setPassword };
}
