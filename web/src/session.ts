import { reactive } from 'vue';
import { api, call, type Me, setCsrfToken } from './api/client';

/** The signed-in identity, as /api/v1/auth/me describes it (null when signed out). */
export const session = reactive<{ me: Me | null; checked: boolean }>({ me: null, checked: false });

export function can(permission: string): boolean {
  return session.me?.permissions.includes(permission) ?? false;
}

export async function loadSession(): Promise<Me | null> {
  try {
    const me = await call(api.GET('/api/v1/auth/me'));
    setCsrfToken(me.csrfToken);
    session.me = me;
  } catch {
    session.me = null;
    setCsrfToken(undefined);
  }
  session.checked = true;
  return session.me;
}

export async function signIn(username: string, password: string): Promise<void> {
  const r = await call(api.POST('/api/v1/auth/login', { body: { username, password } }));
  setCsrfToken(r.csrfToken);
  await loadSession();
}

export async function signOut(): Promise<void> {
  try {
    await call(api.POST('/api/v1/auth/logout'));
  } finally {
    clearSession();
  }
}

export function clearSession(): void {
  session.me = null;
  setCsrfToken(undefined);
}
