/**
 * @module
 * The dashboard's shell: login gate, navigation, routes, shortcuts, themes.
 */
import "./styles.css";
import { render } from "preact";
import { lazy, Suspense } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { forgetAccess } from "./api/access";
import { allConnected, dropSockets, stats } from "./api/informer";
import { logout, token } from "./api/session";
import { installShortcuts, SHORTCUTS } from "./keys";
import { href, lastNamespace, useRoute } from "./router";
import { applyStoredTheme, toggleTheme } from "./theme";
import { Events } from "./views/events";
import { Hosts } from "./views/hosts";
import { LogsView } from "./views/logs";
import { Login, type WhoAmI, whoAmI } from "./views/login";
import { ObjectPage } from "./views/object";
import { Workloads } from "./views/workloads";

const TerminalView = lazy(() => import("./views/terminal").then((m) => m.TerminalView));
const VncView = lazy(() => import("./views/vnc").then((m) => m.VncView));

// Hooks for tests and for the curious: drop every watch socket as a network failure would, and count lists and watches.
(globalThis as unknown as { __duraplane: unknown }).__duraplane = { dropSockets, stats };

function Help(props: { close: () => void }) {
  return (
    <div class="overlay" onClick={props.close}>
      <div class="panel" onClick={(e) => e.stopPropagation()} role="dialog" aria-label="keyboard shortcuts">
        <h1>Keyboard shortcuts</h1>
        <table class="kv"><tbody>{SHORTCUTS.map(([k, what]) => <tr key={k}><td>{k.split(" ").map((p) => <kbd key={p}>{p}</kbd>)}</td><td>{what}</td></tr>)}</tbody></table>
      </div>
    </div>
  );
}

/** Green while every watch socket is open; amber while one reconnects. */
function LiveIndicator() {
  const [ok, setOk] = useState(true);
  useEffect(() => {
    const on = () => setOk(allConnected());
    addEventListener("duraplane-sockets", on);
    return () => removeEventListener("duraplane-sockets", on);
  }, []);
  return <span class={`live${ok ? "" : " down"}`} data-testid="live" title="every view is fed by watches over WebSocket">{ok ? "live" : "reconnecting"}</span>;
}

function Page(props: { route: string[] }) {
  const [view = "hosts", a = "", b = "", c = ""] = props.route;
  switch (view) {
    case "workloads": return <Workloads ns={a || lastNamespace()} kindKey={b || "vms"} />;
    case "obj": return <ObjectPage kindKey={a} ns={b} name={c} />;
    case "events": return <Events ns={a || lastNamespace()} />;
    case "logs": return <LogsView namespace={a} name={b} />;
    case "console": return <Suspense fallback={<div class="muted">Loading the terminal…</div>}><TerminalView mode={{ kind: "console", namespace: a, name: b }} /></Suspense>;
    case "exec": return <Suspense fallback={<div class="muted">Loading the terminal…</div>}><TerminalView mode={{ kind: "exec", namespace: a, name: b, command: ["sh"] }} /></Suspense>;
    case "vnc": return <Suspense fallback={<div class="muted">Loading noVNC…</div>}><VncView namespace={a} name={b} /></Suspense>;
    default: return <Hosts />;
  }
}

function App() {
  const route = useRoute();
  const [who, setWho] = useState<WhoAmI | undefined>();
  const [loggedIn, setLoggedIn] = useState(token() !== undefined);
  const [help, setHelp] = useState(false);
  useEffect(() => installShortcuts((show) => setHelp((h) => show ?? !h), toggleTheme), []);
  useEffect(() => {
    if (!loggedIn || who) return;
    whoAmI().then(setWho, () => {
      logout();
      setLoggedIn(false);
    });
  }, [loggedIn]);
  if (!loggedIn) return <Login onLogin={(w) => { forgetAccess(); setWho(w); setLoggedIn(true); }} />;
  const view = route[0] ?? "hosts";
  const user = who?.status?.userInfo?.username ?? "";
  return (
    <div class="app">
      <header class="top">
        <span class="brand">dura<span>plane</span></span>
        <nav class="nav">
          <a class={view === "hosts" ? "on" : ""} href={href("hosts")}>Hosts</a>
          <a class={view === "workloads" || view === "obj" ? "on" : ""} href={href("workloads", lastNamespace(), "vms")}>Workloads</a>
          <a class={view === "events" ? "on" : ""} href={href("events", lastNamespace())}>Events</a>
        </nav>
        <span class="spacer" />
        <LiveIndicator />
        <span class="who" data-testid="user">{user}</span>
        <button title="theme (t)" onClick={toggleTheme}>◐</button>
        <button title="keyboard shortcuts (?)" onClick={() => setHelp(true)}>?</button>
        <button onClick={() => { logout(); location.reload(); }}>Log out</button>
      </header>
      <main><Page route={route} /></main>
      {help && <Help close={() => setHelp(false)} />}
    </div>
  );
}

applyStoredTheme();
const root = document.getElementById("app");
if (root) render(<App />, root);
