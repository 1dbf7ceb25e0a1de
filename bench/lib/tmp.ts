import { chmod, mkdtemp, rm } from "node:fs/promises";
import { onCleanup } from "./cleanup.ts";

export type TempDir = { path: string; remove: () => Promise<void> };

/**
 * A fresh folder `/tmp/parley-bench-<pid>-<name>-XXXXXX`, removed by `remove()` or on interrupt.
 * Mode 0711 because, as root, PostgreSQL runs as the `postgres` user, which must traverse it
 * to reach a data folder inside (mkdtemp creates 0700).
 */
export const makeTempDir = async (name: string): Promise<TempDir> => {
  const path = await mkdtemp(`/tmp/parley-bench-${process.pid}-${name}-`);
  await chmod(path, 0o711);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    unregister();
    await rm(path, { recursive: true, force: true, maxRetries: 3 });
  };
  const unregister = onCleanup(remove);
  return { path, remove };
};
