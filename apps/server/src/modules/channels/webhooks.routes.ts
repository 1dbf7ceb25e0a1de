import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { storageFor } from "../../platform/storage.ts";
import type { ChannelContext, WebhookReply, WebhookRequest } from "./channel-adapter.ts";
import type { InboxLookup } from "./channel-inboxes.ts";
import { adapterForPlatform } from "./channel-registry.ts";
import { ingestWebhook } from "./ingest.ts";
import { platformHttp } from "./platform-http.ts";

const ZWebhookParams = z.object({ platform: z.string().max(20), inboxId: z.uuid().optional() });

const sendReply = (reply: FastifyReply, outcome: WebhookReply) => {
  reply.status(outcome.status);
  if (outcome.contentType) reply.type(outcome.contentType);
  return reply.send(outcome.body ?? "");
};

/**
 * `/webhooks/<platform>` and `/webhooks/<platform>/<inbox id>`: where messaging platforms deliver.
 * Bodies are kept raw (signatures cover the exact bytes) and parsed only by the adapter.
 */
export const channelWebhookRoutes: FastifyPluginAsync<{ lookup: InboxLookup }> = async (app, options) => {
  const services = app.parley;
  const context: ChannelContext = {
    config: services.config,
    logger: services.logger,
    secrets: services.secrets,
    http: platformHttp,
    storage: storageFor(services.config),
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 25 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  const toWebhookRequest = (request: FastifyRequest, inboxId: string | null): WebhookRequest => ({
    method: request.method === "GET" ? "GET" : "POST",
    url: `${services.config.publicUrl}${request.url}`,
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]),
    ),
    query: request.query as Record<string, string | undefined>,
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    inboxId,
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = ZWebhookParams.safeParse(request.params);
    const adapter = params.success ? adapterForPlatform(params.data.platform) : null;
    if (!params.success || !adapter) {
      return reply.status(404).send({ error: { code: "not_found", message: "No such webhook endpoint." } });
    }
    const webhook = toWebhookRequest(request, params.data.inboxId ?? null);
    if (request.method === "GET") {
      if (!adapter.handshake) return reply.status(405).send({ error: { code: "method_not_allowed", message: "Use POST." } });
      return sendReply(reply, adapter.handshake(webhook, context));
    }
    return sendReply(reply, await ingestWebhook({ db: services.db, lookup: options.lookup, context }, adapter, webhook));
  };

  const config = { access: "public" as const };
  app.get("/webhooks/:platform", { config, schema: { hide: true } }, handle);
  app.post("/webhooks/:platform", { config, schema: { hide: true } }, handle);
  app.get("/webhooks/:platform/:inboxId", { config, schema: { hide: true } }, handle);
  app.post("/webhooks/:platform/:inboxId", { config, schema: { hide: true } }, handle);
};
