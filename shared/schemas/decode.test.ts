import { describe, expect, it } from "vitest";
import { ApiError, type StatusCause } from "../k8s/errors";
import { decodeObject, unknownFields, type DecodableKind } from "./decode";
import { PodSchema } from "./core-v1/pod";
import { VirtualMachineSchema } from "./kubevirt-v1/virtualmachine";

const POD: DecodableKind = { schema: PodSchema, kind: "Pod", group: "", version: "v1" };
const VM: DecodableKind = { schema: VirtualMachineSchema, kind: "VirtualMachine", group: "kubevirt.io", version: "v1" };

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: "p", namespace: "default" }) {
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}

function vm(spec: Record<string, unknown>) {
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "vm", namespace: "default" }, spec };
}

function decodeError(input: unknown, kind: DecodableKind, strict = false): ApiError {
  try {
    decodeObject(input, kind, { strict });
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("decoding succeeded");
}

const C = { name: "app", image: "nginx:1.27" };

describe("decodeObject", () => {
  it("keeps every declared field and drops nulls outside free-form maps", () => {
    const input = pod({
      containers: [{ ...C, command: ["sh"], env: [{ name: "A", value: "1" }], workingDir: null }],
      affinity: { nodeAffinity: null, podAntiAffinity: { x: [1, null] } },
      nodeName: null,
    });
    const out = decodeObject(input, POD, { strict: true });
    expect(out).toEqual(
      pod({
        containers: [{ ...C, command: ["sh"], env: [{ name: "A", value: "1" }] }],
        affinity: { nodeAffinity: null, podAntiAffinity: { x: [1, null] } },
      }),
    );
  });

  it("treats null metadata members as unset (kubectl sends creationTimestamp: null)", () => {
    const out = decodeObject(pod({ containers: [C] }, { name: "p", creationTimestamp: null, labels: null }), POD, { strict: true });
    expect(out.metadata).toEqual({ name: "p" });
  });

  it("fills a missing kind, apiVersion and metadata", () => {
    const out = decodeObject({ spec: { containers: [C] } }, POD, { strict: true });
    expect(out).toEqual({ kind: "Pod", apiVersion: "v1", metadata: {}, spec: { containers: [C] } });
  });

  it.each([[[]], ["x"], [null], [3]])("rejects a body that is not an object (%j) with 400", (body) => {
    const err = decodeError(body, POD);
    expect(err.code).toBe(400);
    expect(err.reason).toBe("BadRequest");
  });

  it("strips unknown fields when not strict and reports them as warnings", () => {
    const warnings: string[] = [];
    const out = decodeObject(pod({ containers: [{ ...C, colour: "red" }], extra: 1 }), POD, { strict: false, warnings });
    expect(out.spec).toEqual({ containers: [C] });
    expect(warnings).toEqual(['unknown field "spec.containers[0].colour"', 'unknown field "spec.extra"']);
  });

  it("rejects unknown fields of built-in kinds with strict decoding's message", () => {
    const err = decodeError(pod({ containers: [{ ...C, colour: "red" }], extra: 1 }, { name: "p", bogus: true }), POD, true);
    expect(err.code).toBe(400);
    expect(err.message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.bogus", unknown field "spec.containers[0].colour", unknown field "spec.extra"',
    );
  });

  it("rejects unknown fields of custom resources the same way, even beside type errors", () => {
    const err = decodeError(vm({ running: "yes", template: { spec: { domain: { devices: {}, cpux: 1 } } } }), VM, true);
    expect(err.code).toBe(400);
    expect(err.message).toBe(
      'VirtualMachine in version "v1" cannot be handled as a VirtualMachine: strict decoding error: unknown field "spec.template.spec.domain.cpux"',
    );
  });

  it("keeps unknown keys inside free-form sub-trees", () => {
    expect(unknownFields(pod({ containers: [C], securityContext: { anything: { goes: 1 } } }), POD)).toEqual([]);
  });

  const cases: { name: string; kind: DecodableKind; input: unknown; causes: StatusCause[] }[] = [
    {
      name: "a missing required field",
      kind: POD,
      input: pod({ containers: [{ image: "x" }] }),
      causes: [{ reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].name" }],
    },
    {
      name: "a wrong JSON type",
      kind: POD,
      input: pod({ containers: [{ name: "a", image: 5 }] }),
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "integer": spec.containers[0].image in body must be of type string: "integer"',
          field: "spec.containers[0].image",
        },
      ],
    },
    {
      name: "an enum miss",
      kind: POD,
      input: pod({ containers: [C], restartPolicy: "Sometimes" }),
      causes: [
        {
          reason: "FieldValueNotSupported",
          message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
          field: "spec.restartPolicy",
        },
      ],
    },
    {
      name: "a malformed quantity (built-in wording, map key as subscript)",
      kind: POD,
      input: pod({ containers: [{ ...C, resources: { limits: { cpu: "lots" } } }] }),
      causes: [
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
          field: "spec.containers[0].resources.limits[cpu]",
        },
      ],
    },
    {
      name: "a malformed quantity (CRD wording)",
      kind: VM,
      input: vm({ running: true, template: { spec: { domain: { devices: {}, resources: { requests: { memory: "1 G" } } } } } }),
      causes: [
        {
          reason: "FieldValueInvalid",
          message:
            "Invalid value: \"1 G\": spec.template.spec.domain.resources.requests.memory in body should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'",
          field: "spec.template.spec.domain.resources.requests.memory",
        },
      ],
    },
    {
      name: "an int-or-string union miss",
      kind: POD,
      input: pod({ containers: [{ ...C, resources: { requests: { memory: true } } }] }),
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "boolean": spec.containers[0].resources.requests[memory] in body must be of type number,string: "boolean"',
          field: "spec.containers[0].resources.requests[memory]",
        },
      ],
    },
    {
      name: "several bad fields at once, one cause each",
      kind: VM,
      input: vm({ running: "no", template: { spec: {} } }),
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "string": spec.running in body must be of type boolean: "string"',
          field: "spec.running",
        },
        { reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.domain" },
      ],
    },
  ];

  it.each(cases)("answers $name with 422 and exactly the expected causes", ({ kind, input, causes }) => {
    const err = decodeError(input, kind);
    expect(err.code).toBe(422);
    expect(err.reason).toBe("Invalid");
    expect(err.details?.causes).toEqual(causes);
    expect(err.details?.group).toBe(kind.group || undefined);
  });

  it("names the object in the 422 message", () => {
    const err = decodeError(pod({ containers: [{ image: "x" }] }, { name: "bad" }), POD);
    expect(err.message).toBe('Pod "bad" is invalid: spec.containers[0].name: Required value');
  });
});
