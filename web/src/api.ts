/** Calls to the API as the signed-in session: the cookie rides along, state changes carry the CSRF token. */
export interface Session {
  id: string;
  role: 'reviewer' | 'collector' | 'ops' | 'admin';
  name: string;
  csrfToken: string;
  expiresAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    // A rule's refusal names its message per field; that sentence is what the reviewer should read.
    const first = (data.errors as { field: string; message: string }[] | undefined)?.[0];
    throw new ApiError(res.status, first?.message ?? String(data.detail ?? res.statusText), first?.field);
  }
  return data as T;
}

export async function signIn(apiKey: string): Promise<Session> {
  const s = await api<Session>('POST', '/console/session', { apiKey });
  csrfToken = s.csrfToken;
  return s;
}

export async function restoreSession(): Promise<Session | null> {
  try {
    const s = await api<Session>('GET', '/console/session');
    csrfToken = s.csrfToken;
    return s;
  } catch {
    return null;
  }
}

export async function signOut(): Promise<void> {
  await api('DELETE', '/console/session');
  csrfToken = '';
}
