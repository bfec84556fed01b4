/**
 * @module
 * A VMI's VNC display (noVNC, a lazy chunk) over KubeVirt's `/vnc`
 * WebSocket, RFB carried as raw bytes (`plain.kubevirt.io`).
 */
import RFB from "@novnc/novnc";
import { useEffect, useRef, useState } from "preact/hooks";
import { openSocket } from "../api/client";

/** A VMI's VNC display. */
export function VncView(props: { namespace: string; name: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState("connecting");
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const ws = openSocket(`/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(props.namespace)}/virtualmachineinstances/${encodeURIComponent(props.name)}/vnc`, ["plain.kubevirt.io"]);
    ws.binaryType = "arraybuffer";
    const rfb = new RFB(el, ws);
    rfb.scaleViewport = true;
    rfb.addEventListener("connect", () => setState("connected"));
    rfb.addEventListener("disconnect", () => setState("disconnected"));
    return () => rfb.disconnect();
  }, [props.namespace, props.name]);
  return (
    <div>
      <div class="row" style={{ marginBottom: "8px" }}>
        <h1 style={{ margin: 0 }}>VNC: {props.namespace}/{props.name}</h1>
        <span class="muted" data-testid="vnc-state">{state}</span>
      </div>
      <div class="term" ref={box} data-testid="vnc" />
    </div>
  );
}
