/**
 * @module
 * The actions of an object's page, by kind; each gated by an access review.
 */
import { useState } from "preact/hooks";
import { cordon, remove, scale, vmAction, vmiAction } from "../api/actions";
import type { KObj } from "../api/client";
import type { Kind } from "../api/kinds";
import { ActionButton } from "../components/action-button";
import { useCan } from "../api/hooks";
import { condition, counts, field } from "../format";
import { href } from "../router";

const SUB = "subresources.kubevirt.io";

function ScaleControl(props: { kind: Kind; obj: KObj }) {
  const { kind, obj } = props;
  const ns = obj.metadata.namespace ?? "";
  const [value, setValue] = useState(String(counts(obj)?.desired ?? 1));
  const allowed = useCan({ verb: "patch", group: kind.group, resource: kind.plural, namespace: ns, name: obj.metadata.name });
  if (!allowed) return null;
  return (
    <span class="row">
      <input type="number" min="0" aria-label="replicas" value={value} style={{ width: "72px" }} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
      <ActionButton label="Scale" access={{ verb: "patch", group: kind.group, resource: kind.plural, namespace: ns, name: obj.metadata.name }} run={() => scale(kind, ns, obj.metadata.name, Number(value))} />
    </span>
  );
}

/** The buttons of an object's page, by kind, each shown only when allowed. */
export function ObjectActions(props: { kind: Kind; obj: KObj }) {
  const { kind, obj } = props;
  const ns = obj.metadata.namespace ?? "";
  const name = obj.metadata.name;
  const canConsole = useCan(kind.key === "vmis" ? { verb: "get", group: SUB, resource: "virtualmachineinstances", subresource: "console", namespace: ns, name } : undefined);
  const canVnc = useCan(kind.key === "vmis" ? { verb: "get", group: SUB, resource: "virtualmachineinstances", subresource: "vnc", namespace: ns, name } : undefined);
  const canLogs = useCan(kind.key === "pods" ? { verb: "get", group: "", resource: "pods", subresource: "log", namespace: ns, name } : undefined);
  const canExec = useCan(kind.key === "pods" ? { verb: "create", group: "", resource: "pods", subresource: "exec", namespace: ns, name } : undefined);
  const vmRequest = (verb: "start" | "stop" | "restart") => ({ verb: "update", group: SUB, resource: "virtualmachines", subresource: verb, namespace: ns, name });
  const vmiRequest = (verb: "pause" | "unpause") => ({ verb: "update", group: SUB, resource: "virtualmachineinstances", subresource: verb, namespace: ns, name });
  const printable = field.str(field.rec(obj.status).printableStatus);
  const paused = condition(obj, "Paused") === "True";
  return (
    <div class="row" data-testid="actions">
      {kind.key === "vms" && (
        <>
          {(printable === "Stopped" || printable === "" || printable === "Halted") && <ActionButton label="Start" access={vmRequest("start")} run={() => vmAction(ns, name, "start")} />}
          {printable !== "Stopped" && <ActionButton label="Stop" access={vmRequest("stop")} run={() => vmAction(ns, name, "stop")} />}
          {printable === "Running" && <ActionButton label="Restart" access={vmRequest("restart")} run={() => vmAction(ns, name, "restart")} />}
          {printable === "Running" && <a href={href("obj", "vmis", ns, name)}>VMI →</a>}
        </>
      )}
      {kind.key === "vmis" && (
        <>
          {canConsole && <a href={href("console", ns, name)}><button>Serial console</button></a>}
          {canVnc && <a href={href("vnc", ns, name)}><button>VNC</button></a>}
          {paused ? <ActionButton label="Unpause" access={vmiRequest("unpause")} run={() => vmiAction(ns, name, "unpause")} />
            : <ActionButton label="Pause" access={vmiRequest("pause")} run={() => vmiAction(ns, name, "pause")} />}
        </>
      )}
      {kind.key === "pods" && (
        <>
          {canLogs && <a href={href("logs", ns, name)}><button>Logs</button></a>}
          {canExec && <a href={href("exec", ns, name)}><button>Exec</button></a>}
        </>
      )}
      {(kind.key === "rs" || kind.key === "vmirs" || kind.key === "deploy") && <ScaleControl kind={kind} obj={obj} />}
      {kind.key === "nodes" && (
        <ActionButton label={field.rec(obj.spec).unschedulable === true ? "Uncordon" : "Cordon"} access={{ verb: "patch", group: "", resource: "nodes", name }} run={() => cordon(name, field.rec(obj.spec).unschedulable !== true)} />
      )}
      {kind.key !== "nodes" && (
        <ActionButton label="Delete" danger confirm={`Delete ${kind.kind} ${ns ? `${ns}/` : ""}${name}?`} access={{ verb: "delete", group: kind.group, resource: kind.plural, namespace: ns, name }} run={() => remove(kind, name, ns || undefined)} />
      )}
    </div>
  );
}
