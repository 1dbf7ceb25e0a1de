import type { ParleyModule } from "../parley-module.ts";
import { sendMailTask } from "./mailer.ts";

export const mailModule: ParleyModule = { tasks: [sendMailTask] };
