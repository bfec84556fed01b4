/**
 * @module
 * A pod's logs, following live: one streaming GET of `/log?follow=true`
 * (fetch's body reader), the way `kubectl logs -f` reads it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, stream } from "../api/client";

const MAX_CHARS = 512 * 1024;

/** A pod's log, following. */
export function LogsView(props: { namespace: string; name: string }) {
  const [text, setText] = useState("");
  const [state, setState] = useState("connecting");
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    const decoder = new TextDecoder();
    setText("");
    const run = async () => {
      const reader = await stream(`/api/v1/namespaces/${encodeURIComponent(props.namespace)}/pods/${encodeURIComponent(props.name)}/log?follow=true&tailLines=1000`, abort.signal);
      setState("following");
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        setText((t) => (t + chunk).slice(-MAX_CHARS));
      }
      setState("ended");
    };
    run().catch((err: unknown) => {
      if (!abort.signal.aborted) setState(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    });
    return () => abort.abort();
  }, [props.namespace, props.name]);
  useEffect(() => {
    const el = pre.current?.parentElement;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div>
      <div class="row" style={{ marginBottom: "8px" }}>
        <h1 style={{ margin: 0 }}>Logs: {props.namespace}/{props.name}</h1>
        <span class="muted" data-testid="logs-state">{state}</span>
      </div>
      <div class="term" style={{ overflow: "auto", color: "#d8dee9" }}><pre ref={pre} data-testid="logs" style={{ margin: 0 }}>{text}</pre></div>
    </div>
  );
}
