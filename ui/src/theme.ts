/**
 * @module
 * Dark and light themes: the system's preference unless the user chose one
 * (kept in localStorage; it is not a secret).
 */
const KEY = "duraplane.theme";

/** Applies the theme the user chose before, if any. */
export function applyStoredTheme(): void {
  const t = localStorage.getItem(KEY);
  if (t === "dark" || t === "light") document.documentElement.dataset.theme = t;
}

/** Switches to the other theme than the one showing. */
export function toggleTheme(): void {
  const showing = document.documentElement.dataset.theme ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  const next = showing === "dark" ? "light" : "dark";
  document.documentElement.dataset.theme = next;
  localStorage.setItem(KEY, next);
}
