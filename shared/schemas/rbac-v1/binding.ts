/**
 * @module
 * `rbac.authorization.k8s.io/v1` RoleBinding (namespaced) and
 * ClusterRoleBinding (cluster-scoped): schemas and upstream's
 * `ValidateRoleBinding[Update]` / `ValidateClusterRoleBinding[Update]`,
 * including the immutable roleRef ("cannot change roleRef").
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { nameIsPathSegment, validateObjectMeta } from "../../k8s/validation";
import { asKind, typeAndObjectMeta, type KindStrategy } from "../meta";
import { RBAC_GROUP, RBAC_V1, RoleRefSchema, SubjectSchema } from "./rbac-types";
import { validateRoleRef, validateRoleRefUnchanged, validateSubjects } from "./rbac-validation";

function bindingSchema(kind: "RoleBinding" | "ClusterRoleBinding", description: string) {
  return z
    .object({
      ...typeAndObjectMeta(kind),
      subjects: z.array(SubjectSchema).optional().describe("The users, groups and service accounts the role applies to."),
      roleRef: RoleRefSchema.optional().describe(
        kind === "RoleBinding"
          ? "A Role in this namespace or a ClusterRole. Immutable."
          : "A ClusterRole. Immutable.",
      ),
    })
    .meta({
      id: `${RBAC_V1}.${kind}`,
      description,
      "x-kubernetes-group-version-kind": [{ group: RBAC_GROUP, version: "v1", kind }],
    });
}

/** `rbac/v1` RoleBinding. */
export const RoleBindingSchema = bindingSchema(
  "RoleBinding",
  "Grants the permissions of a Role or ClusterRole to subjects, within the binding's namespace.",
);

/** `rbac/v1` ClusterRoleBinding. */
export const ClusterRoleBindingSchema = bindingSchema(
  "ClusterRoleBinding",
  "Grants the permissions of a ClusterRole to subjects across the cluster.",
);

/** A v1 RoleBinding or ClusterRoleBinding (the same shape). */
export type RoleBinding = z.infer<typeof RoleBindingSchema>;
/** A v1 ClusterRoleBinding. */
export type ClusterRoleBinding = z.infer<typeof ClusterRoleBindingSchema>;

/**
 * `ValidateRoleBinding` (`namespaced`: Role or ClusterRole, namespaced
 * subjects) or `ValidateClusterRoleBinding` (ClusterRole only; ServiceAccount
 * subjects need a namespace); on update also `cannot change roleRef`.
 */
export function validateBinding(binding: RoleBinding, namespaced: boolean, old?: RoleBinding): StatusCause[] {
  const causes = [
    ...validateObjectMeta(binding.metadata as KubeObject["metadata"], { namespaced, nameFn: nameIsPathSegment }),
    ...validateRoleRef(binding.roleRef, namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]),
    ...validateSubjects(binding.subjects, namespaced),
  ];
  if (old) causes.push(...validateRoleRefUnchanged(binding.roleRef, old.roleRef));
  return causes;
}

/**
 * `SetDefaults_RoleBinding` / `SetDefaults_ClusterRoleBinding` and
 * `SetDefaults_Subject`: an empty roleRef.apiGroup, and a User's or Group's
 * empty apiGroup, become rbac.authorization.k8s.io.
 */
export function defaultBinding(binding: RoleBinding): void {
  const ref = (binding.roleRef ??= {});
  if (!ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  for (const subject of binding.subjects ?? []) {
    if (!subject.apiGroup && (subject.kind === "User" || subject.kind === "Group")) subject.apiGroup = RBAC_GROUP;
  }
}

function bindingStrategy<S extends z.ZodType>(schema: S, namespaced: boolean): KindStrategy<S> {
  return {
    schema,
    applyDefaults(obj: KubeObject): void {
      defaultBinding(asKind<RoleBinding>(obj));
    },
    validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
      return validateBinding(asKind<RoleBinding>(obj), namespaced, old ? asKind<RoleBinding>(old) : undefined);
    },
  };
}

/** The RoleBinding strategy (roleRef immutable). */
export const roleBindingStrategy = bindingStrategy(RoleBindingSchema, true);

/** The ClusterRoleBinding strategy (roleRef immutable). */
export const clusterRoleBindingStrategy = bindingStrategy(ClusterRoleBindingSchema, false);
