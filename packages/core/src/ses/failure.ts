import { neverConnected, ProviderError } from "../resilience";

/**
 * What proves SES sent nothing, and is worth another attempt: a 429 (TooManyRequestsException, the
 * account's sending rate) or a ThrottlingException (its rate or daily quota), and a request that never reached it (no connection made: refused, a
 * name not resolved, the connection's timeout). Anything else may have been sent (a cut answer, a
 * 5xx) or never will be (a refusal): the caller's.
 */
export const sesFailure = (e: unknown): ProviderError => {
  const x = e as { $metadata?: { httpStatusCode?: number }; name?: string; code?: string; message?: string };
  const status = x.$metadata?.httpStatusCode;
  // (SES's developer guide, "Errors related to the sending quotas": the API answers a sending rate or a
  // daily quota exceeded with ThrottlingException, a 400 in SESv2's common errors; SESv2 is also seen
  // answering the rate with 429 TooManyRequestsException. Either way nothing was sent: helper-185 #4.)
  const limited = status === 429 || x.name === "TooManyRequestsException" || x.name === "ThrottlingException";
  // (@smithy/node-http-handler's connection timeout: "the request socket did not establish a connection ...".)
  const unsent = neverConnected(e) || (x.name === "TimeoutError" && /did not establish a connection/i.test(x.message ?? ""));
  return new ProviderError(limited ? "rate-limited" : unsent ? "temporary" : "invalid", e instanceof Error ? e.message : String(e), status, undefined, { cause: e });
};

/**
 * A failed send that may still have gone out, as {@link sesFailure} tells it: SES's answer cut (no
 * status, or a 2xx whose body could not be read) or a 5xx, where SES may have taken the mail. Not a refusal (a 4xx), nor what proves nothing
 * was sent (a 429 or throttling, no connection made). SesMailer throws the SDK's own error (core/ses),
 * which this reads; a ProviderError is read as it is. Any other failure, unknown, may have sent.
 * (No SDK import here: the API's connect pages use it without loading SES's client.)
 */
export function sesMayHaveSent(e: unknown): boolean {
  const f = e instanceof ProviderError ? e : sesFailure(e);
  // A 2xx with the error: SES answered and the SDK could not read the answer (its body cut or not
  // JSON; the deserializer puts the status on the error): SES took the mail (helper-192 #2).
  return f.kind === "invalid" && (f.status === undefined || f.status < 400 || f.status >= 500);
}
