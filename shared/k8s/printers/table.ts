/**
 * @module
 * The meta.k8s.io/v1 Table document `kubectl get` asks for
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), built as the
 * apiserver's `asTable` (apiserver pkg/endpoints/handlers/response.go) does.
 */
import type { KubeObject, ObjectMeta } from "../object";
import type { Printer, TableCell, TableColumnDefinition } from "../resource-kind";

/** `includeObject` of metav1.TableOptions: what each row's `object` carries. */
export type IncludeObjectPolicy = "None" | "Metadata" | "Object";

/** meta.k8s.io/v1 PartialObjectMetadata. */
export interface PartialObjectMetadata {
  kind: "PartialObjectMetadata";
  apiVersion: "meta.k8s.io/v1";
  metadata: ObjectMeta;
}

/** meta.k8s.io/v1 TableRow (this server sets no row conditions). */
export interface TableRow {
  cells: TableCell[];
  object?: PartialObjectMetadata | KubeObject;
}

/** metav1.ListMeta as a Table carries it. */
export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** meta.k8s.io/v1 Table. `columnDefinitions` is null in watch events after the first, as upstream sends it. */
export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: TableListMeta;
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/** How to build one Table. */
export interface TableOptions {
  /** Makes ages (and restart ages) deterministic. */
  now: Date;
  /** The list's (or, in a watch event, the object's) resourceVersion. */
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
  includeObject: IncludeObjectPolicy;
  /**
   * Leave the column definitions out (`null`): upstream sets TableOptions.NoHeaders
   * after the first event of a Table watch, so later events carry none.
   */
  omitColumns?: boolean;
}

/**
 * `meta.AsPartialObjectMetadata`: the object's metadata under
 * kind PartialObjectMetadata. Unlike upstream, managedFields are dropped:
 * kubectl never reads them from a Table and they dominate the payload.
 */
export function asPartialObjectMetadata(obj: KubeObject): PartialObjectMetadata {
  const { managedFields: _managedFields, ...metadata } = obj.metadata;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata };
}

/** The row `object` for an includeObject policy; undefined leaves the field out. */
function rowObject(obj: KubeObject, policy: IncludeObjectPolicy): PartialObjectMetadata | KubeObject | undefined {
  switch (policy) {
    case "Object":
      return obj;
    case "Metadata":
      return asPartialObjectMetadata(obj);
    case "None":
      return undefined;
  }
}

/**
 * Builds the Table for a list (or a single object, or one watch event) with
 * every column, wide ones included: the apiserver always prints wide and
 * kubectl hides priority > 0 columns itself unless `-o wide`.
 * @example toTable(podPrinter, pods, { now: new Date(), resourceVersion: "42", includeObject: "Metadata" })
 */
export function toTable(printer: Printer, objects: KubeObject[], opts: TableOptions): Table {
  const metadata: TableListMeta = {};
  // ListMeta's fields are omitempty, except that a set remainingItemCount pointer is kept even at 0.
  if (opts.resourceVersion !== "") metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: opts.omitColumns ? null : printer.columns,
    rows: objects.map((obj) => {
      const row: TableRow = { cells: printer.cells(obj, opts.now) };
      const object = rowObject(obj, opts.includeObject);
      if (object !== undefined) row.object = object;
      return row;
    }),
  };
}
