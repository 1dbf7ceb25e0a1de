// Child process of the bare-ws baseline, so its RSS per connection is measured apart from the clients.
// A message starting with "e" is echoed to its sender; one starting with "b" is sent to every client.
import { WebSocketServer } from "ws";

const gc = (globalThis as { gc?: () => void }).gc;

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => {
    const payload = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
    if (payload[0] === 0x62 /* "b" */) {
      for (const client of server.clients) client.send(payload, { binary: isBinary });
    } else {
      socket.send(payload, { binary: isBinary });
    }
  });
});

server.on("listening", () => {
  const address = server.address();
  process.send?.({ type: "listening", port: typeof address === "object" && address !== null ? address.port : 0 });
});

process.on("message", (message: unknown) => {
  if (typeof message !== "object" || message === null || !("type" in message)) return;
  if (message.type === "measure") {
    // Two collections: the first may only promote, the second frees what the first left.
    gc?.();
    gc?.();
    process.send?.({ type: "measured", rss: process.memoryUsage.rss(), connections: server.clients.size });
  }
});

process.on("disconnect", () => {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
});
