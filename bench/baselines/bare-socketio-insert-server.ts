// Child process of the bare-socketio-insert baseline: the least a visitor → agent delivery can do on
// Parley's stack. Socket.IO (websocket transport, as the widget uses) with a `/widget` namespace
// that stores each `message.send` with one insert in its own transaction and acks it, and an `/agent`
// namespace that gets every stored message; no auth, no conversation, no counters.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import pg from "pg";
import { Server } from "socket.io";

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error("usage: bare-socketio-insert-server <database url>");

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
await pool.query(`
  create table if not exists bench_messages (
    id uuid primary key,
    conversation_id uuid not null,
    body text not null,
    client_id text not null,
    created_at timestamptz not null
  );
  create index if not exists bench_messages_conversation on bench_messages (conversation_id, created_at)`);

const INSERT = {
  name: "bench-insert-message",
  text: `insert into bench_messages (id, conversation_id, body, client_id, created_at) values ($1, $2, $3, $4, now())
    returning id, conversation_id, body, client_id`,
};

type Send = { clientId?: unknown; text?: unknown };
type Ack = (answer: unknown) => void;

const http = createServer();
const io = new Server(http, { transports: ["websocket"] });
const agents = io.of("/agent");
io.of("/widget").on("connection", (socket) => {
  // One conversation per socket, as each visitor writes in their own.
  const conversationId = randomUUID();
  socket.on("message.send", async (payload: Send, ack: Ack) => {
    try {
      const { rows } = await pool.query(INSERT, [randomUUID(), conversationId, String(payload.text), String(payload.clientId)]);
      const row = rows[0];
      const message = { id: row.id, seq: 0, text: row.body, clientId: row.client_id, conversationId };
      agents.emit("message.created", { message });
      ack({ ok: true, data: { message, conversationId } });
    } catch (error) {
      ack({ ok: false, error: { code: "insert_failed", message: String(error) } });
    }
  });
});

http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  process.send?.({ type: "listening", port: typeof address === "object" && address !== null ? address.port : 0 });
});

process.on("disconnect", () => {
  io.close();
  void pool.end().finally(() => process.exit(0));
});
