/**
 * @module
 * Column definitions shared by the printers. Descriptions are the swagger
 * docs upstream's AddHandlers pulls from the v1 types (k8s.io/api v0.32).
 */
import type { TableColumnDefinition } from "../resource-kind";

/** metav1.ObjectMeta{}.SwaggerDoc()["name"] */
export const OBJECT_META_NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/** metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"] */
export const OBJECT_META_CREATION_TIMESTAMP_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** Shared by the workload printers' wide Containers column. */
export const CONTAINERS_DESCRIPTION = "Names of each container in the template.";

/** Shared by the workload printers' wide Images column. */
export const IMAGES_DESCRIPTION = "Images referenced by each container in the template.";

/** A TableColumnDefinition with upstream's defaults: no format, priority 0 (always shown). */
export function column(
  name: string,
  type: TableColumnDefinition["type"],
  description: string,
  options: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: options.format ?? "", description, priority: options.priority ?? 0 };
}

/** A column shown only with `-o wide` (priority 1). */
export function wideColumn(name: string, type: TableColumnDefinition["type"], description: string): TableColumnDefinition {
  return column(name, type, description, { priority: 1 });
}

/** The leading Name column every printer has: format "name" lets clients find the resource name. */
export const NAME_COLUMN: TableColumnDefinition = column("Name", "string", OBJECT_META_NAME_DESCRIPTION, { format: "name" });

/** The built-in printers' Age column: a string cell holding a human duration. */
export const AGE_COLUMN: TableColumnDefinition = column("Age", "string", OBJECT_META_CREATION_TIMESTAMP_DESCRIPTION);
