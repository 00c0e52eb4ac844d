/**
 * The deployed floor of the API (bundle size only), beside bench/floors/api.ts (the floor a settings
 * request is timed against). The API also serves the draft tap and the connect callback, which must
 * call the provider (a Gmail or Graph draft, the profile read), so what it deploys is compared with
 * a floor holding those clients too, as the worker's and backfill's deployed floors hold both
 * providers' clients: the settings route of api.ts, a draft route loading one provider's
 * clients on demand, and a connect callback that enqueues the account's first backfill on SQS
 * (infra/api.ts links `Backfills`), its client imported on that first use as the API imports it;
 * where the address is connected through the other provider, it mails the link confirming a move
 * through SES (infra/api.ts links `Notices`, since 2026-12-04), that client imported on use too.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { html } from "hono/html";
import { doc, floorEnv, resource, table } from "./common";

const app = new Hono();
app.get("/l/:act/:token", async (c) => {
  const got = await doc.send(new GetCommand({ TableName: table(), Key: { pk: `ACCOUNT#${floorEnv("EMAIL")}`, sk: "ACCOUNT" } }));
  return c.html(html`<h1>Settings</h1><p>${String(got.Item?.email)}</p><form method="post"><button>Save</button></form>`);
});
app.post("/l/draft/:token", async (c) => {
  const raw = Buffer.from(`To: someone@example.com\r\nSubject: Following up\r\n\r\nHello`).toString("base64url");
  if (process.env.FLOOR_PROVIDER === "microsoft") {
    const { graphClient } = await import("./microsoft");
    const d = await (await graphClient()).api("/me/messages").post({ subject: "Following up", body: { contentType: "text", content: "Hello" } });
    return c.redirect(String(d.webLink), 303);
  }
  const { googleClients } = await import("./google");
  const d = await googleClients().g.users.drafts.create({ userId: "me", requestBody: { message: { raw } } });
  return c.redirect(`https://mail.google.com/mail/#drafts/${d.data.message?.id}`, 303);
});

app.get("/connect/:provider/callback", async (c) => {
  if (c.req.query("conflict")) {
    const { SESv2Client, SendEmailCommand } = await import("@aws-sdk/client-sesv2");
    const to = floorEnv("EMAIL");
    await new SESv2Client({}).send(
      new SendEmailCommand({ FromEmailAddress: resource<{ sender: string }>("Notices").sender, Destination: { ToAddresses: [to] }, Content: { Simple: { Subject: { Data: "Move?" }, Body: { Text: { Data: "Move: …" } } } } }),
    );
    return c.html(html`<h1>Already connected</h1>`, 409);
  }
  const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
  await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: resource<{ url: string }>("Backfills").url, MessageBody: floorEnv("EMAIL") }));
  return c.html(html`<h1>Connected</h1>`);
});

export const handler = handle(app);
