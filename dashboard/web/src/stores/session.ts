import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, api, setCsrfToken } from '@/api/http';
import type { Me, Role, User } from '@/api/types';

/** Who is signed in. The session itself is the HttpOnly cookie; the app keeps the user and the CSRF token. */
export const useSession = defineStore('session', () => {
  const user = ref<User | null>(null);
  /** true once GET /me answered (signed in or not) */
  const checked = ref(false);

  function set(me: Me | null) {
    user.value = me?.user ?? null;
    setCsrfToken(me?.csrfToken ?? '');
    checked.value = true;
  }

  /** Asks the server who we are; null without a valid session. */
  async function load(): Promise<User | null> {
    try {
      set(await api.get<Me>('/me'));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
      set(null);
    }
    return user.value;
  }

  async function login(username: string, password: string): Promise<void> {
    set(await api.post<Me>('/auth/login', { username, password }));
  }

  async function logout(): Promise<void> {
    try {
      await api.post('/auth/logout');
    } finally {
      set(null);
    }
  }

  /** The server revokes every session of the user and issues this browser a fresh one (and token). */
  async function changePassword(current: string, next: string): Promise<void> {
    await api.post('/auth/password', { current, next });
    await load();
  }

  /** The server said 401: the session expired or was revoked. */
  function expired() {
    set(null);
  }

  const role = computed<Role | null>(() => user.value?.role ?? null);
  const can = (...roles: Role[]) => role.value !== null && roles.includes(role.value);

  return { user, checked, role, can, load, login, logout, changePassword, expired };
});
