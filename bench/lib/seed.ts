import { performance } from "node:perf_hooks";
import type { World } from "./world.ts";

export type SeedOptions = { conversations: number; messages: number };

/** Search terms the seeded texts carry: one in half of the messages, one in 1 of every 50,000. */
export const COMMON_TERM = "order";
export const RARE_TERM = "zanzibar";
const RARE_EVERY = 50_000;

/** A version-4-shaped uuid from an md5 (Parley's schemas check the version and variant digits). */
const uuidFrom = (expression: string): string =>
  `overlay(overlay(md5(${expression}) placing '4' from 13) placing '8' from 17)::uuid`;

/**
 * Fills the world's workspace with conversations (one contact each, statuses mixed, activity
 * spread over time) and messages spread over them, with `generate_series` in a few statements.
 * Ids derive from the row number (md5 → uuid) so each insert can point at the previous table's rows.
 */
export const seedWorkspace = async (world: World, options: SeedOptions, log: (message: string) => void) => {
  const started = performance.now();
  const client = await world.pool.connect();
  const tag = `seed-${Date.now()}-`;
  const { workspaceId, userId } = world.owner;
  try {
    await client.query("set statement_timeout = 0");
    log(`seeding ${options.conversations.toLocaleString("en-US")} conversations`);
    await client.query(
      `insert into contacts (id, workspace_id, name, email)
       select ${uuidFrom("$1 || 'c' || g")}, $2, 'Customer ' || g, 'customer' || g || '@example.com'
       from generate_series(1, $3::int) g`,
      [tag, workspaceId, options.conversations],
    );
    await client.query(
      `insert into conversations (id, workspace_id, number, inbox_id, contact_id, status, waiting_since,
         last_message_at, last_activity_at, created_at, updated_at, unread_by_agents_count)
       select ${uuidFrom("$1 || 'v' || g")}, $2, nextval(conversation_number_sequence_name($2::uuid)::regclass), $3, ${uuidFrom("$1 || 'c' || g")},
         (array['open','open','open','pending','pending','resolved','resolved','resolved','closed','snoozed'])[1 + g % 10],
         case when g % 4 = 0 then now() - (($4::int - g) * interval '7 seconds') end,
         now() - (($4::int - g) * interval '7 seconds'), now() - (($4::int - g) * interval '7 seconds'),
         now() - (($4::int - g) * interval '7 seconds') - interval '1 hour', now(), g % 3
       from generate_series(1, $4::int) g`,
      [tag, workspaceId, world.inbox.id, options.conversations],
    );
    log(`seeding ${options.messages.toLocaleString("en-US")} messages`);
    await client.query(
      `insert into messages (id, workspace_id, conversation_id, inbox_id, sender_type, sender_id, text, created_at)
       select gen_random_uuid(), $2, ${uuidFrom("$1 || 'v' || (1 + (g - 1) % $4::int)")}, $3,
         case when g % 3 = 0 then 'agent' else 'contact' end,
         case when g % 3 = 0 then $5::uuid else ${uuidFrom("$1 || 'c' || (1 + (g - 1) % $4::int)")} end,
         (array['Hello, where is my ${COMMON_TERM}', 'Hi, my parcel', 'Thanks, the ${COMMON_TERM} for the blue jacket', 'Could you check the delivery'])[1 + g % 4]
           || ' number ' || g || ' ' || (array['today','please','tomorrow','asap','again'])[1 + g % 5]
           || case when g % ${RARE_EVERY} = 7 then ' ${RARE_TERM}' else '' end,
         now() - (($6::int - g) * interval '1 second')
       from generate_series(1, $6::int) g`,
      [tag, workspaceId, world.inbox.id, options.conversations, userId, options.messages],
    );
    await client.query(
      `update conversations c set last_message_seq = m.last_seq
       from (select conversation_id, max(seq) as last_seq from messages where workspace_id = $1 group by conversation_id) m
       where c.id = m.conversation_id`,
      [workspaceId],
    );
    log("analyze");
    await client.query("analyze");
  } finally {
    client.release();
  }
  return { seedMs: performance.now() - started, rareTermMessages: Math.floor((options.messages - 7) / RARE_EVERY) + 1 };
};
