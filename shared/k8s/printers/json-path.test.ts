import { describe, expect, it } from "vitest";
import { JsonPathEvalError, compileJsonPath } from "./json-path";

const vmi = {
  metadata: { name: "vmi1" },
  status: {
    phase: "Running",
    nodeName: null,
    interfaces: [{ ipAddress: "10.0.0.5", name: "default" }, { ipAddress: "10.0.1.5" }],
    conditions: [
      { type: "Ready", status: "True" },
      { type: "LiveMigratable", status: "False" },
      { type: "Ready", status: "False" },
      { status: "True" },
    ],
  },
};

describe("compileJsonPath", () => {
  it.each<[string, unknown[]]>([
    [".status.phase", ["Running"]],
    [".status.nodeName", [null]],
    [".status.missing", []],
    [".status.phase.deeper", []],
    [".status.interfaces[0].ipAddress", ["10.0.0.5"]],
    [".status.interfaces[-1].ipAddress", ["10.0.1.5"]],
    [".status.interfaces[1].name", []],
    [".status.conditions[?(@.type=='Ready')].status", ["True", "False"]],
    ['.status.conditions[?(@.type=="LiveMigratable")].status', ["False"]],
    [".status.conditions[?(@.type != 'Ready')].status", ["False"]],
    [".status.conditions[?(@.type=='Paused')].status", []],
    [".spec.conditions[?(@.type=='Ready')].status", []],
  ])("%s", (path, want) => {
    expect(compileJsonPath(path)(vmi)).toEqual(want);
  });

  it.each([".status.interfaces[5]", ".status.phase[0]", ".status[?(@.type=='x')]", ".status.nodeName[?(@.a=='b')]"])(
    "%s is an evaluation error",
    (path) => {
      expect(() => compileJsonPath(path)(vmi)).toThrow(JsonPathEvalError);
    },
  );

  it("cannot compare a non-string field", () => {
    expect(() => compileJsonPath(".items[?(@.n=='1')]")({ items: [{ n: 1 }] })).toThrow(JsonPathEvalError);
  });

  it("treats a null list as empty for indexing", () => {
    expect(compileJsonPath(".a[0]")({ a: null })).toEqual([]);
  });

  it.each(["status.phase", ".status..phase", ".status[*]", ".status.conditions[?(@.type=~'R')]", "{.status}"])(
    "rejects unsupported syntax %s",
    (path) => {
      expect(() => compileJsonPath(path)).toThrow(`unrecognized column definition "${path}"`);
    },
  );
});
