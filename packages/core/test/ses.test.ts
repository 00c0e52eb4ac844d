import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SesMailer, sesClientConfig } from "@followthrough/core/ses";
import { SES_REQUEST_TIMEOUT_MS } from "@followthrough/core/limits";

// A local HTTP endpoint standing in for SES: the real SDK client sends its real request to it.
let server: Server;
let endpoint: string;
const requests: { path: string; body: Record<string, any> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", body: JSON.parse(body || "{}") });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ MessageId: "m-1" }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it("sends the reconnect notice through SES v2 from the configured sender, subject on one line", async () => {
  const client = new SESv2Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  await new SesMailer(client, "notices@followthrough.example").send("owner@acme.io", "Reconnect\r\nBcc: x@y", "Please reconnect", "<p>Please</p>");
  expect(requests).toHaveLength(1);
  expect(requests[0].path).toBe("/v2/email/outbound-emails");
  const b = requests[0].body;
  expect(b.FromEmailAddress).toBe("notices@followthrough.example");
  expect(b.Destination.ToAddresses).toEqual(["owner@acme.io"]);
  expect(b.Content.Simple.Subject.Data).toBe("Reconnect Bcc: x@y");
  expect(b.Content.Simple.Body.Text.Data).toBe("Please reconnect");
  expect(b.Content.Simple.Body.Html.Data).toBe("<p>Please</p>");
});

it("a sender configured as a bare domain sends from notices@ that domain (SES's From is an address)", async () => {
  const client = new SESv2Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  await new SesMailer(client, "followthrough.example").send("owner@acme.io", "Reconnect", "Please reconnect");
  expect(requests.at(-1)!.body.FromEmailAddress).toBe("notices@followthrough.example");
});

it("a send SES leaves unanswered is cut at the client's request timeout, not waited on without end", async () => {
  expect(sesClientConfig().requestHandler.requestTimeout).toBe(SES_REQUEST_TIMEOUT_MS);
  // An endpoint that takes the request and never answers (a stalled connection). The SDK's handler
  // only warns at `requestTimeout` unless told to throw (@smithy/node-http-handler's
  // throwOnRequestTimeout): without it this send waits on.
  const silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  try {
    const at = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = new SESv2Client({ ...sesClientConfig(300), maxAttempts: 1, endpoint: at, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const began = Date.now();
    const failure = await new SesMailer(client, "notices@followthrough.example").send("owner@acme.io", "Reconnect", "Please reconnect").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(Date.now() - began).toBeLessThan(5_000);
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  }
}, 10_000);
