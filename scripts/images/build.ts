/**
 * @module
 * `npm run images [-- --namespace NS --address SOCK --only REF --force]`:
 * builds every image of the catalog on this machine (nothing downloaded: the
 * contents come from installed Debian packages) as an OCI image layout and
 * imports it into containerd's store, in the one namespace duraplane runs
 * everything in (`duraplane`). Reproducible layers make an unchanged image
 * the same manifest digest, so an image already imported is skipped.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { promisify } from "node:util";
import { containerdMissing, Ctr } from "../../agent/runtime/ctr.ts";
import { storedImageDigest } from "../../agent/runtime/containerd-images.ts";
import { CATALOG } from "./catalog.ts";
import { writeImageLayout } from "./oci.ts";
import type { ImageRecipe } from "./recipe.ts";

const run = promisify(execFile);

/** What happened to one image. */
export interface BuiltImage {
  ref: string;
  digest: string;
  imported: boolean;
  ms: number;
}

/** Builds `recipe` and imports it unless containerd already has that digest. */
export async function buildImage(recipe: ImageRecipe, ctr: Ctr, force = false): Promise<BuiltImage> {
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), "duraplane-image-"));
  try {
    const rootfs = join(work, "rootfs");
    await run("mkdir", ["-p", rootfs]);
    await recipe.build(rootfs);
    const written = await writeImageLayout(recipe, rootfs, work);
    const stored = await storedImageDigest(ctr, recipe.ref);
    const imported = force || stored !== written.manifestDigest;
    if (imported) await ctr.run(["images", "import", written.archive], 10 * 60_000);
    return { ref: recipe.ref, digest: written.manifestDigest, imported, ms: Date.now() - started };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds the catalog (or the refs in `only`). */
export async function buildImages(options: { ctr: Ctr; only?: readonly string[]; force?: boolean; recipes?: readonly ImageRecipe[] }): Promise<BuiltImage[]> {
  const recipes = (options.recipes ?? CATALOG).filter((r) => !options.only?.length || options.only.includes(r.ref));
  const out: BuiltImage[] = [];
  for (const recipe of recipes) out.push(await buildImage(recipe, options.ctr, options.force));
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { namespace: { type: "string" }, address: { type: "string" }, only: { type: "string", multiple: true }, force: { type: "boolean" } },
  });
  const missing = await containerdMissing({ address: values.address });
  if (missing) throw new Error(missing);
  const ctr = new Ctr({ namespace: values.namespace, address: values.address });
  for (const image of await buildImages({ ctr, only: values.only, force: values.force })) {
    process.stdout.write(`${image.ref} ${image.digest} ${image.imported ? "imported" : "already present"} (${image.ms} ms) in containerd namespace ${ctr.namespace}\n`);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`npm run images: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
