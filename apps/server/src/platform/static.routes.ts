import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { demoWebsiteToken } from "../seed/demo-seed.ts";

const APPS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DASHBOARD_DIST = path.join(APPS_DIR, "dashboard/dist");
export const WIDGET_DIST = path.join(APPS_DIR, "widget/dist");

const notBuilt = (what: string) =>
  `<!doctype html><meta charset="utf-8"><title>Parley</title><p>The ${what} is not built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds what is missing) and reload.</p>`;

/** Reads the built dashboard's index page, or null when the dashboard is not built. */
export const readDashboardIndex = async (root: string = DASHBOARD_DIST): Promise<string | null> =>
  readFile(path.join(root, "index.html"), "utf8").catch(() => null);

/** The built dashboard at `/`; the app's not-found handler serves its index for client-side routes. */
export const dashboardRoutes: FastifyPluginAsync<{ root?: string; isBuilt: boolean }> = async (app, options) => {
  const root = options.root ?? DASHBOARD_DIST;
  if (options.isBuilt) {
    await app.register(fastifyStatic, { root, prefix: "/", index: ["index.html"], wildcard: false });
  } else {
    app.get("/", { schema: { hide: true } }, async (_request, reply) =>
      reply.status(503).type("text/html").send(notBuilt("dashboard")),
    );
  }
};

/** Host pages on any site load the widget, so these responses may be embedded and fetched cross-origin. */
const allowEmbedding = (app: FastifyInstance) => {
  app.addHook("onSend", async (_request, reply) => {
    reply.removeHeader("x-frame-options");
    reply.header("cross-origin-resource-policy", "cross-origin");
    reply.header(
      "content-security-policy",
      // Images: avatars, logos and card pictures that workspaces host anywhere on the web.
      "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors *",
    );
  });
};

export const widgetRoutes: FastifyPluginAsync<{ root?: string; publicUrl: string }> = async (app, options) => {
  const root = options.root ?? WIDGET_DIST;
  allowEmbedding(app);
  if (existsSync(path.join(root, "loader.js"))) {
    await app.register(fastifyStatic, { root, prefix: "/widget/", maxAge: "1h" });
    app.get("/widget.js", { schema: { hide: true } }, async (_request, reply) =>
      // A short cache: sites embed this URL forever, and fixes must reach them.
      reply.header("cache-control", "public, max-age=300").type("text/javascript").sendFile("loader.js", root),
    );
  } else {
    app.get("/widget.js", { schema: { hide: true } }, async (_request, reply) =>
      reply.status(503).type("text/javascript").send("console.warn('Parley: the widget is not built yet; run npm run build.');"),
    );
  }

  app.get("/demo", { schema: { hide: true } }, async (_request, reply) => {
    const loaderUrl = `${options.publicUrl}/widget.js`;
    const token = await demoWebsiteToken(app.parley.db);
    const widget = token
      ? `<script async src="/widget.js" data-inbox="${token}"></script>`
      : "<p><strong>The demo workspace has no website inbox:</strong> create one in the dashboard to see the widget here.</p>";
    // The snippet for this page's inbox as it is; without one, where a site's own snippet is found.
    const snippet = token
      ? `<p>Paste this snippet before <code>&lt;/body&gt;</code>:</p>
<pre><code>&lt;script async src="${loaderUrl}" data-inbox="${token}"&gt;&lt;/script&gt;</code></pre>`
      : "<p>Each website inbox has its own snippet, ready to copy, under Settings → Inboxes in the dashboard.</p>";
    return reply.type("text/html").send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley demo shop</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<style>body{font-family:system-ui,sans-serif;margin:0;color:#1a1b1e}header{background:#1c7ed6;color:#fff;padding:24px 32px}main{padding:32px;max-width:760px}code{background:#f1f3f5;padding:2px 6px;border-radius:4px}pre{white-space:pre-wrap;overflow-wrap:anywhere}</style>
</head>
<body>
<header><h1>Demo shop</h1><p>A host page carrying the Parley widget, as a customer's site would.</p></header>
<main>
<h2>Embed it on your site</h2>
${snippet}
<p>The launcher in the corner of this page is that widget: write to it, and answer from the dashboard.</p>
${widget}
</main>
</body>
</html>`);
  });
};
