/**
 * Google's 403 accessNotConfigured: the Gmail or Calendar API is turned off in the Cloud project of
 * our OAuth client (DSchau/gatsby-mail issue 35, taylorwilsdon/google_workspace_mcp issue 126; the
 * ErrorInfo SERVICE_DISABLED of newer answers: google-gemini/gemini-cli issue 1343). It is the
 * operator's to turn on, for every account at once: "invalid" with the API named (core/oauth
 * ApiNotEnabledError), never a grant to reconnect and never a rate to wait out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { classifyGoogleError } from "@followthrough/core/google";
import { ApiNotEnabledError } from "@followthrough/core/oauth";
import { isRevoked, reconnectReason } from "@followthrough/core/reconnect";
import { type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { connect } from "../packages/sandbox/test/calendar-support";
import { control, gmailClient, rejection, tokenFor } from "../packages/sandbox/test/gmail-support";
import { demoGoogle } from "../packages/sandbox/test/mailboxes";

const { email } = demoGoogle.load().account;

describe("an API turned off in the Cloud project, through the real client libraries", () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [demoGoogle.dir], quota: false });
  });
  afterEach(() => sb.state.faults.clear());
  afterAll(() => sb?.close());

  it("Gmail and Calendar answer 403 usageLimits/accessNotConfigured naming the API; it is the operator's (invalid, the API named), not the owner's grant", async () => {
    const g = gmailClient(sb.url, await tokenFor(sb.url, email), { retry: false });
    const cal = await connect(sb.url, email);
    await control(sb.url, "/faults", "POST", [
      { route: "gmail.getProfile", account: email, kind: "status", status: 403, reason: "accessNotConfigured" },
      { route: "calendar.events.list", account: email, kind: "status", status: 403, reason: "accessNotConfigured" },
    ]);
    const mail = await rejection(g.users.getProfile({ userId: "me" }));
    const calendar = await rejection(cal.events.list({ calendarId: "primary" }, { retry: false }));
    for (const [e, api, service] of [
      [mail, "Gmail API", "gmail.googleapis.com"],
      [calendar, "Google Calendar API", "calendar-json.googleapis.com"],
    ] as const) {
      expect(e.status).toBe(403);
      expect(e.response.data.error).toMatchObject({
        code: 403,
        status: "PERMISSION_DENIED",
        errors: [{ domain: "usageLimits", reason: "accessNotConfigured" }],
        details: [{ reason: "SERVICE_DISABLED", metadata: { serviceTitle: api, service } }],
      });
      expect(e.response.data.error.message).toMatch(new RegExp(`^${api} has not been used in project \\d+ before or it is disabled\\. Enable it by visiting https://console\\.developers\\.google\\.com/apis/api/${service.replace(/\./g, "\\.")}/overview`));
      const p = classifyGoogleError(e);
      expect(p).toBeInstanceOf(ApiNotEnabledError);
      expect(p.kind).toBe("invalid");
      expect((p as ApiNotEnabledError).api).toBe(api);
      expect(isRevoked(p)).toBe(false);
      expect(reconnectReason(p)).toBeUndefined();
    }
  });

  it("an older answer without the ErrorInfo is known by its reason, the API named from its sentence", () => {
    // googleworkspace/python-samples issue 17 (2018): the sentence began "Access Not Configured.".
    const message = "Access Not Configured. Calendar API has not been used in project 253222910799 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/calendar.googleapis.com/overview?project=253222910799 then retry.";
    const old = { message, response: { status: 403, headers: {}, data: { error: { code: 403, message, errors: [{ domain: "usageLimits", reason: "accessNotConfigured", message }] } } } };
    const p = classifyGoogleError(old);
    expect(p).toBeInstanceOf(ApiNotEnabledError);
    expect((p as ApiNotEnabledError).api).toBe("Calendar API");
  });

  it("the control API takes the reason on a Gmail or Calendar 403 only", async () => {
    const refused = await fetch(`${sb.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "graph.*", kind: "status", status: 403, reason: "accessNotConfigured" }) });
    expect(refused.status).toBe(400);
  });
});
