/**
 * Bundled in place of bowser, the browser user-agent parser (infra/esbuild-plugins.mjs
 * awsSdkWithoutBrowserParser). @aws-sdk/core's browser user-agent provider
 * (util-user-agent-browser/createUserAgentStringParsingProvider) imports bowser on demand to parse
 * `window.navigator.userAgent`, and takes `module.parse ?? module.default.parse ?? (() => "")`;
 * where there is no `window`, as in Node, it parses nothing at all. So this module, with no parse,
 * gives the same user agent the real bowser gives in Node (test/aws-sdk-browser-parser.test.ts).
 * Node builds of the SDK use util-user-agent-node and never call that provider: the import stays in
 * the bundles only as a chunk esbuild writes for every import() it parses, which SST then deploys.
 */
export default {};
