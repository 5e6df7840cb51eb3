import { ElMessage, type FormInstance } from 'element-plus';
import { reactive, ref, type Ref } from 'vue';
import { ApiError } from '@/api/http';
import { i18n } from '@/i18n';

/**
 * The save button of a form in a dialog: validate, send, say "saved", close, hand the answer on; a refusal shows the
 * server's message with its code and keeps the dialog open with what was typed.
 */
export function useDialogForm<T>(open: Ref<boolean>, submit: () => Promise<T>, done: (answer: T) => void) {
  const formRef = ref<FormInstance>();
  const busy = ref(false);
  async function save(): Promise<void> {
    if (!(await formRef.value?.validate().catch(() => false))) return;
    busy.value = true;
    try {
      const answer = await submit();
      ElMessage.success(i18n.global.t('common.saved'));
      open.value = false;
      done(answer);
    } catch (e) {
      ElMessage.error({ message: e instanceof ApiError ? `${e.message}（${e.code}）` : i18n.global.t('common.loadFailed'), duration: 6000 });
    } finally {
      busy.value = false;
    }
  }
  return { formRef, busy, save };
}

/**
 * useDialogForm for a dialog that adds a record: the form starts blank, is sent as typed, and is blank again once
 * saved (a refusal keeps what was typed).
 */
export function useRecordForm<F extends object, T>(open: Ref<boolean>, blank: () => F, submit: (form: F) => Promise<T>, saved: (answer: T) => void) {
  const form = reactive(blank()) as F;
  const dialog = useDialogForm(open, () => submit(form), (answer) => {
    Object.assign(form, blank());
    saved(answer);
  });
  return { form, ...dialog };
}
