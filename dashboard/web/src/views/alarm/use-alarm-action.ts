import { ElMessage } from 'element-plus';
import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { actionError } from './alarm-errors';

/**
 * One step on an alarm (acknowledge, comment, assign, report the fix, verify): busy while it runs, the success
 * message, the server's refusal in words, and `done` (the detail reads the alarm again) after a success.
 */
export function useAlarmAction(done: () => void) {
  const { t } = useI18n();
  const busy = ref(false);
  async function run(step: () => Promise<unknown>, success?: string): Promise<boolean> {
    busy.value = true;
    try {
      await step();
      if (success) ElMessage.success(t(success));
      done();
      return true;
    } catch (e) {
      ElMessage.error(actionError(e, t));
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { busy, run };
}
