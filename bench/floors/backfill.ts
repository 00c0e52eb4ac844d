/**
 * The deployed floor of the backfill (bundle size only): one function serves Google and Outlook
 * accounts, so its floor holds both providers' clients; each run is measured against the floor of
 * its own provider (backfill-google.ts, backfill-microsoft.ts).
 */
import type { SQSEvent } from "aws-lambda";
import { handler as google } from "./backfill-google";
import { handler as microsoft } from "./backfill-microsoft";

export const handler = (event: SQSEvent) => (process.env.FLOOR_PROVIDER === "microsoft" ? microsoft(event) : google(event));
