import path from "node:path";
import { defineConfig } from "vite";

/** The loader: one classic script, dist/loader.js, that host pages embed (served as /widget.js). */
export default defineConfig({
  root: import.meta.dirname,
  publicDir: false,
  build: {
    outDir: "dist",
    // Runs after the frame build, whose output must stay.
    emptyOutDir: false,
    // ES2020 (optional chaining without helpers) keeps it under 4 KB; the frame needs a newer browser anyway.
    target: "es2020",
    lib: {
      entry: path.join(import.meta.dirname, "src/loader.ts"),
      formats: ["iife"],
      name: "ParleyLoader",
      fileName: () => "loader.js",
    },
  },
});
