/**
 * @module
 * A button for one write, shown only when a SelfSubjectAccessReview allows
 * it; a refusal's Status message is shown beside it.
 */
import { useState } from "preact/hooks";
import type { AccessQuery } from "../api/access";
import { ApiError } from "../api/client";
import { useCan } from "../api/hooks";

/** One action: hidden unless `access` is allowed; runs `run` on click (after `confirm`, if given). */
export function ActionButton(props: { label: string; access: AccessQuery; run: () => Promise<unknown>; danger?: boolean; confirm?: string }) {
  const allowed = useCan(props.access);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  if (!allowed) return null;
  const click = async () => {
    if (props.confirm && !confirm(props.confirm)) return;
    setBusy(true);
    setError("");
    try {
      await props.run();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="row">
      <button class={props.danger ? "danger" : ""} disabled={busy} onClick={() => void click()} data-action={props.label}>{props.label}</button>
      {error && <span class="error" role="alert">{error}</span>}
    </span>
  );
}
