/// <reference path="./.sst/platform/config.d.ts" />

// Followthrough on AWS. Each concern lives in its own file under infra/; this file only names the
// app and imports them. Type-check with `npm run typecheck:infra`, no AWS account needed (its first
// run installs .sst/platform, fetching the AWS provider package from the npm registry; then tsc -p
// tsconfig.infra.json).
export default $config({
  app(input) {
    return {
      name: "followthrough",
      removal: input?.stage === "prod" ? "retain" : "remove",
      protect: input?.stage === "prod",
      home: "aws",
      providers: { aws: { region: "us-east-1" } },
    };
  },
  async run() {
    // First: every link carries names and URLs only; each function states its own permissions.
    await import("./infra/permissions");
    const { table } = await import("./infra/storage");
    await import("./infra/secrets");
    const { backfills, backfillsDlq } = await import("./infra/backfill");
    const { api } = await import("./infra/api");
    await import("./infra/backfill-worker");
    const { digests, digestsDlq } = await import("./infra/queue");
    await import("./infra/cron");
    return {
      api: api.url,
      table: table.name,
      digests: digests.url,
      digestsDlq: digestsDlq.url,
      backfills: backfills.url,
      backfillsDlq: backfillsDlq.url,
    };
  },
});
