import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w apps/dashboard` talks to a Parley server started separately (npm start).
const apiTarget = process.env.PARLEY_DEV_API_URL ?? "http://localhost:3000";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // React and the router change rarely, so they get a chunk of their own that browsers keep across releases.
          groups: [{ name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ }],
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
});
