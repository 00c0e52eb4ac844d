/// <reference path="./.sst/platform/config.d.ts" />

// Followthrough on AWS. Each concern lives in its own file under infra/ and is imported here.
// Type-checked offline once `.sst/platform` is unpacked (see docs/deploy.md); not part of `npm test` yet.
export default $config({
  app(input) {
    return {
      name: "followthrough",
      removal: input?.stage === "prod" ? "retain" : "remove",
      home: "aws",
      providers: { aws: { region: "us-east-1" } },
    };
  },
  async run() {
    const storage = await import("./infra/storage");
    const secrets = await import("./infra/secrets");
    const api = await import("./infra/api");
    return { table: storage.table.name, api: api.api.url, secrets: Object.keys(secrets) };
  },
});
