import { authModule } from "./modules/auth/auth.module.ts";
import { cannedModule } from "./modules/canned/canned.module.ts";
import { channelsModule } from "./modules/channels/channels.module.ts";
import { emailChannelModule } from "./modules/channels/email/email.module.ts";
import { whatsappModule } from "./modules/channels/whatsapp/whatsapp.module.ts";
import { contactsModule } from "./modules/contacts/contacts.module.ts";
import { conversationsModule } from "./modules/conversations/conversations.module.ts";
import { csatModule } from "./modules/csat/csat.module.ts";
import { inboxesModule } from "./modules/inboxes/inboxes.module.ts";
import { internalChatsModule } from "./modules/internal-chats/internal-chats.module.ts";
import { messagesModule } from "./modules/messages/messages.module.ts";
import { routingModule } from "./modules/routing/routing.module.ts";
import { webhooksModule } from "./modules/webhooks/webhooks.module.ts";
import { widgetModule } from "./modules/widget/widget.module.ts";
import { mailModule } from "./platform/mail/mail.module.ts";
import type { ParleyModule } from "./platform/parley-module.ts";

/**
 * Every module's contributions. A function, not a constant: modules import each other, and
 * reading the list only when it is used keeps import cycles harmless.
 */
export const parleyModules = (): readonly ParleyModule[] => [
  authModule,
  mailModule,
  inboxesModule,
  contactsModule,
  conversationsModule,
  messagesModule,
  routingModule,
  widgetModule,
  cannedModule,
  csatModule,
  internalChatsModule,
  webhooksModule,
  channelsModule,
  emailChannelModule,
  whatsappModule,
];
