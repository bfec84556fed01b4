import { describe, expect, it } from "vitest";
import { formatLabelSelector } from "./format-label-selector";

describe("formatLabelSelector", () => {
  it.each<[string, unknown, string]>([
    ["missing selects nothing", undefined, "<none>"],
    ["null", null, "<none>"],
    ["empty selects everything", {}, "<none>"],
    ["empty lists", { matchLabels: {}, matchExpressions: [] }, "<none>"],
    ["labels sorted by key", { matchLabels: { tier: "web", app: "shop" } }, "app=shop,tier=web"],
    [
      "every operator, requirements sorted by key and set values sorted",
      {
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["frontend", "backend"] },
          { key: "env", operator: "NotIn", values: ["dev"] },
          { key: "legacy", operator: "DoesNotExist" },
          { key: "canary", operator: "Exists" },
        ],
      },
      "app=web,canary,env notin (dev),!legacy,tier in (backend,frontend)",
    ],
    ["unknown operator", { matchExpressions: [{ key: "a", operator: "Like", values: ["x"] }] }, "<error>"],
    ["In without values", { matchExpressions: [{ key: "a", operator: "In", values: [] }] }, "<error>"],
    ["Exists with values", { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, "<error>"],
    ["invalid key", { matchLabels: { "bad key": "x" } }, "<error>"],
    ["invalid value", { matchLabels: { app: "not a value!" } }, "<error>"],
  ])("%s", (_name, selector, want) => {
    expect(formatLabelSelector(selector)).toBe(want);
  });
});
