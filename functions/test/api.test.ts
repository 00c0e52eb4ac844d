/** The Lambda entry of the app, driven with a Function URL (API Gateway v2 shaped) event. */
import { loadProvider } from "@followthrough/core/loader";
import type { LambdaEvent } from "hono/aws-lambda";
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, startLocalDynamo } from "@followthrough/core/storage";
import { createApiHandler } from "../src/api";
import { buildDeps } from "../src/resources";

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo?.stop());

const event = (path: string, method = "GET"): LambdaEvent =>
  ({
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { host: "abc123.lambda-url.us-east-1.on.aws" },
    requestContext: {
      accountId: "123",
      apiId: "abc123",
      domainName: "abc123.lambda-url.us-east-1.on.aws",
      domainPrefix: "abc123",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: "r",
      routeKey: "$default",
      stage: "$default",
      time: "25/Nov/2026:00:00:00 +0000",
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  }) as unknown as LambdaEvent;

it("serves the app on Lambda: health, a refused link as a 400 page, the connect page with the request's origin", async () => {
  const handler = createApiHandler(() =>
    buildDeps({ loader: loadProvider, tableName: dynamo.tableName, doc: dynamo.doc, tokenKeyring: randomKeyring(), linkKey: "k", oauth: { google: { clientId: "g", endpoints: { authorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth", tokenUrl: "https://oauth2.googleapis.com/token" } } } }),
  );
  const health = (await handler(event("/health"))) as { statusCode: number; body: string };
  expect(health.statusCode).toBe(200);
  const bad = (await handler(event("/l/draft/not-a-token"))) as { statusCode: number; body: string };
  expect(bad.statusCode).toBe(400);
  expect(bad.body).toContain("not valid");
  const start = (await handler(event("/connect/google"))) as { statusCode: number; headers: Record<string, string> };
  expect(start.statusCode).toBe(302);
  const location = new URL(start.headers.location);
  expect(location.searchParams.get("redirect_uri")).toBe("https://abc123.lambda-url.us-east-1.on.aws/connect/google/callback");
});
