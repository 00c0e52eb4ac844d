import { Agent, createServer, type Server } from "node:http";
import { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SesMailer, sesAddress, sesClientConfig } from "@followthrough/core/ses";
import { SES_REQUEST_TIMEOUT_MS } from "@followthrough/core/limits";
import { sesMayHaveSent } from "../src/ses/failure";

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

/** An endpoint that answers each SendEmail as `answer` says (by the request's number, from 1), counting them. */
async function sesStandIn(answer: (n: number, res: import("node:http").ServerResponse) => void) {
  let taken = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(++taken, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const client = new SESv2Client({ ...sesClientConfig(300), endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  return {
    mailer: new SesMailer(client, "notices@followthrough.example", { baseMs: 5, maxMs: 20 }),
    taken: () => taken,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
const json = (res: import("node:http").ServerResponse, status: number, body: object, type?: string) =>
  res.writeHead(status, { "content-type": "application/json", ...(type ? { "x-amzn-errortype": type } : {}) }).end(JSON.stringify(body));

it("a send SES took and answered too late is not sent again: SendEmail has no idempotency key (helper-107 #2)", async () => {
  const ses = await sesStandIn((n, res) => setTimeout(() => json(res, 200, { MessageId: `m${n}` }), 600));
  try {
    await expect(ses.mailer.send("owner@acme.io", "Reconnect", "Please reconnect")).rejects.toBeInstanceOf(Error);
    // Let any retry the client would make reach the stand-in.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(ses.taken()).toBe(1);
  } finally {
    await ses.close();
  }
}, 10_000);

it("a send SES refused for its rate (429) is tried again, up to three attempts; any other refusal is not", async () => {
  // A 429, and the name SES's guide gives a rate or daily quota exceeded, a 400 (helper-185 #4): nothing sent, tried again.
  for (const [status, type] of [[429, "TooManyRequestsException"], [400, "ThrottlingException"]] as const) {
    const limited = await sesStandIn((n, res) => (n < 3 ? json(res, status, { message: "Maximum sending rate exceeded." }, type) : json(res, 200, { MessageId: "m" })));
    try {
      await limited.mailer.send("owner@acme.io", "Reconnect", "Please reconnect");
      expect(limited.taken()).toBe(3);
    } finally {
      await limited.close();
    }
  }
  const rejected = await sesStandIn((_n, res) => json(res, 400, { message: "Email address is not verified." }, "MessageRejected"));
  try {
    const e = await rejected.mailer.send("owner@acme.io", "Reconnect", "Please reconnect").then(() => undefined, (x: unknown) => x);
    expect((e as Error).name).toBe("MessageRejected");
    expect(rejected.taken()).toBe(1);
  } finally {
    await rejected.close();
  }
}, 10_000);

it("a send that found no SES to connect to is tried again (nothing was sent): the next attempt sends it once", async () => {
  // A port nothing listens on yet: the first attempt is refused; SES comes up before the second.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  let taken = 0;
  const ses = createServer((req, res) => {
    req.resume();
    req.on("end", () => (taken++, json(res, 200, { MessageId: "m" })));
  });
  let up: Promise<void> | undefined;
  const client = new SESv2Client({ ...sesClientConfig(300), endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  const mailer = new SesMailer(client, "notices@followthrough.example", {
    baseMs: 300,
    maxMs: 300,
    random: () => 1,
    onRetry: () => void (up ??= new Promise<void>((r) => ses.listen(port, "127.0.0.1", () => r()))),
  });
  try {
    await mailer.send("owner@acme.io", "Reconnect", "Please reconnect");
    expect(up).toBeDefined();
    expect(taken).toBe(1);
  } finally {
    ses.closeAllConnections();
    await new Promise<void>((r) => ses.close(() => r()));
  }
}, 10_000);

it("a send whose connection is never made (the client's connection timeout) is tried again: nothing was sent", async () => {
  expect(sesClientConfig().requestHandler.connectionTimeout).toBeLessThan(sesClientConfig().requestHandler.requestTimeout);
  let taken = 0;
  const ses = createServer((req, res) => {
    req.resume();
    req.on("end", () => (taken++, json(res, 200, { MessageId: "m" })));
  });
  await new Promise<void>((r) => ses.listen(0, "127.0.0.1", () => r()));
  // The first connection never completes (a SYN lost on the way): a socket that stays "connecting".
  let connections = 0;
  class FirstNeverConnects extends Agent {
    override createConnection(options: object, done: unknown) {
      if (connections++ > 0) return (Agent.prototype as unknown as { createConnection: (o: object, d: unknown) => Duplex }).createConnection.call(this, options, done);
      const socket = Object.assign(new Duplex({ read() {}, write(_c, _e, next) { next(); } }), { connecting: true });
      for (const m of ["setNoDelay", "setKeepAlive", "setTimeout", "ref", "unref"]) Object.assign(socket, { [m]: () => socket });
      return socket;
    }
  }
  const config = sesClientConfig(1_000, 300);
  const client = new SESv2Client({
    ...config,
    requestHandler: { ...config.requestHandler, httpAgent: new FirstNeverConnects({ keepAlive: false }) },
    endpoint: `http://127.0.0.1:${(ses.address() as AddressInfo).port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });
  const retried: string[] = [];
  const mailer = new SesMailer(client, "notices@followthrough.example", { baseMs: 10, maxMs: 10, random: () => 1, onRetry: (e) => void retried.push(e.message) });
  try {
    await mailer.send("owner@acme.io", "Reconnect", "Please reconnect");
    expect(retried).toEqual([expect.stringMatching(/did not establish a connection/)]);
    expect(taken).toBe(1);
  } finally {
    ses.closeAllConnections();
    await new Promise<void>((r) => ses.close(() => r()));
  }
}, 10_000);

it("an address whose domain is in Unicode (as we store an internationalised one) goes to SES in Punycode, which SES requires (it has no SMTPUTF8)", async () => {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      bodies.push(JSON.parse(body));
      json(res, 200, { MessageId: "m" });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  try {
    const client = new SESv2Client({ ...sesClientConfig(2000), endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    await new SesMailer(client, "bücher.example").send("ana@bücher.example", "Reconnect", "Please reconnect");
    expect(bodies).toMatchObject([{ FromEmailAddress: "notices@xn--bcher-kva.example", Destination: { ToAddresses: ["ana@xn--bcher-kva.example"] } }]);
    expect(sesAddress("ana@example.org")).toBe("ana@example.org");
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

it("what may have been sent, told from the SDK's own errors as SesMailer throws them (helper-191 #1, helper-192 #2)", () => {
  const sdk = (name: string, status?: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });
  // SES may have taken it: the answer cut, a 5xx, a 2xx whose body the SDK could not read.
  expect(sesMayHaveSent(sdk("TimeoutError"))).toBe(true);
  expect(sesMayHaveSent(sdk("Error", undefined, { code: "ECONNRESET" }))).toBe(true);
  expect(sesMayHaveSent(sdk("InternalFailure", 500))).toBe(true);
  expect(sesMayHaveSent(sdk("Error", 200, { code: "ECONNRESET" }))).toBe(true);
  expect(sesMayHaveSent(sdk("SyntaxError", 200))).toBe(true);
  // It did not: a refusal, a rate limit, no connection made.
  expect(sesMayHaveSent(sdk("MessageRejected", 400))).toBe(false);
  expect(sesMayHaveSent(sdk("AccountSuspendedException", 400))).toBe(false);
  expect(sesMayHaveSent(sdk("ThrottlingException", 400))).toBe(false);
  expect(sesMayHaveSent(sdk("TooManyRequestsException", 429))).toBe(false);
  expect(sesMayHaveSent(sdk("Error", undefined, { code: "ECONNREFUSED" }))).toBe(false);
  expect(sesMayHaveSent(Object.assign(new Error("the request socket did not establish a connection with the server within the configured timeout"), { name: "TimeoutError", $metadata: {} }))).toBe(false);
});
