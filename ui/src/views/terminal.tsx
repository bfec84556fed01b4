/**
 * @module
 * Terminals in the browser (xterm.js, a lazy chunk): a VMI's serial console
 * (KubeVirt's `plain.kubevirt.io`: raw bytes both ways) and a pod's exec
 * (`v5.channel.k8s.io`, `v4.channel.k8s.io` as fallback: each binary message
 * is one channel byte then data; 0 stdin, 1 stdout, 2 stderr, 3 the final
 * Status, 4 resize).
 */
import "@xterm/xterm/css/xterm.css";
import { Terminal } from "@xterm/xterm";
import { useEffect, useRef, useState } from "preact/hooks";
import { openSocket } from "../api/client";

type Mode = { kind: "console"; namespace: string; name: string } | { kind: "exec"; namespace: string; name: string; container?: string; command: string[] };

const encoder = new TextEncoder();

function socketFor(mode: Mode): WebSocket {
  if (mode.kind === "console") {
    return openSocket(`/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(mode.namespace)}/virtualmachineinstances/${encodeURIComponent(mode.name)}/console`, ["plain.kubevirt.io"]);
  }
  const q = new URLSearchParams({ stdin: "true", stdout: "true", tty: "true" });
  for (const c of mode.command) q.append("command", c);
  if (mode.container) q.set("container", mode.container);
  return openSocket(`/api/v1/namespaces/${encodeURIComponent(mode.namespace)}/pods/${encodeURIComponent(mode.name)}/exec?${q}`, ["v5.channel.k8s.io", "v4.channel.k8s.io"]);
}

function framed(channel: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 1);
  out[0] = channel;
  out.set(data, 1);
  return out;
}

/** A terminal on a VMI's serial console or a pod's exec. */
export function TerminalView(props: { mode: Mode }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState("connecting");
  const { mode } = props;
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const dark = getComputedStyle(document.documentElement).colorScheme === "dark";
    const term = new Terminal({ cursorBlink: true, fontSize: 13, convertEol: false, theme: dark ? undefined : { background: "#0b0e12" } });
    term.open(el);
    const fit = () => {
      const cell = 8.2;
      const cols = Math.max(40, Math.floor(el.clientWidth / cell));
      const rows = Math.max(10, Math.floor(el.clientHeight / 17));
      term.resize(cols, rows);
    };
    fit();
    const ws = socketFor(mode);
    ws.binaryType = "arraybuffer";
    const exec = mode.kind === "exec";
    const sendResize = () => {
      if (exec && ws.readyState === WebSocket.OPEN) ws.send(framed(4, encoder.encode(JSON.stringify({ Width: term.cols, Height: term.rows }))));
    };
    ws.onopen = () => {
      setState(`connected (${ws.protocol})`);
      sendResize();
      term.focus();
    };
    ws.onmessage = (m) => {
      const data = typeof m.data === "string" ? encoder.encode(m.data) : new Uint8Array(m.data as ArrayBuffer);
      if (!exec) {
        term.write(data);
        return;
      }
      const channel = data[0];
      if (channel === 1 || channel === 2) term.write(data.subarray(1));
      else if (channel === 3) {
        const status = new TextDecoder().decode(data.subarray(1));
        setState(status.includes("Success") ? "exited" : `ended: ${status}`);
      }
    };
    ws.onclose = (e) => setState((s) => (s.startsWith("ended") || s === "exited" ? s : `closed (${e.code}${e.reason ? `: ${e.reason}` : ""})`));
    const input = term.onData((d) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const bytes = encoder.encode(d);
      ws.send(exec ? framed(0, bytes) : bytes);
    });
    const onResize = () => {
      fit();
      sendResize();
    };
    addEventListener("resize", onResize);
    return () => {
      removeEventListener("resize", onResize);
      input.dispose();
      ws.close(1000);
      term.dispose();
    };
  }, [mode.kind, mode.namespace, mode.name]);
  return (
    <div>
      <div class="row" style={{ marginBottom: "8px" }}>
        <h1 style={{ margin: 0 }}>{mode.kind === "console" ? "Serial console" : "Exec"}: {mode.namespace}/{mode.name}</h1>
        <span class="muted" data-testid="terminal-state">{state}</span>
      </div>
      <div class="term" ref={box} data-testid="terminal" />
    </div>
  );
}
