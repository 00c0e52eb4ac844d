/**
 * Inline styles for the digest email. Colours are mid/dark tones on explicit
 * backgrounds (never white text on a transparent background), so they stay
 * legible when Gmail/Outlook invert them; Apple Mail and Outlook.com get real
 * dark colours from DARK_MODE_CSS below.
 */
import type { CSSProperties } from "react";

export const colors = {
  page: "#f2f4f7",
  card: "#ffffff",
  ink: "#1f2933",
  muted: "#52606d",
  faint: "#7b8794",
  rule: "#d9e2ec",
  accent: "#1d4ed8",
  accentInk: "#ffffff",
  tile: "#f5f7fa",
  up: "#0f7b3f",
  down: "#b42318",
  same: "#52606d",
} as const;

export const FONT =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

export const s = {
  body: { backgroundColor: colors.page, margin: 0, padding: "24px 0", fontFamily: FONT, color: colors.ink },
  // A long unbroken address, name or title wraps inside the card rather than widening it past a
  // phone's screen (both properties inherit; `word-break: break-word` for clients without `anywhere`).
  container: { width: "100%", maxWidth: "600px", backgroundColor: colors.card, borderRadius: "8px", overflowWrap: "anywhere", wordBreak: "break-word" },
  inner: { padding: "24px 24px 8px" },
  h1: { fontSize: "22px", lineHeight: "28px", fontWeight: 700, margin: "0 0 8px", color: colors.ink },
  h2: { fontSize: "17px", lineHeight: "24px", fontWeight: 700, margin: "0 0 4px", color: colors.ink },
  h3: { fontSize: "16px", lineHeight: "22px", fontWeight: 700, margin: "0", color: colors.ink },
  lead: { fontSize: "15px", lineHeight: "22px", margin: "0 0 16px", color: colors.muted },
  small: { fontSize: "13px", lineHeight: "20px", margin: "0", color: colors.muted },
  text: { fontSize: "15px", lineHeight: "22px", margin: "0", color: colors.ink },
  hr: { borderColor: colors.rule, borderTopWidth: "1px", margin: "20px 0" },
  tile: { backgroundColor: colors.tile, borderRadius: "6px", padding: "12px", verticalAlign: "top" },
  tileValue: { fontSize: "24px", lineHeight: "30px", fontWeight: 700, margin: "0", color: colors.ink },
  tileLabel: { fontSize: "13px", lineHeight: "18px", margin: "0", color: colors.muted },
  item: { padding: "14px 0", borderBottom: `1px solid ${colors.rule}` },
  name: { fontSize: "16px", lineHeight: "22px", fontWeight: 700, margin: "0", color: colors.ink },
  button: {
    backgroundColor: colors.accent,
    color: colors.accentInk,
    borderRadius: "6px",
    fontSize: "15px",
    lineHeight: "20px",
    fontWeight: 700,
    textDecoration: "none",
    textAlign: "center",
    // 14 + 20 + 14 = 48px tall: a comfortable tap target (>= 44px).
    padding: "14px 22px",
    // As wide as its label, no minimum inline: a min-width of 160px (204 with the padding) held the
    // whole email at 236px, wider than a 390px phone at 200% zoom (195 CSS px), where WCAG 1.4.10 asks
    // it to reflow (to 320 and less); a table cell's width comes from its content's, so neither the
    // Button's max-width: 100% nor a width with one could make it give way. MEDIA_CSS gives the
    // minimum back wherever it fits (240px and wider), so phones and desktops show it as before.
  },
  link: { color: colors.accent, textDecoration: "underline" },
  /** A link that does something (set a goal, say whom you met): a 44px tall tap target that wraps tightly. */
  actionLink: { color: colors.accent, textDecoration: "underline", fontSize: "15px", lineHeight: "22px", fontWeight: 700, display: "inline-block", padding: "11px 0" },
  quietLink: { color: colors.muted, textDecoration: "underline", fontSize: "13px", lineHeight: "44px" },
  footer: { padding: "8px 24px 24px" },
  footerLinks: { fontSize: "13px", lineHeight: "28px", margin: "0 0 8px", color: colors.muted },
} satisfies Record<string, CSSProperties>;

/**
 * Dark-mode overrides for clients that honour prefers-color-scheme (Apple Mail,
 * iOS Mail, Outlook for Mac) and Outlook.com's [data-ogsc]/[data-ogsb] hooks.
 * Gmail ignores <style> media queries and does its own inversion, which the
 * inline palette above is chosen to survive.
 */
export const MEDIA_CSS = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
@media (prefers-color-scheme: dark) {
  .ft-page, .ft-page > table > tbody > tr > td { background-color: #0f1419 !important; }
  .ft-card { background-color: #1b2128 !important; }
  .ft-ink { color: #e4e7eb !important; }
  .ft-muted { color: #9aa5b1 !important; }
  .ft-tile { background-color: #252c35 !important; }
  .ft-rule { border-color: #323b46 !important; }
  .ft-link { color: #8ab4ff !important; }
  .ft-up { color: #5fd38d !important; }
  .ft-down { color: #ff8a80 !important; }
}
@media only screen and (max-width: 620px) {
  .ft-card { border-radius: 0 !important; }
  .ft-inner { padding-left: 16px !important; padding-right: 16px !important; }
}
@media only screen and (min-width: 240px) {
  .ft-button { min-width: 160px !important; }
}
@media only screen and (max-width: 300px) {
  .ft-tile { display: block !important; width: auto !important; margin-bottom: 8px !important; }
  .ft-gap { display: none !important; }
}
`;

/** Outlook.com's dark-mode hooks, in their own block: Gmail drops a whole block it can't parse. */
export const OUTLOOK_DARK_CSS = `
[data-ogsc] .ft-ink { color: #e4e7eb !important; }
[data-ogsc] .ft-muted { color: #9aa5b1 !important; }
[data-ogsc] .ft-link { color: #8ab4ff !important; }
[data-ogsb] .ft-page, [data-ogsb] .ft-page > table > tbody > tr > td { background-color: #0f1419 !important; }
[data-ogsb] .ft-card { background-color: #1b2128 !important; }
[data-ogsb] .ft-tile { background-color: #252c35 !important; }
`;
