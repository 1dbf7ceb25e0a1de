import { render } from "preact";
import { App } from "./app.tsx";
import { connectWidget } from "./connection.ts";
import { parseFrameParams } from "./frame-params.ts";
import { createHostBridge } from "./host-bridge.ts";
import { createTranslator, resolveLocale } from "./i18n.ts";
import "./styles.css";

const params = parseFrameParams(window.location.search);
const translator = createTranslator(resolveLocale([...(params.lang ? [params.lang] : []), ...navigator.languages]));
document.documentElement.lang = translator.locale;
document.documentElement.dir = translator.dir;
document.title = translator.t("title");

const bridge = createHostBridge(window, params.hostOrigin);
const { inboxToken } = params;
const connect = inboxToken ? (onState: Parameters<typeof connectWidget>[1]) => connectWidget(inboxToken, onState) : null;

const root = document.getElementById("app");
if (root) render(<App translator={translator} bridge={bridge} connect={connect} />, root);
