/**
 * What the dashboard's browser tests share: Debian's Chromium with the suite's
 * flags, a page logged in with a token, and POSTs that survive wrangler dev's
 * restarts under load.
 */
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { api, type ServerRef } from "./rest.ts";

const CHROMIUM = "/usr/bin/chromium";
/** The flags toolchain.md gives for Chromium on these machines; the server's certificate is self-signed. */
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--ignore-certificate-errors",
];
/** Where the tests leave screenshots for people to look at (gitignored). */
export const ARTIFACTS = "test/e2e/artifacts";

/** The page's test hooks (ui/src/main.tsx). */
export type Hooks = { __duraplane: { dropSockets: (hold: number) => number; stats: { lists: number; watches: number } } };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** A new context's page, logged in to the dashboard with `token`. */
export async function loggedIn(browser: Browser, url: string, token: string): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/ui`);
  await page.fill("textarea[name=token]", token);
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=user]:not(:empty)");
  return page;
}

/**
 * POSTs `body` and expects 201. wrangler dev's proxy answers 503 "Your worker
 * restarted mid-request" when its pooled connection to the runtime met the
 * runtime's 5 s keep-alive close (cloudflare/workers-sdk#14641): that is
 * tried again, and AlreadyExists on a retry means the first try landed.
 */
export async function created(ref: ServerRef, path: string, body: unknown): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await api(ref, "POST", path, body);
    if (res.status === 201 || (attempt > 0 && res.status === 409)) return;
    if (res.status !== 503 || attempt >= 3) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The value, or a test failure saying the setup did not run. */
export function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("not started");
  return value;
}
