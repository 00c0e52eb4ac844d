export { startSandbox, type RunningSandbox, type ListenOptions } from "./server";
export { DEFAULT_GRAPH_TRANSPORT_MS, SandboxState, type SandboxOptions, type Account, type PageSizes, type Refusal } from "./state";
export { createSandboxApp } from "./app";
export { distinctAccounts, loadFixture, FixtureError, type MailboxFixture, type AccountInfo, type Expected } from "./fixtures";
export { defaultLimits, type QuotaLimits, type UsageStats } from "./quota";
export type { FaultSpec } from "./faults";
export { sandboxAgent, sandboxDispatcher } from "./tls";
