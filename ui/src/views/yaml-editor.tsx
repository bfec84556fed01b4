/**
 * @module
 * The object as YAML, editable and applied with server-side apply (field
 * manager `duraplane-ui`). A conflict (409, causes of type
 * FieldManagerConflict) lists each field another manager owns with a
 * different value, and that manager, and offers to force.
 */
import { useEffect, useState } from "preact/hooks";
import { stringify } from "yaml";
import { apply } from "../api/actions";
import { ApiError, type KObj, type StatusCause } from "../api/client";
import { useCan } from "../api/hooks";
import type { Kind } from "../api/kinds";

/**
 * The object as an apply configuration: identity, labels, annotations and
 * spec. Status, resourceVersion and managedFields are left out: apply takes
 * no status, and a resourceVersion would turn every later change by anyone
 * into a 409.
 */
function editable(obj: KObj): string {
  const m = obj.metadata as KObj["metadata"] & { annotations?: Record<string, string> };
  const metadata = { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), ...(m.labels ? { labels: m.labels } : {}), ...(m.annotations ? { annotations: m.annotations } : {}) };
  return stringify({ apiVersion: obj.apiVersion, kind: obj.kind, metadata, ...(obj.spec ? { spec: obj.spec } : {}) });
}

/** The fields an apply conflicted on, each with the manager that owns it (`conflict with "kubectl-edit" using apps/v1`). */
function Conflicts(props: { causes: StatusCause[] }) {
  return (
    <table class="kv" data-testid="apply-conflicts" style={{ marginTop: "6px" }}>
      <thead><tr><th>field</th><th>owned by</th></tr></thead>
      <tbody>
        {props.causes.map((c) => (
          <tr key={`${c.field ?? ""} ${c.message ?? ""}`}>
            <td><code>{c.field}</code></td>
            <td>{(c.message ?? "").replace(/^conflict with /, "")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The causes of an apply conflict, if `error` is one. */
function conflictCauses(error: ApiError): StatusCause[] {
  if (error.code !== 409) return [];
  return (error.status.details?.causes ?? []).filter((c) => c.reason === "FieldManagerConflict");
}

/** The YAML card of an object's page. */
export function YamlEditor(props: { kind: Kind; obj: KObj }) {
  const { kind, obj } = props;
  const ns = obj.metadata.namespace;
  const [text, setText] = useState(editable(obj));
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [done, setDone] = useState("");
  const allowed = useCan({ verb: "patch", group: kind.group, resource: kind.plural, ...(ns ? { namespace: ns } : {}), name: obj.metadata.name });
  // Follow the live object until the user starts editing.
  useEffect(() => {
    if (!dirty) setText(editable(obj));
  }, [obj.metadata.resourceVersion, dirty]);
  const run = async (force: boolean) => {
    setError(undefined);
    setDone("");
    try {
      await apply(kind, obj.metadata.name, ns, text, force);
      setDirty(false);
      setDone(force ? "Applied (forced)." : "Applied.");
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, { message: String(err) }));
    }
  };
  return (
    <div>
      <div class="row" style={{ marginBottom: "8px" }}>
        <h2 style={{ margin: 0 }}>YAML</h2>
        <span class="spacer" />
        {dirty && <button onClick={() => { setDirty(false); setText(editable(obj)); }}>Revert</button>}
        {allowed && <button class="primary" disabled={!dirty} onClick={() => void run(false)}>Apply</button>}
      </div>
      {error && (
        <div class="error" role="alert" style={{ marginBottom: "8px" }}>
          {conflictCauses(error).length > 0
            ? <div>{error.code} {error.status.reason}: {conflictCauses(error).length === 1 ? "a field you changed is" : "fields you changed are"} managed by another field manager</div>
            : <div>{error.code} {error.status.reason}: {error.message}</div>}
          {conflictCauses(error).length > 0 && <Conflicts causes={conflictCauses(error)} />}
          {error.code === 409 && allowed && <button class="danger" style={{ marginTop: "6px" }} onClick={() => void run(true)}>Force apply (take the conflicting fields)</button>}
        </div>
      )}
      {done && <div class="notice" style={{ marginBottom: "8px" }}>{done}</div>}
      <textarea class="yaml" spellcheck={false} readOnly={!allowed} value={text} onInput={(e) => { setDirty(true); setText((e.currentTarget as HTMLTextAreaElement).value); }} />
    </div>
  );
}
