import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type DatabaseHandle, preparedPerConnection } from "../src/platform/db.ts";
import { createTestDatabase, silentLogger } from "./helpers.ts";

describe("prepared statements built once per connection", () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = connectDatabase(await createTestDatabase(), { poolSize: 2, logger: silentLogger });
  });
  afterAll(async () => {
    await database.close();
  });

  it("builds the query once per pooled connection and runs it inside whichever transaction it is given", async () => {
    let builds = 0;
    const readMark = preparedPerConnection((db) => {
      builds += 1;
      return db
        .select({
          mark: sql<string | null>`current_setting('parley.mark', true)`,
          echoed: sql<string>`${sql.placeholder("echo")}::text`,
        })
        .from(sql`(select 1) as one`)
        .prepare("test_read_mark");
    });

    for (let round = 0; round < 6; round++) {
      const inside = await database.db.transaction(async (tx) => {
        // Transaction-scoped: only a statement of this very transaction sees it.
        await tx.execute(sql`select set_config('parley.mark', ${`round ${round}`}, true)`);
        return readMark(tx, { echo: `value ${round}` });
      });
      expect(inside).toEqual([{ mark: `round ${round}`, echoed: `value ${round}` }]);
    }
    const [outside] = await readMark(database.db, { echo: "pool" });
    expect(outside?.mark ?? "").toBe("");
    // Two pooled clients at most, plus the pool itself for the read outside a transaction.
    expect(builds).toBeGreaterThanOrEqual(2);
    expect(builds).toBeLessThanOrEqual(3);
  });
});
