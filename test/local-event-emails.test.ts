/**
 * `npm start` shows the event emails (issue #11): after each demo account's weekly run the local
 * stack sets a goal for the demo's mixer and runs the event jobs at their due hours, so exactly one
 * morning-of email (the mixer's) and one morning-after email (yesterday's conference) land in each
 * owner's sandbox sent mail. The index lists them, and the viewer shows each as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventMailMessageId } from "@followthrough/core/events";
import { sandboxEventMails } from "../functions/src/local";
import { DEMO_MIXER_GOAL, type LocalStack, startLocalStack } from "../packages/cli/src/start";
import { checkThenClose } from "./support/refusals";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
}, 180_000);

afterAll(async () => {
  await checkThenClose(stack?.sandbox, async () => {
    await stack?.close();
  });
});

const text = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
};
/** Entities of the app's escaped HTML, undone for comparison with plain text. */
const plain = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

describe.each(["google", "microsoft"] as const)("the %s demo account's event emails", (provider) => {
  const demo = () => stack.accounts.find((a) => a.account.provider === provider)!;

  it("sends exactly one morning-of (the mixer, with its goal) and one morning-after (the conference)", async () => {
    const a = demo();
    const sent = (a.eventEmails ?? []).filter((e) => e.outcome === "sent");
    expect(sent.map((e) => e.kind).sort()).toEqual(["morning-after", "morning-of"]);
    const of = sent.find((e) => e.kind === "morning-of")!;
    const after = sent.find((e) => e.kind === "morning-after")!;
    expect(of.title).toMatch(/\bMixer\b/);
    expect(after.title).toMatch(/\bConference\b/);
    // the others planned for the week's events without a goal send nothing
    for (const e of (a.eventEmails ?? []).filter((x) => x.outcome !== "sent")) expect(e.outcome, e.title).toBe("no-goal");

    const mails = await sandboxEventMails(stack.sandbox.url, a.account);
    expect(mails.map((m) => m.kind).sort()).toEqual(["morning-after", "morning-of"]);
    const ofMail = mails.find((m) => m.kind === "morning-of")!;
    expect(`<${ofMail.id}>`).toBe(eventMailMessageId(a.account.email, "morning-of", of.eventId));
    expect(ofMail.text).toContain(`Your goal: meet ${DEMO_MIXER_GOAL} new people.`);
    const afterMail = mails.find((m) => m.kind === "morning-after")!;
    expect(`<${afterMail.id}>`).toBe(eventMailMessageId(a.account.email, "morning-after", after.eventId));
    // the two people the owner wrote to after the conference, met there and already followed up
    const attended = a.weekly.scan.networkingEvents!.attended.find((e) => e.eventId === after.eventId)!;
    expect(attended.met).toHaveLength(2);
    for (const c of attended.met) expect(afterMail.text).toContain(c.address ?? c.email);
    expect(afterMail.subject).toBe(`${after.title}: 2 new people met`);
  });

  it("the index lists the account's events page and both emails; each opens a viewer of the sent message", async () => {
    const a = demo();
    const index = await text(`${stack.url}/`);
    expect(index.status).toBe(200);
    // the account's entry: from its address to the next account's
    const item = index.body.split('<span class="who">').find((x) => x.startsWith(`${a.account.email}</span>`))!;
    expect(item).toMatch(/<a href="[^"]+\/l\/events\/[^"]+">Your events<\/a>/);
    const viewers = [...item.matchAll(/<a href="([^"]+\/local\/sent\/[^"]+)">(Morning of|Morning after): ([^<]+)<\/a>/g)];
    expect(viewers.map((m) => m[2]).sort()).toEqual(["Morning after", "Morning of"]);

    const of = viewers.find((m) => m[2] === "Morning of")!;
    const page = await text(plain(of[1]));
    expect(page.status).toBe(200);
    expect(plain(page.body)).toContain(`Your goal: meet ${DEMO_MIXER_GOAL} new people.`);
    expect(plain(page.body)).toContain(`Today: ${a.eventEmails!.find((e) => e.kind === "morning-of")!.title}`);

    const after = viewers.find((m) => m[2] === "Morning after")!;
    const afterPage = await text(plain(after[1]));
    expect(afterPage.status).toBe(200);
    // the "whom else did you meet" link is a live link of this app
    const met = /<a href="([^"]+\/l\/met\/[^"]+)">/.exec(afterPage.body);
    expect(met, "a met link").not.toBeNull();
    expect((await text(plain(met![1]))).status).toBe(200);
  });

  it("an unknown sent message is a 404 page, not an error", async () => {
    const res = await text(`${stack.url}/local/sent/${encodeURIComponent(demo().account.email)}/nope%40followthrough.app`);
    expect(res.status).toBe(404);
    expect(res.body).toContain("Email not found");
    // With the way back to the index (helper-238 #12).
    expect(res.body).toContain(`<a href="${stack.url}/">Back to your accounts</a>`);
  });
});
