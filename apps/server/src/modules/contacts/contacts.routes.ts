import {
  ZContact,
  ZContactDetail,
  ZContactList,
  ZContactListQuery,
  ZContactParams,
  ZCreateContactRequest,
  ZErrorResponse,
  ZUpdateContactRequest,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { createContact, deleteContact, getContact, listContacts, setContactBlocked, updateContact } from "./contacts.service.ts";

const readErrors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse };
const writeErrors = { ...readErrors, 404: ZErrorResponse, 409: ZErrorResponse };

/** Contacts: `contacts.view` reads them, `contacts.manage` changes them. */
export const contactsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const { db } = services;

  app.get("/contacts", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["contacts"],
      summary:
        "Contacts, newest first: people by default, anonymous website visitors with kind=visitors; searched by name, email or phone prefixes and filtered by tag",
      querystring: ZContactListQuery,
      response: { 200: ZContactList, ...readErrors },
    },
    handler: async (request) => listContacts(db, requireIdentity(request).workspaceId, request.query),
  });

  app.get("/contacts/:id", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["contacts"],
      summary: "One contact with its identities per inbox and the conversations you can see",
      params: ZContactParams,
      response: { 200: ZContactDetail, ...readErrors, 404: ZErrorResponse },
    },
    handler: async (request) => getContact(db, requireIdentity(request), request.params.id),
  });

  app.post("/contacts", {
    config: { access: "contacts.manage" },
    schema: {
      tags: ["contacts"],
      summary: "Create a contact; an email another contact already has is refused with that contact's id",
      body: ZCreateContactRequest,
      response: { 201: ZContact, ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const contact = await createContact(services, identity.workspaceId, request.body, actorOf(identity, request));
      return reply.status(201).send(contact);
    },
  });

  app.patch("/contacts/:id", {
    config: { access: "contacts.manage" },
    schema: {
      tags: ["contacts"],
      summary: "Change a contact; custom attributes and tags are replaced as a whole",
      params: ZContactParams,
      body: ZUpdateContactRequest,
      response: { 200: ZContact, ...writeErrors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateContact(services, identity.workspaceId, request.params.id, request.body, actorOf(identity, request));
    },
  });

  app.delete("/contacts/:id", {
    config: { access: "contacts.manage" },
    schema: {
      tags: ["contacts"],
      summary: "Delete a contact that has no conversations",
      params: ZContactParams,
      response: { 204: z.null(), ...writeErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteContact(services, identity.workspaceId, request.params.id, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });

  for (const [action, isBlocked] of [
    ["block", true],
    ["unblock", false],
  ] as const) {
    app.post(`/contacts/:id/${action}`, {
      config: { access: "contacts.manage" },
      schema: {
        tags: ["contacts"],
        summary: isBlocked ? "Block a contact: their messages are refused" : "Unblock a contact",
        params: ZContactParams,
        response: { 200: ZContact, ...writeErrors },
      },
      handler: async (request) => {
        const identity = requireIdentity(request);
        return setContactBlocked(services, identity.workspaceId, request.params.id, isBlocked, actorOf(identity, request));
      },
    });
  }
};
