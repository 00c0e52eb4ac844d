/**
 * The mail composer of the adapters that draft or send (core/runtime's full entries, the CLI's
 * digest file): core/mail/compose and nodemailer's encoders, imported on the first draft or send, so a
 * bundle split by esbuild holds it in a chunk of its own. Only modules that import this one deploy
 * that chunk: a backfill's reader adapters (core/loader/reader) do not.
 */
import type { Composer } from "../mail";

export const loadComposer: Composer = () => import("../mail/compose");
