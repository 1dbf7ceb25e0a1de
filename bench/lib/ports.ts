import { createServer } from "node:net";

const SYSTEM_POSTGRES_PORT = 5432;
const handedOut = new Set<number>();

const askKernelForPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("the kernel gave no port"))));
    });
  });

/**
 * A loopback port free right now. Ports already handed out in this run are skipped, because
 * a child may not have bound the previous one yet when the next is asked for; 5432 is never
 * returned since it belongs to a system PostgreSQL on these machines.
 */
export const freePort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await askKernelForPort();
    if (port === SYSTEM_POSTGRES_PORT || handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no free loopback port after 50 attempts");
};
