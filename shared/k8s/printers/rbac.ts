/**
 * @module
 * `kubectl get roles|clusterroles|rolebindings|clusterrolebindings` columns:
 * upstream's printRole / printClusterRole (Name, Created At) and
 * printRoleBinding / printClusterRoleBinding (Name, Role, Age; wide: Users,
 * Groups, ServiceAccounts), kubernetes pkg/printers/internalversion/printers.go v1.32.
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, OBJECT_META_CREATION_TIMESTAMP_DESCRIPTION, column, wideColumn } from "./columns";
import { at, list, str } from "./fields";
import { formatTime } from "../time";
import { readTime, translateTimestampSince } from "./timestamp";

/** Go's zero time as `time.RFC3339` prints it: what "Created At" shows for a missing timestamp. */
const GO_ZERO_RFC3339 = "0001-01-01T00:00:00Z";

/** `obj.CreationTimestamp.Time.UTC().Format(time.RFC3339)`. */
function createdAt(obj: KubeObject): string {
  const ms = readTime(obj.metadata.creationTimestamp);
  return ms === undefined ? GO_ZERO_RFC3339 : formatTime(ms);
}

/** Roles and ClusterRoles: Name, Created At (a date, not an age, as upstream). */
export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, column("Created At", "date", OBJECT_META_CREATION_TIMESTAMP_DESCRIPTION)],
  cells(role: KubeObject): TableCell[] {
    return [str(role.metadata.name), createdAt(role)];
  },
};

/**
 * `rbac.SubjectsStrings`: user names, group names and `namespace/name` of
 * service accounts (other kinds are not shown), each joined with ", ".
 */
export function subjectsStrings(subjects: unknown): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of list(subjects)) {
    const name = str(at(s, "name"));
    switch (str(at(s, "kind"))) {
      case "User":
        users.push(name);
        break;
      case "Group":
        groups.push(name);
        break;
      case "ServiceAccount":
        serviceAccounts.push(`${str(at(s, "namespace"))}/${name}`);
        break;
    }
  }
  return [users.join(", "), groups.join(", "), serviceAccounts.join(", ")];
}

function bindingPrinter(kind: "roleBinding" | "clusterRoleBinding", roleRefDescription: string): Printer {
  return {
    columns: [
      NAME_COLUMN,
      column("Role", "string", roleRefDescription),
      AGE_COLUMN,
      wideColumn("Users", "string", `Users in the ${kind}`),
      wideColumn("Groups", "string", `Groups in the ${kind}`),
      wideColumn("ServiceAccounts", "string", `ServiceAccounts in the ${kind}`),
    ],
    cells(binding: KubeObject, now: Date): TableCell[] {
      const role = `${str(at(binding, "roleRef", "kind"))}/${str(at(binding, "roleRef", "name"))}`;
      return [
        str(binding.metadata.name),
        role,
        translateTimestampSince(binding.metadata.creationTimestamp, now),
        ...subjectsStrings(at(binding, "subjects")),
      ];
    },
  };
}

/** rbacv1.RoleBinding{}.SwaggerDoc()["roleRef"] */
const ROLE_BINDING_ROLE_REF =
  "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.";

/** rbacv1.ClusterRoleBinding{}.SwaggerDoc()["roleRef"] */
const CLUSTER_ROLE_BINDING_ROLE_REF =
  "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.";

/** RoleBindings: Name, Role (`ClusterRole/edit`), Age; wide: Users, Groups, ServiceAccounts. */
export const roleBindingPrinter: Printer = bindingPrinter("roleBinding", ROLE_BINDING_ROLE_REF);

/** ClusterRoleBindings: as RoleBindings. */
export const clusterRoleBindingPrinter: Printer = bindingPrinter("clusterRoleBinding", CLUSTER_ROLE_BINDING_ROLE_REF);
