import { API_TIMEOUT_SECONDS } from "../packages/core/src/limits";
import { backfills } from "./backfill";
import { NODE } from "./defaults";
import { notices } from "./email";
import { onTable, sendEmailFrom, sendTo } from "./permissions";
import { linkSigningKey, providerSecrets } from "./secrets";
import { table } from "./storage";

/**
 * The Hono app (connect, one-tap links, settings) behind a Function URL. It links the backfill
 * queue so a fresh connect can ask for the first scan without waiting for the digest hour, and the
 * Notices sender for the one mail it sends: the link confirming an account's move to the other
 * provider (core/connect offerMove).
 */
export const api = new sst.aws.Function("Api", {
  ...NODE,
  handler: "functions/src/api.handler",
  url: true,
  memory: "1024 MB",
  // A draft tap creates one draft (a few provider calls); a connect exchanges one code. The draft
  // claim's lease derives from this timeout (core/limits), so it is stated there, once.
  timeout: `${API_TIMEOUT_SECONDS} seconds`,
  link: [table, linkSigningKey, ...providerSecrets, backfills, notices],
  // Its links give names and URLs only (infra/permissions.ts): the table's items, the first scan's
  // enqueue (and a resume's), the move's confirming mail.
  permissions: [onTable(table), sendTo(backfills), sendEmailFrom(notices)],
});
