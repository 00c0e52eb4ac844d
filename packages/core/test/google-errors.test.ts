/** How a Google client failure reads in the one line the commands and logs show. */
import { describe, expect, it } from "vitest";
import { classifyGoogleError } from "../src/google/errors";

describe("classifyGoogleError's message", () => {
  it("names the status of an answer with no text of its own, and says so when there was no answer (helper-190 #6: 'google:' alone)", () => {
    expect(classifyGoogleError({ message: "", response: { status: 431, data: "" } }).message).toBe("google: HTTP 431");
    expect(classifyGoogleError({ message: "" }).message).toBe("google: no answer");
    expect(classifyGoogleError({ message: "Request failed with status code 500\nmore", response: { status: 500 } }).message).toBe("google: Request failed with status code 500");
  });
});
