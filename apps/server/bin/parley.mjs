#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=40 --no-allocation-site-pretenuring
// The `parley` command. The server runs from its TypeScript source, which needs Node's type stripping.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `parley needs Node.js 22.18 or newer (this is ${process.version}). Run it through npm (npm start, npm run parley), which uses the Node 24 the project pins.`,
  );
  process.exit(1);
}
await import("../src/main.ts");
