import { linkKey, tokenKey, googleClientId, googleClientSecret, microsoftClientId, microsoftClientSecret } from "./secrets";
import { table } from "./storage";

/** The Hono app on Lambda behind a Function URL. */
export const api = new sst.aws.Function("Api", {
  handler: "functions/src/api.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  url: true,
  link: [table, tokenKey, linkKey, googleClientId, googleClientSecret, microsoftClientId, microsoftClientSecret],
});
