/** An adapter built without a mail composer (a backfill's) reads only: asked to draft or send, it fails before any call. */
import { describe, expect, it } from "vitest";
import { googleOAuthClient, googleProvider } from "../src/google";
import { microsoftProvider } from "../src/microsoft";

const owner = { email: "owner@x.io", aliases: [] } as never;
// Nothing listens here: a read-only adapter must refuse before reaching the network.
const nowhere = "http://127.0.0.1:9";
const draft = { to: { email: "s@x.io", name: "S" }, subject: "Hi", text: "Hello" } as never;
const mail = { to: "s@x.io", subject: "Hi", text: "Hello", html: "<p>Hello</p>" };

describe("read-only adapters", () => {
  const adapters = {
    google: () => googleProvider({ owner, auth: googleOAuthClient({ clientId: "c", refreshToken: "r", tokenUrl: `${nowhere}/token` }), rootUrl: nowhere, retry: { attempts: 1 } }),
    microsoft: () => microsoftProvider({ owner, oauth: { clientId: "c", endpoints: { tokenUrl: `${nowhere}/token`, authorizeUrl: `${nowhere}/auth` } }, refreshToken: "r", baseUrl: nowhere, retry: { attempts: 1 } }),
  };
  for (const [name, make] of Object.entries(adapters)) {
    it(`${name}: createDraft and send fail with a clear error, not a network one`, async () => {
      const p = make();
      await expect(p.createDraft(draft)).rejects.toThrow("cannot draft: this adapter was built read-only (no mail composer)");
      await expect(p.send(mail)).rejects.toThrow("cannot send: this adapter was built read-only (no mail composer)");
    });
  }
});
