import { createRequire } from "node:module";
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w apps/dashboard` talks to a Parley server started separately (npm start).
const apiTarget = process.env.PARLEY_DEV_API_URL ?? "http://localhost:3000";

/**
 * React Router 7's package exports name only its development build, warnings and all, whatever the
 * mode; a production bundle takes its production build instead (react-router issue #14102).
 */
const reactRouterProduction = path.join(
  path.dirname(createRequire(import.meta.url).resolve("react-router/package.json")),
  "dist/production/index.mjs",
);

export default defineConfig(({ command }) => ({
  base: "/",
  plugins: [react()],
  resolve: command === "build" ? { alias: [{ find: /^react-router$/, replacement: reactRouterProduction }] } : {},
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // React and the router change rarely, so they get a chunk of their own that browsers keep across releases.
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 2 },
            // The rest of the first load (`$initial`: what the entry imports statically) in two chunks, libraries and
            // ours. Left alone, rolldown cuts it into ~30 chunks by which lazy routes share each module, and those
            // small files compress far worse (18 KB gzip more) besides costing a request each.
            { name: "libraries", test: /node_modules/, tags: ["$initial"], priority: 1 },
            { name: "shell", tags: ["$initial"] },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: apiTarget },
      "/socket.io": { target: apiTarget, ws: true },
    },
  },
}));
