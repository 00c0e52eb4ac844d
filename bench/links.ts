/**
 * Hostile event texts: the time rule 3's link reading (core/events/platform platformOfText) takes on
 * 1 MB of each shape (median of 5 runs, after a warm-up). A description is anyone's text (an
 * invitation's sender writes it), so its length bounds nothing. Goal: under a second each. Before
 * 2026-12-05 (helper-216) a link's scheme, user part and address check ran on to the text's end from
 * every start: `a.b,` or `a...` repeated took 0.7 s for 64 KB and 10.8 s for 256 KB, growing as the
 * square of the length.
 */
import { platformOfText } from "../packages/core/src/events/platform";
import { timeRuns } from "./timing";

export interface LinkBench {
  sizeBytes: number;
  goalMs: number;
  shapes: { name: string; medianMs: number; maxMs: number; found: string | null }[];
}

/** Each shape: a piece repeated to the size, and what ends it. */
export const HOSTILE_TEXTS: { name: string; piece: string; start?: string; end?: string }[] = [
  { name: "ellipses between letters (a...)", piece: "a..." },
  { name: "dotted names and commas (a.b,)", piece: "a.b," },
  { name: "the same, then an at sign", piece: ",a.b", end: "@" },
  { name: "dots and letters, then an at sign (a.)", piece: "a.", end: "@" },
  { name: "Japanese commas between dotted names", piece: "\u3001Node.js" },
  { name: "scheme-like runs (a://)", piece: "a://" },
  { name: "only dots", piece: "." },
  { name: "one word", piece: "a" },
  { name: "subdomains of lu.ma, spaced", piece: "x.lu.ma " },
  { name: "prose turning to Latin, then .ma", piece: "\u8a73a", end: ".ma" },
  { name: "prose turning to Latin, with dots", piece: "\u8a73a." },
  { name: "underscores before letters", piece: "_a" },
  { name: "one run of underscores, then a name", piece: "_", start: "x", end: "lu.ma" },
  { name: "a host, then user-part characters", piece: ";", start: "lu.ma" },
  { name: "a scheme and a long user part", piece: "x", start: "https://lu.ma:", end: "@evil.example" },
];

export async function benchLinks(size = 1 << 20, runs = 5): Promise<LinkBench> {
  const shapes = HOSTILE_TEXTS.map(({ name, piece, start = "", end = "" }) => {
    const text = start + piece.repeat(Math.floor((size - start.length - end.length) / piece.length)) + end;
    const { medianMs, maxMs, answer } = timeRuns(() => platformOfText(text), runs);
    return { name, medianMs, maxMs, found: answer ?? null };
  });
  return { sizeBytes: size, goalMs: 1000, shapes };
}
