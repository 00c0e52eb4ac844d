/**
 * Settings every function shares: Lambda runs Node 22 on Graviton (the code also runs on the
 * Node 20 used for development and tests), and each handler is its own ESM bundle.
 *
 * No `nodejs.banner` here: SST's Node builder already starts every ESM bundle with
 * `import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);`
 * (plus __filename/__dirname) and appends `banner` after it, so repeating the createRequire line
 * of tooling.md would declare `require` twice and the bundle would not load.
 *
 * `splitting`: each `import()` becomes a chunk of its own (core/loader loads one provider's adapter,
 * functions/src/jobs.ts SES and SQS on first use), so a Google account's run never loads or parses
 * Graph's client, nor an Outlook account's Google's (measured: `npm run bench handlers`,
 * docs/benchmarks.md).
 *
 * `plugins`: infra/esbuild-plugins.mjs (a path from the project root, where SST's builder runs),
 * which keeps nodemailer's 90 KB extension <-> content type table out of the bundles should any code
 * of ours ever call into it (today none does, and esbuild drops it unasked), and our
 * `react-dom/server` as React's synchronous renderer alone, without the streaming one (issue 12),
 * and the AWS SDK without bowser, the browser user-agent parser no Node run reaches, which esbuild
 * otherwise writes as a chunk of every function.
 *
 * `esbuild.define`: `process.env.NODE_ENV` is "production" in every bundle (SST passes
 * `nodejs.esbuild.define` to esbuild). Without it React's packages pick their build at run time from
 * an environment variable Lambda does not set, so the digest rendered with React's development
 * build (its extra checks on every element) and every bundle carried both builds.
 */
export const NODE = {
  runtime: "nodejs22.x",
  architecture: "arm64",
  nodejs: {
    format: "esm",
    minify: true,
    splitting: true,
    plugins: "infra/esbuild-plugins.mjs",
    esbuild: { define: { "process.env.NODE_ENV": JSON.stringify("production") } },
  },
} as const;
