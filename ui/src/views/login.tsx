/**
 * @module
 * Login: paste a token or a whole kubeconfig; the token is checked with a
 * SelfSubjectReview (whoami) and kept in sessionStorage.
 */
import { useState } from "preact/hooks";
import { ApiError, request } from "../api/client";
import { logout, saveToken, tokenFromPaste } from "../api/session";

export interface WhoAmI { status?: { userInfo?: { username?: string; groups?: string[] } } }

/** Asks the API who the session's token belongs to. */
export function whoAmI(): Promise<WhoAmI> {
  return request<WhoAmI>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview",
  });
}

/** The login form; `onLogin` gets the whoami answer once the API accepted the token. */
export function Login(props: { onLogin: (who: WhoAmI) => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const token = tokenFromPaste(text);
    if (!token) return;
    setBusy(true);
    saveToken(token);
    try {
      props.onLogin(await whoAmI());
    } catch (err) {
      logout();
      setError(err instanceof ApiError && err.code === 401 ? "The API did not accept that token (401 Unauthorized)." : String(err instanceof Error ? err.message : err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="login panel" onSubmit={(e) => void submit(e)}>
      <div class="brand" style={{ fontSize: "20px" }}>dura<span>plane</span></div>
      <div class="muted">
        Paste a bearer token, or the whole kubeconfig <code>npm start</code> wrote (<code>.duraplane/kubeconfig</code>).
        It stays in this tab's session storage; every call goes through the API as that user.
      </div>
      <textarea name="token" placeholder="token or kubeconfig" value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} autofocus />
      {error && <div class="error" role="alert">{error}</div>}
      <div class="row"><button class="primary" type="submit" disabled={busy || !text.trim()}>Log in</button></div>
    </form>
  );
}
