/**
 * @module
 * The Worker: the API front on fetch, and the Durable Object classes.
 */
import { app } from "./api/app";

export { CollectionStore } from "./objects/collection-store";
export { ObjectStore } from "./objects/object-store";
export { BenchFloor } from "./bench/floor";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
