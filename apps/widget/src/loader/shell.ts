/** The launcher button and the chat panel, in a shadow root so the host page's CSS cannot reach them. */

const SVG_NS = "http://www.w3.org/2000/svg";
const CHAT_ICON = "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z";
const CLOSE_ICON = "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z";
const PANEL_ID = "parley-panel";

const STYLES = `
.l{position:fixed;right:20px;bottom:20px;width:56px;height:56px;margin:0;padding:0;border:0;border-radius:50%;
background:#1c7ed6;color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center;
box-shadow:0 4px 14px rgba(0,0,0,.25)}
.l:hover{background:#1971c2}
.l:focus-visible{outline:3px solid #1a1b1e;outline-offset:3px}
.l svg{width:28px;height:28px;fill:currentColor}
.p{position:fixed;right:20px;bottom:88px;width:380px;height:min(640px,calc(100vh - 108px));overflow:hidden;
border-radius:12px;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.25)}
.p iframe{display:block;width:100%;height:100%;border:0}
[hidden]{display:none!important}
@media (max-width:479px){.p{inset:0;width:auto;height:auto;border-radius:0}.l[aria-expanded=true]{display:none}}
`;

export type Shell = {
  /** The element appended to the host page; focus inside the shadow root is retargeted to it. */
  host: HTMLElement;
  launcher: HTMLButtonElement;
  render: (state: { isOpen: boolean; isLauncherVisible: boolean }) => void;
  /** Creates the iframe on first call, then returns the same one. */
  ensureFrame: (src: string) => HTMLIFrameElement;
};

export const SHELL_TAG = "parley-widget";

const applyStyles = (doc: Document, root: ShadowRoot) => {
  try {
    // A constructed sheet is not inline CSS, so host pages with a strict style-src CSP still style the launcher.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = doc.createElement("style");
    style.textContent = STYLES;
    root.append(style);
  }
};

export const createShell = (doc: Document, labels: { launcher: string; frame: string }, onToggle: () => void): Shell => {
  const host = doc.createElement(SHELL_TAG);
  // Inline !important beats any rule of the host page; `all:initial` stops inherited fonts and colours.
  host.style.cssText = "all:initial!important;display:contents!important";
  const root = host.attachShadow({ mode: "open" });
  applyStyles(doc, root);

  const launcher = doc.createElement("button");
  launcher.type = "button";
  launcher.className = "l";
  launcher.setAttribute("aria-label", labels.launcher);
  launcher.setAttribute("aria-controls", PANEL_ID);
  const icon = doc.createElementNS(SVG_NS, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  const iconPath = doc.createElementNS(SVG_NS, "path");
  icon.append(iconPath);
  launcher.append(icon);
  launcher.addEventListener("click", onToggle);

  const panel = doc.createElement("div");
  panel.className = "p";
  panel.id = PANEL_ID;

  root.append(launcher, panel);
  doc.body.append(host);

  let frame: HTMLIFrameElement | undefined;
  return {
    host,
    launcher,
    render: ({ isOpen, isLauncherVisible }) => {
      launcher.hidden = !isLauncherVisible;
      launcher.setAttribute("aria-expanded", String(isOpen));
      iconPath.setAttribute("d", isOpen ? CLOSE_ICON : CHAT_ICON);
      panel.hidden = !isOpen;
    },
    ensureFrame: (src) => {
      if (!frame) {
        frame = doc.createElement("iframe");
        frame.title = labels.frame;
        // The frame learns the host origin from its URL; it has no need for the host page's path.
        frame.referrerPolicy = "origin";
        frame.src = src;
        panel.append(frame);
      }
      return frame;
    },
  };
};
