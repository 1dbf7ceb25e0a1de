/** The launcher, its badge and bubble, and the chat panel, in a shadow root so the host page's CSS cannot reach them. */
import type { LauncherConfig } from "../protocol.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const CLOSE_ICON = "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z";

// Colours, offsets and sizes (--c --o --x --y --w --h) and the icon come with the frame's config: the shell is hidden until then.
const STYLES =
  ".w{font:14px/1.4 system-ui,sans-serif}" +
  ".l{position:fixed;right:var(--x);bottom:var(--y);width:56px;height:56px;padding:0;border:0;border-radius:50%;" +
  "background:var(--c);color:var(--o);cursor:pointer;display:flex;align-items:center;justify-content:center;" +
  "box-shadow:0 4px 14px #0004;z-index:2147483646}" +
  ".w :focus-visible{outline:3px solid #1a1b1e;outline-offset:3px}" +
  ".l svg{width:28px;height:28px;fill:currentColor}" +
  ".n{position:absolute;top:-4px;right:-4px;min-width:10px;padding:0 5px;border-radius:10px;background:#e03131;color:#fff;font:700 12px/20px sans-serif}" +
  ".p{position:fixed;right:var(--x);bottom:calc(var(--y) + 68px);width:var(--w);height:min(var(--h),calc(100vh - var(--y) - 88px));" +
  "overflow:hidden;border-radius:12px;background:#fff;box-shadow:0 8px 32px #0004;z-index:2147483647}" +
  ".p.z{visibility:hidden;pointer-events:none}" +
  ".p iframe{display:block;width:100%;height:100%;border:0}" +
  ".b{position:fixed;right:var(--x);bottom:calc(var(--y) + 68px);max-width:260px;padding:12px 34px 12px 14px;border-radius:12px;" +
  "background:#fff;color:#1a1b1e;box-shadow:0 4px 18px #0003;cursor:pointer;z-index:2147483646}" +
  ".b button{position:absolute;top:4px;right:4px;border:0;background:none;cursor:pointer;font-size:18px}" +
  ".L .l,.L .p,.L .b{right:auto;left:var(--x)}" +
  ".X .p{inset:var(--y) var(--x) calc(var(--y) + 68px);width:auto;height:auto}" +
  ".L .n{right:auto;left:-4px}" +
  "[hidden]{display:none!important}" +
  "@media (max-width:479px){.p{inset:0;width:auto;height:auto;border-radius:0}.l[aria-expanded=true]{display:none}}";

export type ShellState = {
  isOpen: boolean;
  isLauncherVisible: boolean;
  /** False until the frame sent its settings, and whenever a rule hides the widget on this page. */
  isShown: boolean;
  unread: number;
  bubble: string | null;
};

export type Shell = {
  /** The element appended to the host page; focus inside the shadow root is retargeted to it. */
  host: HTMLElement;
  launcher: HTMLButtonElement;
  frame: HTMLIFrameElement;
  configure: (config: LauncherConfig) => void;
  /** Maximised: the panel takes the window but the launcher's corner. */
  expand: (expanded: boolean) => void;
  render: (state: ShellState) => void;
};

export const SHELL_TAG = "parley-widget";

/**
 * A constructed sheet is not inline CSS, so host pages with a strict style-src CSP still style the
 * launcher. No `<style>` fallback: every browser the frame's build supports (Vite's baseline, Safari
 * 16.4+) has constructable stylesheets, and the launcher is no use without the frame.
 */
const applyStyles = (root: ShadowRoot) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLES);
  root.adoptedStyleSheets = [sheet];
};

const element = <K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className: string) => {
  const created = doc.createElement(tag);
  created.className = className;
  return created;
};

/**
 * Mounts the widget, with the frame loading at once (hidden) so the visitor's session, unread
 * count and proactive triggers work before the first open.
 */
export const createShell = (
  doc: Document,
  frameSrc: string,
  handlers: { onToggle: () => void; onBubbleClick: () => void; onBubbleClose: () => void },
): Shell => {
  const host = doc.createElement(SHELL_TAG);
  // Inline !important beats any rule of the host page; `all:initial` stops inherited fonts and colours.
  host.style.cssText = "all:initial!important;display:contents!important";
  const root = host.attachShadow({ mode: "open" });
  applyStyles(root);
  const wrapper = element(doc, "div", "w");

  const launcher = element(doc, "button", "l");
  launcher.type = "button";
  const icon = doc.createElementNS(SVG_NS, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  const iconPath = doc.createElementNS(SVG_NS, "path");
  icon.append(iconPath);
  const badge = element(doc, "span", "n");
  badge.setAttribute("aria-hidden", "true");
  launcher.append(icon, badge);
  launcher.addEventListener("click", handlers.onToggle);

  const bubble = element(doc, "div", "b");
  const bubbleText = doc.createElement("span");
  const bubbleClose = doc.createElement("button");
  bubbleClose.type = "button";
  bubbleClose.textContent = "×";
  bubble.append(bubbleText, bubbleClose);
  bubble.addEventListener("click", (event) => {
    if (event.target === bubbleClose) handlers.onBubbleClose();
    else handlers.onBubbleClick();
  });

  const panel = element(doc, "div", "p");
  const frame = doc.createElement("iframe");
  // The frame learns the host origin from its URL; it has no need for the host page's path.
  frame.referrerPolicy = "origin";
  frame.src = frameSrc;
  panel.append(frame);

  wrapper.append(bubble, panel, launcher);
  root.append(wrapper);
  doc.body.append(host);

  let config: LauncherConfig | null = null;
  return {
    host,
    launcher,
    frame,
    configure: (next) => {
      config = next;
      for (const [name, value] of next.vars) wrapper.style.setProperty(name, value);
      wrapper.classList.toggle("L", next.isLeft);
      wrapper.dir = next.dir;
      frame.title = next.frameTitle;
      bubbleClose.setAttribute("aria-label", next.closeLabel);
    },
    expand: (expanded) => wrapper.classList.toggle("X", expanded),
    render: ({ isOpen, isLauncherVisible, isShown, unread, bubble: bubbleMessage }) => {
      wrapper.hidden = !isShown;
      launcher.hidden = !isLauncherVisible;
      const label = config?.label ?? "";
      launcher.setAttribute("aria-label", unread > 0 ? `${label} (${unread})` : label);
      launcher.setAttribute("aria-expanded", String(isOpen));
      iconPath.setAttribute("d", isOpen ? CLOSE_ICON : (config?.icon ?? ""));
      badge.hidden = unread === 0 || isOpen;
      badge.textContent = unread > 99 ? "99+" : String(unread);
      bubble.hidden = isOpen || !bubbleMessage || !isLauncherVisible;
      bubbleText.textContent = bubbleMessage ?? "";
      // Hidden by visibility, not display: a display:none iframe would stop loading and reconnecting.
      // visibility:hidden also keeps the closed panel out of the tab order and the accessibility tree.
      panel.classList.toggle("z", !isOpen);
    },
  };
};
