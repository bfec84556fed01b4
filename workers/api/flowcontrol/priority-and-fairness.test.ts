import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { UserInfo } from "../auth";
import { priorityAndFairness } from "./priority-and-fairness";

/** A promise with its resolver, to hold a request inside its handler. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

describe("the API Priority and Fairness filter", () => {
  it("starts a request that waited for a seat only after a turn of the loop, so the runtime reads other sockets between a flood's requests", async () => {
    // 12 seats in all give global-default two (12 × 20 / 205, rounded up), of which one user holds at most one.
    const env = { APF_TOTAL_SEATS: "12" } as unknown as Env;
    const events: string[] = [];
    const held = new Map<string, { promise: Promise<void>; open: () => void }>();
    const app = new Hono<{ Bindings: Env; Variables: { user: UserInfo } }>();
    app.use("*", async (c, next) => {
      c.set("user", { username: c.req.header("x-user") ?? "", groups: ["system:authenticated"] });
      await next();
    });
    app.use("*", priorityAndFairness);
    app.get("/:id", async (c) => {
      const id = c.req.param("id");
      events.push(`start ${id}`);
      const g = gate();
      held.set(id, g);
      await g.promise;
      return c.text(id);
    });
    const call = (user: string, id: string) => app.request(`/${id}`, { headers: { "x-user": user } }, env);
    const settle = async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    };

    const first = call("flood", "a");
    const second = call("flood", "b");
    await settle();
    expect(events).toEqual(["start a"]);
    // Another user takes the free seat at once, although the flood waits: no turn of the loop first.
    const other = call("quiet", "c");
    setTimeout(() => events.push("a turn of the loop"), 0);
    await settle();
    expect(events).toEqual(["start a", "start c", "a turn of the loop"]);
    // The seat passes to b when a ends. A timer set at that moment fires before b starts: b waited a turn.
    held.get("a")?.open();
    setTimeout(() => events.push("another turn"), 0);
    await first;
    await settle();
    expect(events.slice(3)).toEqual(["another turn", "start b"]);
    held.get("b")?.open();
    held.get("c")?.open();
    const answers = await Promise.all([second, other]);
    expect(await Promise.all(answers.map((r) => r.text()))).toEqual(["b", "c"]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
  });
});
