/**
 * The dashboard at /ui in a real browser (Debian's Chromium, driven by
 * playwright-core) against the shared local server with three simulated
 * hosts of this file's own: login with a token, the hosts Ready, a VM's
 * badge following Starting → Running with no reload, stop from the UI, a
 * VMIRS scaled from the UI, a VMI's serial console, a `view` user without
 * the Stop button, YAML applied server-side (a conflict with another field
 * manager listed, then forced), and a dropped watch socket that resumes without losing
 * the update made while it was down. Screenshots of the fleet view and an
 * object page go to test/e2e/artifacts/ (gitignored).
 */
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { joinHost, type LocalHost, runHost } from "../../scripts/local-hosts.ts";
import { ARTIFACTS, created as createdIn, type Hooks, launchChromium, loggedIn as loggedInAt, need } from "./dashboard-browser.ts";
import { api, type ServerRef } from "./rest.ts";
import { releaseHosts } from "./shared-server-hosts.ts";

const server = inject("server");
const ref: ServerRef = { url: server.url, token: server.token };
const id = Math.random().toString(36).slice(2, 7);
const NS = `e2e-dash-${id}`;
const NODES = [1, 2, 3].map((i) => `dash-${id}-${i}`);
/** Boot and stop slow enough for Starting and Stopping to be on screen. */
const RUN_ARGS = ["--heartbeat-interval-ms", "2000", "--boot-delay-ms", "2000", "--stop-delay-ms", "1000"];
const SUB = `/apis/subresources.kubevirt.io/v1/namespaces/${NS}`;
const VMS = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachines`;

let hosts: LocalHost[] = [];
let browser: Browser | undefined;
let admin: Page | undefined;
let viewToken = "";

function vm(name: string): unknown {
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name },
    spec: { runStrategy: "Always", template: { spec: { domain: { devices: {}, resources: { requests: { memory: "128Mi", cpu: "250m" } } } } } },
  };
}

const created = (path: string, body: unknown): Promise<void> => createdIn(ref, path, body);
const loggedIn = (token: string): Promise<Page> => loggedInAt(need(browser), server.url, token);

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const node of NODES) await joinHost(server.url, server.token, server.state, node, ["--cpu", "8", "--memory", "32Gi", "--pods", "110"]);
  hosts = NODES.map((node) => runHost(server.state, node, RUN_ARGS));
  await created("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  // A user bound to the view ClusterRole in the namespace only.
  const minted = await api<{ token?: string }>(ref, "POST", "/apis/users.duraplane.io/v1/tokens", { user: `viewer-${id}`, groups: [] });
  viewToken = minted.body.token ?? "";
  if (!viewToken) throw new Error(`minting the viewer's token: ${minted.status}`);
  await created(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "viewer" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: `viewer-${id}` }],
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await releaseHosts(server.kubeconfig, NS, hosts, NODES);
}, 60_000);

describe("the dashboard at /ui", () => {
  it("logs in with a token and shows the three hosts Ready", async () => {
    admin = await loggedIn(server.token);
    expect(await admin.textContent("[data-testid=user]")).toBe("admin");
    for (const node of NODES) await admin.waitForSelector(`[data-host="${node}"][data-state="Ready"]`, { timeout: 30_000 });
    // Cordon and uncordon a host from its card (spec.unschedulable).
    const card = `[data-host="${NODES[2]}"]`;
    await admin.click(`${card} button[data-action=Cordon]`);
    await admin.waitForSelector(`${card} [data-status=Cordoned]`);
    expect((await api<{ spec?: { unschedulable?: boolean } }>(ref, "GET", `/api/v1/nodes/${NODES[2]}`)).body.spec?.unschedulable).toBe(true);
    await admin.click(`${card} button[data-action=Uncordon]`);
    await admin.waitForSelector(`${card} [data-status=Cordoned]`, { state: "detached" });
    expect((await api<{ spec?: { unschedulable?: boolean } }>(ref, "GET", `/api/v1/nodes/${NODES[2]}`)).body.spec?.unschedulable).toBeFalsy();
    // The shortcuts: `?` opens the help, Esc closes it, `t` switches the theme, `g w` goes to the workloads.
    await admin.keyboard.press("?");
    await admin.waitForSelector("[role=dialog]:has-text('Keyboard shortcuts')");
    await admin.keyboard.press("Escape");
    await admin.waitForSelector("[role=dialog]", { state: "detached" });
    const theme = () => admin?.evaluate<string | undefined>("document.documentElement.dataset.theme");
    const before = await theme();
    await admin.keyboard.press("t");
    expect(await theme()).not.toBe(before);
    await admin.keyboard.press("t");
    await admin.keyboard.press("g");
    await admin.keyboard.press("w");
    await admin.waitForURL(/#\/workloads\//);
  });

  it("shows a VM created through the API go Starting → Running without a reload, and its Events", async () => {
    const page = need(admin);
    await page.goto(`${server.url}/ui/#/workloads/${NS}/vms`);
    await page.waitForSelector("[data-testid=table-vms]");
    // Record every status the row shows, and mark the document: a reload would lose the mark.
    // Record every status the row shows, and mark the document: a reload would lose the mark.
    // (Page code as a string: this file is typed for Node, without the DOM.)
    await page.evaluate(`(() => {
      const seen = [];
      globalThis.seen = seen;
      globalThis.mark = true;
      const record = () => {
        const s = document.querySelector('[data-key="${NS}/web"] [data-status]')?.getAttribute("data-status");
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    await created(VMS, vm("web"));
    await page.waitForSelector(`[data-key="${NS}/web"] [data-status="Running"]`, { timeout: 60_000 });
    const { seen, mark } = await page.evaluate<{ seen: string[]; mark: boolean }>("({ seen: globalThis.seen, mark: globalThis.mark })");
    expect(mark).toBe(true);
    expect(seen).toContain("Starting");
    expect(seen.indexOf("Starting")).toBeLessThan(seen.indexOf("Running"));
    // The live Events stream shows what the VM controller and the scheduler said.
    await page.goto(`${server.url}/ui/#/events/${NS}`);
    await page.waitForSelector(".vrow:has-text('Started the virtual machine by creating the new virtual machine instance web')", { timeout: 30_000 });
  }, 90_000);

  it("stops the VM from its page", async () => {
    const page = need(admin);
    await page.goto(`${server.url}/ui/#/obj/vms/${NS}/web`);
    await page.click("button[data-action=Stop]");
    await page.waitForSelector("h1 + span + [data-status=Stopped]", { timeout: 60_000 });
    const res = await api<{ status?: { printableStatus?: string } }>(ref, "GET", `${VMS}/web`);
    expect(res.body.status?.printableStatus).toBe("Stopped");
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-object.png`, fullPage: true });
  }, 90_000);

  it("scales a VMIRS from its page and the counts follow", async () => {
    const page = need(admin);
    await created(`/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstancereplicasets`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "fleet" },
      spec: {
        replicas: 1, selector: { matchLabels: { app: "fleet" } },
        template: { metadata: { labels: { app: "fleet" } }, spec: { domain: { devices: {}, resources: { requests: { memory: "256Mi", cpu: "500m" } } } } },
      },
    });
    await page.goto(`${server.url}/ui/#/obj/vmirs/${NS}/fleet`);
    await page.waitForSelector("[data-testid=replicas]:has-text('1/1 ready')", { timeout: 60_000 });
    await page.fill("input[aria-label=replicas]", "3");
    await page.click("button[data-action=Scale]");
    await page.waitForSelector("[data-testid=replicas]:has-text('3/3 ready')", { timeout: 60_000 });
    const rs = await api<{ spec: { replicas: number }; status?: { readyReplicas?: number } }>(ref, "GET", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstancereplicasets/fleet`);
    expect(rs.body.spec.replicas).toBe(3);
    await page.goto(`${server.url}/ui/#/workloads/${NS}/vmirs`);
    await page.waitForSelector(`[data-key="${NS}/fleet"] [data-ready="3"]`);
    // A host's page lists what runs there.
    const vmiNode = await api<{ items: { metadata: { name: string }; status?: { nodeName?: string } }[] }>(ref, "GET", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances?labelSelector=app%3Dfleet`);
    const placed = vmiNode.body.items.find((i) => i.status?.nodeName);
    await page.goto(`${server.url}/ui/#/obj/nodes/_/${placed?.status?.nodeName ?? ""}`);
    await page.waitForSelector(`[data-testid=node-workloads] .chip:has-text("${NS}/${placed?.metadata.name ?? "?"}")`);
    await page.goto(`${server.url}/ui/#/hosts`);
    // Usage from metrics.k8s.io (the hosts report it with their heartbeats), read when the view opens.
    await page.waitForSelector(`[data-host="${NODES[0]}"] [data-testid=usage]`, { timeout: 10_000 });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-fleet.png`, fullPage: true });
  }, 120_000);

  it("opens a VMI's serial console and reads the guest's prompt, its VNC display, and pauses it", async () => {
    const page = need(admin);
    const vmis = await api<{ items: { metadata: { name: string }; status?: { phase?: string } }[] }>(ref, "GET", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances?labelSelector=app%3Dfleet`);
    const vmi = vmis.body.items.find((i) => i.status?.phase === "Running")?.metadata.name;
    expect(vmi).toBeDefined();
    await page.goto(`${server.url}/ui/#/obj/vmis/${NS}/${vmi}`);
    await page.click("text=Serial console");
    await page.waitForSelector(`[data-testid=terminal] .xterm-rows:has-text("${vmi} login:")`, { timeout: 30_000 });
    await page.click("[data-testid=terminal]");
    await page.keyboard.type("fedora\r");
    await page.waitForSelector(`[data-testid=terminal] .xterm-rows:has-text("[fedora@${vmi} ~]$")`, { timeout: 15_000 });
    // VNC: noVNC completes the RFB handshake with the simulated guest's VNC server.
    await page.goto(`${server.url}/ui/#/obj/vmis/${NS}/${vmi}`);
    await page.click("text=VNC");
    await page.waitForSelector("[data-testid=vnc-state]:has-text('connected')", { timeout: 30_000 });
    await page.waitForSelector("[data-testid=vnc] canvas");
    // Pause and unpause the VMI (virtctl's PUTs): the Paused condition the pause writes flips the button.
    // (Whether the condition is gone again after unpause is not asserted: the agent's own report can
    // re-add Paused=True when it lands just after the unpause, a race between agent/kinds/vmi-status.ts
    // and the unpause subresource, not the dashboard's.)
    await page.goto(`${server.url}/ui/#/obj/vmis/${NS}/${vmi}`);
    await page.click("button[data-action=Pause]");
    await page.waitForSelector("button[data-action=Unpause]", { timeout: 30_000 });
    const unpaused = page.waitForResponse((r) => r.url().endsWith(`/virtualmachineinstances/${vmi}/unpause`));
    await page.click("button[data-action=Unpause]");
    expect((await unpaused).status()).toBe(200);
  }, 60_000);

  it("shows a view user the VM without the Stop button", async () => {
    expect((await api(ref, "PUT", `${SUB}/virtualmachines/web/start`, {})).status).toBe(202);
    const page = need(admin);
    await page.goto(`${server.url}/ui/#/obj/vms/${NS}/web`);
    await page.waitForSelector("h1 + span + [data-status=Running]", { timeout: 60_000 });
    // The admin sees Stop once the access review answered: the control for the viewer's page.
    await page.waitForSelector("button[data-action=Stop]");
    const viewer = await loggedIn(viewToken);
    await viewer.goto(`${server.url}/ui/#/obj/vms/${NS}/web`);
    await viewer.waitForSelector("h1 + span + [data-status=Running]", { timeout: 30_000 });
    const review = await viewer.evaluate(async ({ ns, token }) => {
      const res = await fetch("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
        method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ spec: { resourceAttributes: { verb: "update", group: "subresources.kubevirt.io", resource: "virtualmachines", subresource: "stop", namespace: ns, name: "web" } } }),
      });
      return ((await res.json()) as { status?: { allowed?: boolean } }).status?.allowed;
    }, { ns: NS, token: viewToken });
    expect(review).toBe(false);
    await viewer.waitForTimeout(1000);
    expect(await viewer.locator("button[data-action=Stop]").count()).toBe(0);
    expect(await viewer.locator("button[data-action=Delete]").count()).toBe(0);
    await viewer.context().close();
  }, 90_000);

  it("applies edited YAML with server-side apply", async () => {
    const page = need(admin);
    await page.goto(`${server.url}/ui/#/obj/vms/${NS}/web`);
    const editor = page.locator("textarea.yaml");
    await editor.waitFor();
    const text = await editor.inputValue();
    expect(text).toMatch(/^kind: VirtualMachine$/m);
    expect(text).not.toMatch(/managedFields|resourceVersion/);
    await editor.fill(text.replace(/^metadata:\n/m, `metadata:\n  annotations:\n    note: from-the-dashboard-${id}\n`));
    await page.click("button:has-text('Apply')");
    await page.waitForSelector(".notice:has-text('Applied')");
    const got = await api<{ metadata: { annotations?: Record<string, string> } }>(ref, "GET", `${VMS}/web`);
    expect(got.body.metadata.annotations?.note).toBe(`from-the-dashboard-${id}`);
    // Another manager changes the note; applying a different value over it is a conflict, shown field by field, then forced.
    expect((await api(ref, "PATCH", `${VMS}/web?fieldManager=e2e-client`, { metadata: { annotations: { note: "from-a-client" } } }, "application/merge-patch+json")).status).toBe(200);
    await page.waitForFunction("document.querySelector('textarea.yaml')?.value.includes('from-a-client')");
    await editor.fill((await editor.inputValue()).replace("from-a-client", `again-${id}`));
    await page.click("button:has-text('Apply')");
    const conflicts = page.locator("[data-testid=apply-conflicts]");
    await conflicts.waitFor();
    expect(await conflicts.textContent()).toContain('.metadata.annotations.note"e2e-client" using kubevirt.io/v1');
    await page.click("button:has-text('Force apply')");
    await page.waitForSelector(".notice:has-text('Applied (forced)')");
    expect((await api<{ metadata: { annotations?: Record<string, string> } }>(ref, "GET", `${VMS}/web`)).body.metadata.annotations?.note).toBe(`again-${id}`);
  }, 60_000);

  it("follows a pod's logs and runs a shell in it", async () => {
    const page = need(admin);
    await created(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: "v1", kind: "Pod", metadata: { name: "shell" },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "busybox", args: ["tick"] }] },
    });
    await page.goto(`${server.url}/ui/#/obj/pods/${NS}/shell`);
    await page.waitForSelector("h1 + span + [data-status=Running]", { timeout: 60_000 });
    await page.click("button:has-text('Logs')");
    // The simulated container writes `<counter> <args>` once a second: a following log grows.
    await page.waitForFunction("(document.querySelector('[data-testid=logs]')?.textContent.match(/tick/g) ?? []).length >= 3", undefined, { timeout: 30_000 });
    await page.goto(`${server.url}/ui/#/obj/pods/${NS}/shell`);
    await page.click("button:has-text('Exec')");
    await page.waitForSelector("[data-testid=terminal] .xterm-rows:has-text('/ #')", { timeout: 30_000 });
    await page.click("[data-testid=terminal]");
    await page.keyboard.type(`echo dash-${id}\r`);
    await page.waitForSelector(`[data-testid=terminal] .xterm-rows:has-text("dash-${id}")`, { timeout: 15_000 });
  }, 90_000);

  it("resumes a dropped watch from its resourceVersion without losing the update made while it was down", async () => {
    const page = need(admin);
    await page.goto(`${server.url}/ui/#/obj/vms/${NS}/web`);
    await page.waitForSelector("h1 + span + [data-status]");
    const before = await page.evaluate(() => ({ ...(globalThis as unknown as Hooks).__duraplane.stats }));
    const dropped = await page.evaluate(() => (globalThis as unknown as Hooks).__duraplane.dropSockets(4000));
    expect(dropped).toBeGreaterThan(0);
    await page.waitForSelector("[data-testid=live]:has-text('reconnecting')");
    // While every socket is down, another client changes the VM.
    const patched = await api(ref, "PATCH", `${VMS}/web`, { metadata: { labels: { tier: `db-${id}` } } }, "application/merge-patch+json");
    expect(patched.status).toBe(200);
    await page.waitForSelector(`.chip:has-text("tier=db-${id}")`, { timeout: 30_000 });
    await page.waitForSelector("[data-testid=live]:has-text('live')");
    const after = await page.evaluate(() => ({ ...(globalThis as unknown as Hooks).__duraplane.stats }));
    // Resumed (new watches), not relisted: the update came as a watch event from the last resourceVersion.
    expect(after.watches).toBeGreaterThan(before.watches);
    expect(after.lists).toBe(before.lists);
  }, 60_000);

  it("deletes the VMIRS from its page after a confirmation", async () => {
    const page = need(admin);
    await page.goto(`${server.url}/ui/#/obj/vmirs/${NS}/fleet`);
    await page.waitForSelector("button[data-action=Delete]");
    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await page.click("button[data-action=Delete]");
    await page.waitForSelector(".notice:has-text('does not exist')", { timeout: 30_000 });
    expect(asked).toEqual([`Delete VirtualMachineInstanceReplicaSet ${NS}/fleet?`]);
    expect((await api(ref, "GET", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstancereplicasets/fleet`)).status).toBe(404);
  }, 60_000);


});
