import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { setUpI18n } from "./i18n/i18n";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element.");

// The built app registers its service worker, which makes it installable (the desktop and phone app).
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  });
}

// The reader's language is loaded before the first render, so no screen flashes in English first.
void setUpI18n().then(() =>
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
