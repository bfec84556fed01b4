/**
 * @module
 * The login: a bearer token (a kubeconfig's `users[].user.token`) kept in
 * sessionStorage, so it lasts as long as the tab and never reaches disk.
 */
const KEY = "duraplane.token";

/** The session's token, or undefined before login. */
export function token(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

/**
 * Takes what the user pasted: a bare token, or a whole kubeconfig (its first
 * `token:` line).
 */
export function tokenFromPaste(pasted: string): string {
  const line = /^\s*token:\s*["']?([^"'\s]+)["']?\s*$/m.exec(pasted);
  return (line?.[1] ?? pasted).trim();
}

/** Keeps the token for this tab. */
export function saveToken(value: string): void {
  sessionStorage.setItem(KEY, value);
}

/** Forgets the token. */
export function logout(): void {
  sessionStorage.removeItem(KEY);
}
