// Child process of the bare-http baseline: a Fastify hello route, so the load generator and the
// server do not share one event loop (as with the real server, which also runs in its own process).
import Fastify from "fastify";

const bodyBytes = Number(process.argv[2] ?? "17");
const prefix = '{"hello":"';
const suffix = '"}';
const body = `${prefix}${"x".repeat(Math.max(0, bodyBytes - prefix.length - suffix.length))}${suffix}`;

const app = Fastify({ logger: false });
app.get("/hello", async (_request, reply) => reply.type("application/json").send(body));

await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
process.send?.({
  type: "listening",
  port: typeof address === "object" && address !== null ? address.port : 0,
  bodyBytes: body.length,
});
process.on("disconnect", () => {
  void app.close().finally(() => process.exit(0));
});
