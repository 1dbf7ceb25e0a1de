import {
  ZContactNote,
  ZContactNoteBody,
  ZContactNoteList,
  ZContactNoteParams,
  ZContactNotesQuery,
  ZErrorResponse,
  ZVisitorContactParams,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { actorOf } from "../audit/audit.service.ts";
import { createContactNote, deleteContactNote, listContactNotes, updateContactNote } from "./contact-notes.service.ts";

const errors = { 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 404: ZErrorResponse };

/** Agents' notes on a contact: anyone who sees contacts reads them; authors (or admins) change them. */
export const contactNotesRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;

  app.get("/contacts/:contactId/notes", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["contacts"],
      summary: "A contact's notes, newest first",
      params: ZVisitorContactParams,
      querystring: ZContactNotesQuery,
      response: { 200: ZContactNoteList, ...errors },
    },
    handler: async (request) =>
      listContactNotes(services.db, requireIdentity(request).workspaceId, request.params.contactId, request.query),
  });

  app.post("/contacts/:contactId/notes", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["contacts"],
      summary: "Add a note to a contact",
      params: ZVisitorContactParams,
      body: ZContactNoteBody,
      response: { 201: ZContactNote, ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      const note = await createContactNote(
        services,
        identity,
        request.params.contactId,
        request.body.body,
        actorOf(identity, request),
      );
      return reply.status(201).send(note);
    },
  });

  app.patch("/contacts/:contactId/notes/:noteId", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["contacts"],
      summary: "Change a note: your own, or anyone's with contacts.manage_notes",
      params: ZContactNoteParams,
      body: ZContactNoteBody,
      response: { 200: ZContactNote, ...errors },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateContactNote(services, identity, { ...request.params, body: request.body.body }, actorOf(identity, request));
    },
  });

  app.delete("/contacts/:contactId/notes/:noteId", {
    config: { access: "contacts.view" },
    schema: {
      tags: ["contacts"],
      summary: "Delete a note: your own, or anyone's with contacts.manage_notes",
      params: ZContactNoteParams,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      await deleteContactNote(services, identity, request.params, actorOf(identity, request));
      return reply.status(204).send(null);
    },
  });
};
