/**
 * A stored digest read back (the app's "view" link), apart from core/digest, whose index also
 * exports the React Email renderer. A bundle that imports core/digest for this read alone carries
 * the renderer's lazy chunk (react-dom/server) and React in its start,
 * since esbuild keeps an `import()` target even where the code calling it is unused; importing
 * this module instead keeps the API's deployed bundle free of them (issue 12, docs/benchmarks.md (6)).
 */
export { type DigestRecord, digestHasBody, loadDigest, type StoredDigest } from "../digest/send";
