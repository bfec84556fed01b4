import { describe, expect, it } from "vitest";
import { ApiError, type StatusCause } from "../k8s/errors";
import type { KubeObject } from "../k8s/object";
import { replicaSetStrategy } from "./apps-v1/replicaset";
import { decodeObject } from "./decode";

const KIND = { schema: replicaSetStrategy.schema, kind: "ReplicaSet", group: "apps", version: "v1" };

function rs(spec: Record<string, unknown>): unknown {
  return { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web", namespace: "default" }, spec };
}

function admit(spec: Record<string, unknown>): { obj: KubeObject; causes: StatusCause[] } {
  const obj = decodeObject(rs(spec), KIND, { strict: true });
  replicaSetStrategy.applyDefaults(obj);
  return { obj, causes: replicaSetStrategy.validate(obj) };
}

const TEMPLATE = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } };
const VALID = { selector: { matchLabels: { app: "web" } }, template: TEMPLATE };

describe("ReplicaSet", () => {
  it("defaults replicas and the template's pod spec, keeping everything else", () => {
    const { obj, causes } = admit(VALID);
    expect(causes).toEqual([]);
    expect(obj.spec).toEqual({
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "app",
              image: "nginx:1.27",
              resources: {},
              imagePullPolicy: "IfNotPresent",
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
            },
          ],
          dnsPolicy: "ClusterFirst",
          restartPolicy: "Always",
          securityContext: {},
          terminationGracePeriodSeconds: 30,
          schedulerName: "default-scheduler",
        },
      },
    });
  });

  it("keeps an explicit replicas of 0", () => {
    expect(admit({ ...VALID, replicas: 0 }).obj.spec).toMatchObject({ replicas: 0 });
  });

  const cases: { name: string; spec: Record<string, unknown>; causes: StatusCause[] }[] = [
    {
      name: "negative replicas",
      spec: { ...VALID, replicas: -1 },
      causes: [{ reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas" }],
    },
    {
      name: "an empty selector",
      spec: { ...VALID, selector: {} },
      causes: [{ reason: "FieldValueInvalid", message: "Invalid value: {}: empty selector is invalid for deployment", field: "spec.selector" }],
    },
    {
      name: "a selector that does not match the template labels",
      spec: { ...VALID, selector: { matchLabels: { app: "other" } } },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
          field: "spec.template.metadata.labels",
        },
      ],
    },
    {
      name: "a template that restarts Never and has a deadline",
      spec: { ...VALID, template: { ...TEMPLATE, spec: { ...TEMPLATE.spec, restartPolicy: "Never", activeDeadlineSeconds: 10 } } },
      causes: [
        { reason: "FieldValueNotSupported", message: 'Unsupported value: "Never": supported values: "Always"', field: "spec.template.spec.restartPolicy" },
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 10: activeDeadlineSeconds in ReplicaSet is not Supported",
          field: "spec.template.spec.activeDeadlineSeconds",
        },
      ],
    },
    {
      name: "a template without containers",
      spec: { ...VALID, template: { metadata: TEMPLATE.metadata } },
      causes: [{ reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers" }],
    },
    {
      name: "a selector expression with a bad operator",
      spec: { selector: { matchExpressions: [{ key: "app", operator: "Like", values: ["web"] }] }, template: TEMPLATE },
      causes: [
        { reason: "FieldValueInvalid", message: 'Invalid value: "Like": not a valid selector operator', field: "spec.selector.matchExpressions[0].operator" },
        { reason: "FieldValueInvalid", message: 'Invalid value: {"matchExpressions":[{"key":"app","operator":"Like","values":["web"]}]}: invalid label selector', field: "spec.selector" },
      ],
    },
  ];

  it.each(cases)("rejects $name", ({ spec, causes }) => {
    expect(admit(spec).causes).toEqual(causes);
  });

  it("requires a selector at decode time", () => {
    try {
      decodeObject(rs({ template: TEMPLATE }), KIND, { strict: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).details?.causes).toEqual([{ reason: "FieldValueRequired", message: "Required value", field: "spec.selector" }]);
    }
  });

  it("makes the selector immutable on update but lets replicas change", () => {
    const old = admit(VALID).obj;
    expect(replicaSetStrategy.validate(admit({ ...VALID, replicas: 5 }).obj, old)).toEqual([]);
    const moved = admit({
      selector: { matchLabels: { app: "web", tier: "fe" } },
      template: { ...TEMPLATE, metadata: { labels: { app: "web", tier: "fe" } } },
    }).obj;
    expect(replicaSetStrategy.validate(moved, old)).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
        field: "spec.selector",
      },
    ]);
  });
});
