import path from "node:path";
import { defineConfig } from "vite";

/** The frame app: dist/frame.html plus hashed assets, loaded at /widget/frame.html inside the loader's iframe. */
export default defineConfig({
  root: import.meta.dirname,
  // Relative URLs, so the frame works wherever the server mounts dist/ (today /widget/).
  base: "./",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      input: { frame: path.join(import.meta.dirname, "frame.html") },
      output: {
        // One chunk per language, named so scripts/check-size.mjs counts only the one a visitor loads.
        chunkFileNames: (chunk) =>
          chunk.facadeModuleId?.includes("/src/frame/locales/") ? "assets/locale-[name]-[hash].js" : "assets/[name]-[hash].js",
      },
    },
  },
});
