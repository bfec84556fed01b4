/**
 * @module
 * Keyboard shortcuts for the common moves, k9s-style: `/` filters, `g h`
 * hosts, `g w` workloads, `g e` events, `t` theme, `?` help, Esc closes or
 * leaves an input.
 */
import { lastNamespace, navigate } from "./router";

export const SHORTCUTS: [string, string][] = [
  ["/", "filter the table"], ["g h", "hosts"], ["g w", "workloads"], ["g e", "events"],
  ["t", "switch dark / light theme"], ["?", "this help"], ["Esc", "close help, leave the filter"],
];

/** Installs the handlers; `toggleHelp` and `toggleTheme` are the shell's. */
export function installShortcuts(toggleHelp: (show?: boolean) => void, toggleTheme: () => void): () => void {
  let pendingG = 0;
  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.closest(".xterm, [data-testid=vnc]"));
    if (e.key === "Escape") {
      toggleHelp(false);
      if (typing && target.tagName === "INPUT") target.blur();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (Date.now() - pendingG < 1000) {
      pendingG = 0;
      if (e.key === "h") navigate("hosts");
      else if (e.key === "w") navigate("workloads", lastNamespace(), "vms");
      else if (e.key === "e") navigate("events", lastNamespace());
      return;
    }
    if (e.key === "g") pendingG = Date.now();
    else if (e.key === "?") toggleHelp();
    else if (e.key === "t") toggleTheme();
    else if (e.key === "/") {
      const filter = document.getElementById("filter");
      if (filter) {
        e.preventDefault();
        filter.focus();
      }
    }
  };
  addEventListener("keydown", onKey);
  return () => removeEventListener("keydown", onKey);
}
