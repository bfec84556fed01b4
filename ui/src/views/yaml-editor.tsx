/**
 * @module
 * The object as YAML, editable and applied with server-side apply (field
 * manager `duraplane-ui`). A conflict shows the API's Status message, which
 * names the other managers' fields, and offers to force.
 */
import { useEffect, useState } from "preact/hooks";
import { stringify } from "yaml";
import { apply } from "../api/actions";
import { ApiError, type KObj } from "../api/client";
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
          <div>{error.code} {error.status.reason}: {error.message}</div>
          {error.code === 409 && allowed && <button class="danger" style={{ marginTop: "6px" }} onClick={() => void run(true)}>Force apply (take the conflicting fields)</button>}
        </div>
      )}
      {done && <div class="notice" style={{ marginBottom: "8px" }}>{done}</div>}
      <textarea class="yaml" spellcheck={false} readOnly={!allowed} value={text} onInput={(e) => { setDirty(true); setText((e.currentTarget as HTMLTextAreaElement).value); }} />
    </div>
  );
}
