/**
 * API Priority and Fairness's configuration with the real kubectl: `get
 * flowschemas` and `get prioritylevelconfigurations` print upstream's
 * columns, `describe` reads an object, and a change is refused with the
 * server's reason.
 */
import { describe, expect, inject, it } from "vitest";
import { kubectl, kubectlOk } from "./kubectl.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);

const rows = (out: string): string[][] => out.trim().split("\n").map((l) => l.trim().split(/\s{2,}/));

describe("kubectl and API Priority and Fairness", () => {
  it("lists flow schemas and priority levels with upstream's columns", () => {
    const schemas = rows(ok("get", "flowschemas"));
    expect(schemas[0]).toEqual(["NAME", "PRIORITYLEVEL", "MATCHINGPRECEDENCE", "DISTINGUISHERMETHOD", "AGE", "MISSINGPL"]);
    expect(schemas.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[5]])).toEqual([
      ["exempt", "exempt", "1", "<none>", "False"],
      ["system-node-high", "node-high", "400", "ByUser", "False"],
      ["system-controllers", "workload-high", "800", "ByUser", "False"],
      ["service-accounts", "workload-low", "9000", "ByUser", "False"],
      ["global-default", "global-default", "9900", "ByUser", "False"],
      ["catch-all", "catch-all", "10000", "ByUser", "False"],
    ]);
    const levels = rows(ok("get", "prioritylevelconfigurations", "global-default"));
    expect(levels[0]).toEqual(["NAME", "TYPE", "NOMINALCONCURRENCYSHARES", "QUEUES", "HANDSIZE", "QUEUELENGTHLIMIT", "AGE"]);
    expect(levels[1]?.slice(0, 6)).toEqual(["global-default", "Limited", "20", "per flow", "1", "50"]);
    expect(ok("describe", "flowschema", "service-accounts")).toMatch(/Matching Precedence:\s+9000/);
  });

  it("refuses to change them, saying why", () => {
    const res = kubectl(server.kubeconfig, ["delete", "flowschema", "catch-all"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/Error from server \(MethodNotAllowed\): .*fixed by the deployment/);
    expect(ok("get", "flowschema", "catch-all", "-o", "name")).toBe("flowschema.flowcontrol.apiserver.k8s.io/catch-all\n");
  });
});
