/**
 * The deployed floor of the worker (bundle size only): one function serves Google and Outlook
 * accounts, so its floor holds both providers' clients; each run is measured against the floor of
 * its own provider (worker-google.ts, worker-microsoft.ts).
 */
import type { SQSEvent } from "aws-lambda";
import { handler as google } from "./worker-google";
import { handler as microsoft } from "./worker-microsoft";

export const handler = (event: SQSEvent) => (process.env.FLOOR_PROVIDER === "microsoft" ? microsoft(event) : google(event));
