/** Drafts a person would send: the issue-10 examples, each wrong before this wording. */
import { describe, expect, it } from "vitest";
import type { AccountRecord } from "../src/accounts";
import { parseAddressList } from "../src/addresses";
import { composeFollowUp, DEFAULT_TEMPLATE, EVENT_TEMPLATE, eventWhen, firstNameOf, meetingPhrase } from "../src/followup";
import type { PersonRecord } from "../src/storage";

const DAY = 86_400_000;
const metAt = Date.parse("2026-04-27T08:00:00Z");
const account = { email: "isla@paperkite.studio", displayName: "Isla Moreno", timeZone: "Australia/Melbourne" } as AccountRecord;
const person = (name: string, eventTitle: string): PersonRecord => ({ email: "wen@example.com", name, eventId: "e", eventTitle, metAt, metEnd: metAt + 3_600_000, stage: "met" });

describe("first names, by the stated heuristic", () => {
  it.each([
    ["Mei Lin Goh", "Mei Lin"],
    ["Tan, Wei Jie", "Wei Jie"],
    ["Osei, Daniel", "Daniel"],
    ["José Martínez", "José"],
    ["Wen Zhou", "Wen"],
    ["Mary Anne Smith", "Mary Anne"],
    ["Daniel J. Osei", "Daniel"],
    ["Priyanka Raghunathan Iyer", "Priyanka"],
    ["", "there"],
    ["someone@example.com", "there"],
    // A title before the name is not the given name; an apostrophe inside a name is part of it.
    ["Dr. Jane Smith", "Jane"],
    ["Mr John Smith", "John"],
    ["Prof. Tan, Wei Jie", "Wei Jie"],
    ["D'Angelo Russell", "D'Angelo"],
    ["Siobhán O’Brien", "Siobhán"],
    ["'Bea' Lund", "Bea"],
    // Letters after a name are not a given name (helper-139 #2); "Ma" after a name is a surname.
    ["Ben Ito, PhD", "Ben"],
    ["Ben Ito, MD, Ph.D.", "Ben"],
    ["Ana Lima MBA", "Ana"],
    ["Martin Luther King, Jr.", "Martin"],
    ["José García Sr.", "José"],
    ["Jack Ma", "Jack"],
    // A title with only a surname is greeted as written; capitals read in ordinary case.
    ["Dr Chen", "Dr Chen"],
    ["Ms. Okafor", "Ms. Okafor"],
    ["EVE ADAMS", "Eve"],
    ["JEAN-LUC PICARD", "Jean-Luc"],
    ["JJ ABRAMS", "JJ"],
    ["YAMADA Taro", "Taro"],
    ["NGUYEN Van Anh", "Van Anh"],
    ["Jean DUPONT", "Jean"],
    // A title in capitals is no surname; initials in capitals and a one-word name in capitals stay;
    // a company or role beside the name is not part of it (helper-140 #1, #2, #5).
    ["MRS Okafor", "Mrs Okafor"],
    ["JRR Tolkien", "JRR"],
    ["IBM", "IBM"],
    ["JO ANN SMITH", "Jo Ann"],
    ["İSMAİL YILMAZ", "İsmail"],
    ["Mei Lin Meng", "Mei Lin"],
    ["Jane Doe MD", "Jane"],
    ["ACME - Ana Lima", "Ana"],
    ["Ana Lima | ACME", "Ana"],
    ["Ana Lima (ACME)", "Ana"],
    ["Ana Lima @ ACME", "Ana"],
    ["Tom Lee, CEO", "Tom"],
    // A given name in capitals after a comma stays; a name in capitals beside a company is the name;
    // capitals of other scripts; a handle or an address with spaces is no name (helper-146 #7, #8).
    ["Smith, JJ", "JJ"],
    ["JOHN SMITH | Acme Corp", "John"],
    ["Tom - Head of Sales", "Tom"],
    ["Ana @ ACME Corp", "Ana"],
    ["Tom Lee, VP Sales", "Tom"],
    ["ПЕТРОВА Анна", "Анна"],
    ["@ana", "there"],
    ["ana.lima @ acme.com", "there"],
    ["TAN, WEI JIE", "Wei Jie"],
    ["(Bea)", "Bea"],
    // An emoji or symbol before or after a name is none of it (helper-147's list; skin tones and
    // keycaps, helper-148); a handle in lower case is no name ("Hi mr.smith," or "Hi Mr,"), and
    // a name in a script without case stands beside a company as one with lower case does.
    ["🎉 Kate Smith", "Kate"],
    ["Kate Smith ★", "Kate"],
    ["👋🏽 Kate Smith", "Kate"],
    ["1️⃣ Kate Smith", "Kate"],
    ["kate.smith", "there"],
    ["mr.smith", "there"],
    ["acme.com", "there"],
    ["王伟 | ACME", "王伟"],
    ["김민준 ★ | ACME", "김민준"],
    // A surname's particle after a short given name is not a second given name (helper-240 #1);
    // syllables of Chinese and Vietnamese given names are not particles, nor is any word after a
    // comma or after a surname in capitals (helper-242 #1): "Ana De Souza" stays "Ana De".
    ["Jan Van Dijk", "Jan"],
    ["Ana Dos Santos", "Ana"],
    ["Juan Del Rio", "Juan"],
    ["Omar Al Masri", "Omar"],
    ["Max St John", "Max"],
    ["Kiri Te Kanawa", "Kiri"],
    ["Mary Van Dyke", "Mary"],
    ["Jan van Dijk", "Jan"],
    ["TAN Wei De", "Wei De"],
    ["Tan, Jia Le", "Jia Le"],
    ["CHEN Li Di", "Li Di"],
    ["Ming De Chen", "Ming De"],
    ["Xiao Le Zhang", "Xiao Le"],
    ["Hui Da Lim", "Hui Da"],
    ["Tan, Wei Van", "Wei Van"],
    // A surname alone, its particles first in lower case: "there", or as written after a title
    // (helper-240 #7, helper-242 #4).
    ["de la Cruz", "there"],
    ["van der Berg", "there"],
    ["da Silva", "there"],
    ["Cruz, Maria de la", "Maria"],
    ["Mr. de la Cruz", "Mr. de la Cruz"],
    ["Dr van Dijk", "Dr van Dijk"],
    // A name written all in lower case is greeted with capitals ("Hi ana" before), its particles
    // read as in a name written with them; one word stays as written (a handle, perhaps).
    ["al smith", "Al"],
    ["le minh", "Le"],
    ["ana lima", "Ana"],
    ["mei lin goh", "Mei Lin"],
    ["jean luc picard", "Jean Luc"],
    ["maria da silva", "Maria"],
    ["de la cruz", "there"],
    ["jan van dijk", "Jan"],
    ["van dijk, jan", "Jan"],
    ["ana-maria lima", "Ana-Maria"],
    ["dr. ana lima", "Ana"],
    ["ana lima, phd", "Ana"],
    ["élodie durand", "Élodie"],
    ["ana", "ana"],
    // A Turkish or Azerbaijani name's i capitalised as they write it, where the name shows it is
    // one (its ı, ğ or ə), as "İSMAİL YILMAZ" → "İsmail"; a Georgian name, whose script
    // capitalises no name, as written.
    ["ismail yılmaz", "İsmail"],
    ["irem doğan", "İrem"],
    ["ilham əliyev", "İlham"],
    ["ibrahim ali", "Ibrahim"],
    ["ioana şerban", "Ioana"],
    ["ნინო ბერიძე", "ნინო"],
    ["გიორგი კვარაცხელია", "გიორგი"],
  ])("%s → %s", (name, first) => expect(firstNameOf(name)).toBe(first));

  // A nickname the name gives, in quotes or in brackets between its words, is what the person goes
  // by: "Hi Bob", as a person writing by hand greets them. An aside after the name, a word in
  // capitals inside a name that is not, or more than one word is no nickname.
  it.each([
    ['Robert "Bob" Jones', "Bob"],
    ["Robert (Bob) Jones", "Bob"],
    ["Robert 'Bob' Jones", "Bob"],
    ["Robert \u201cBob\u201d Jones", "Bob"],
    ["Elizabeth (Liz) Taylor", "Liz"],
    ['Mary "Molly" Anne Smith', "Molly"],
    ['Dr. Robert "Bob" Jones, PhD', "Bob"],
    ['Jones, Robert "Bob"', "Bob"],
    ["William (Bill) Gates III", "Bill"],
    ['ROBERT "BOB" JONES', "Bob"],
    ['Robert "Bob" Jones | ACME', "Bob"],
    ["Robert Jones (ACME)", "Robert"],
    ["Ana Lima (Sales)", "Ana"],
    ['Dwayne "The Rock" Johnson', "Dwayne"],
    ['Ana Lima | "Acme"', "Ana"],
  ])("nickname: %s → %s", (name, first) => expect(firstNameOf(name)).toBe(first));

  // A word in brackets that is no nickname: after the surname of "Last, First" (an aside, as after
  // a whole name), in lower case, or the name itself in another script (its family name). Each was
  // the greeting: "Hi External", "Hi ext", "Hi he", "Hi 田中". Nor one in quotes ending a name
  // written given name first ("Hi Acme", "Hi UK", "Hi Lima" before); 'Jones, Robert "Bob"' is Bob.
  it.each([
    ["Smith (External), John", "John"],
    ["Müller (Extern), Hans", "Hans"],
    ["Doe (Contractor), Jane", "Jane"],
    ["Ana (ext) Lima", "Ana"],
    ["Alex (he) Smith", "Alex"],
    ["Hiroshi (田中) Tanaka", "Hiroshi"],
    ['Ana Lima "Acme"', "Ana"],
    ["Ana Lima 'UK'", "Ana"],
    ["Ana 'Lima'", "Ana"],
    ['Ana Lima "Acme".', "Ana"],
  ])("no nickname: %s → %s", (name, first) => expect(firstNameOf(name)).toBe(first));

  it("a draft to 'Robert \"Bob\" Jones' (a From or To header's quoted string, its quotes escaped) greets Bob and keeps the name as written", () => {
    const [bob] = parseAddressList('"Robert \\"Bob\\" Jones" <bob@x.com>');
    expect(bob.name).toBe('Robert "Bob" Jones');
    const d = composeFollowUp(account, { ...person(bob.name, "Demo day"), email: bob.email }, undefined, metAt + DAY);
    expect(d.text).toMatch(/^Hi Bob,/);
    expect(d.subject).toBe("Great to meet you, Bob");
    expect(d.to).toEqual({ email: "bob@x.com", name: 'Robert "Bob" Jones' });
    // An owner who goes by a nickname signs with it.
    expect(composeFollowUp({ ...account, displayName: "Isabel (Isla) Moreno" }, person("Wen Zhou", "Demo day"), undefined, metAt + DAY).text).toMatch(/Best,\nIsla$/);
  });

  // A name in a script written family name first (Chinese, Japanese, Korean) is greeted whole, as
  // it is written without a space: not by its family name alone ("Hi 山田"), nor "Hi there" where a
  // part of one character was taken for an initial ("王 伟"). A Latin name beside it of two words
  // or more gives its given name.
  it.each([
    ["山田 太郎", "山田 太郎"],
    ["太郎 山田", "太郎 山田"],
    ["山田太郎", "山田太郎"],
    ["王 伟", "王 伟"],
    ["김 민준", "김 민준"],
    ["山田, 太郎", "山田 太郎"],
    ["山田 太郎 (ACME)", "山田 太郎"],
    ["山田 太郎 | ACME", "山田 太郎"],
    ["陈大文 David Chan", "David"],
    ["Chan, David 陈大文", "David"],
    ["David 陈大文", "David 陈大文"],
    // A title before the whole name is skipped, as before a Latin one; before one word, kept ("Dr Chen").
    ["Dr 王 伟", "王 伟"],
    ["Prof. 山田 太郎", "山田 太郎"],
    ["Dr 王", "Dr 王"],
  ])("family name first: %s → %s", (name, first) => expect(firstNameOf(name)).toBe(first));

  it("a draft to a Japanese name written family name first greets the whole name", () => {
    const d = composeFollowUp(account, person("山田 太郎", "Demo day"), undefined, metAt + DAY);
    expect(d.text).toMatch(/^Hi 山田 太郎,/);
    expect(d.subject).toBe("Great to meet you, 山田 太郎");
  });

  it("a draft greets and signs by them", () => {
    const owner = { ...account, displayName: "Dr Isla Moreno" };
    expect(composeFollowUp(owner, person("Ben Ito, PhD", "Demo day"), undefined, metAt + DAY).text).toMatch(/^Hi Ben,[\s\S]*Best,\nIsla$/);
    expect(composeFollowUp(account, person("Dr Chen", "Demo day"), undefined, metAt + DAY).text).toMatch(/^Hi Dr Chen,/);
    expect(composeFollowUp(account, person("EVE ADAMS", "Demo day"), undefined, metAt + DAY).subject).toBe("Great to meet you, Eve");
  });
});

describe("names and titles go into the draft as they stand", () => {
  it("a placeholder inside a title or a name is text, filled in no second pass (helper-141 #5)", () => {
    const d = composeFollowUp(account, person("{date} Silva", "Budget {ownerName} {date} review"), undefined, metAt + DAY);
    expect(d.text).toMatch(/^Hi \{date\},/);
    expect(d.text).toContain("at Budget {ownerName} {date} review on Monday 27 April.");
  });

  it("a subject to a person without a name drops the greeting's name, and only that (helper-141 #4)", () => {
    const nameless = { ...person("", "Design review"), email: "ana.lima@example.com" };
    const at = (subjectTemplate: string, p = nameless) => composeFollowUp({ ...account, subjectTemplate }, p, undefined, metAt + DAY).subject;
    expect(at("Great chat at {meeting}, there's more to discuss", person("Wen Zhou", "Design review"))).toBe("Great chat at Design review, there's more to discuss");
    expect(at("Great chat at {meeting}, there's more to discuss")).toBe("Great chat at Design review, there's more to discuss");
    expect(at("Great to meet you, {firstName}")).toBe("Great to meet you");
    expect(at("{firstName}: notes from {meeting}")).toBe("Notes from Design review");
    // Where it goes cleanly (helper-146 #6, helper-147 #3).
    expect(at("Thanks {firstName}!")).toBe("Thanks there!");
    expect(at("Hi {firstName}, great to meet you at {meeting}")).toBe("Hi there, great to meet you at Design review");
    expect(at("{firstName} - great to meet you")).toBe("Great to meet you");
    expect(at("{firstName}")).toBe("Great to meet you");
    expect(at("{firstName}: notes from {meeting}", person("Wen Zhou", "Design review"))).toBe("Wen: notes from Design review");
  });

  it("a `$` in a title or a name is text, not a replacement pattern", () => {
    const d = composeFollowUp(account, person("Wen $& Zhou", "Make $$ Night $` $'"), undefined, metAt + DAY);
    expect(d.text).toContain("Make $$ Night $` $'");
    expect(d.text).toMatch(/^Hi Wen,/);
    const owner = { ...account, subjectTemplate: "{meeting} {firstName}", firstNames: { "wen@example.com": "W$&n" } };
    expect(composeFollowUp(owner, person("Wen Zhou", "Cost $$ review"), undefined, metAt + DAY).subject).toBe("Cost $$ review W$&n");
  });
});

describe("meeting titles in a sentence", () => {
  it("drops the two people's names, separators and internal codes", () => {
    expect(meetingPhrase("Breakfast — Wen / Isla", ["Wen Zhou", "Isla Moreno"])).toBe("breakfast");
    expect(meetingPhrase("[EXT] Wen x Isla | PRJ-2291 roadmap review", ["Wen Zhou", "Isla Moreno"])).toBe("roadmap review");
    expect(meetingPhrase("Isla <> Wen", ["Wen Zhou", "Isla Moreno"])).toBeUndefined();
    expect(meetingPhrase("1:1", ["Wen Zhou", "Isla Moreno"])).toBeUndefined();
    expect(meetingPhrase("Demo day", ["Wen Zhou", "Isla Moreno"])).toBe("Demo day");
    // A date in digits goes whole; the digit run alone took its year and left "07-01" (helper-240 #7).
    expect(meetingPhrase("Q3 planning - 2026-07-01", ["Wen Zhou", "Isla Moreno"])).toBe("Q3 planning");
    expect(meetingPhrase("Q3 planning 1/7/2026", ["Wen Zhou", "Isla Moreno"])).toBe("Q3 planning");
    expect(meetingPhrase("Offsite 2026", ["Wen Zhou", "Isla Moreno"])).toBe("Offsite");
    expect(meetingPhrase("Board 2026-07", ["Wen Zhou", "Isla Moreno"])).toBe("Board");
    expect(meetingPhrase("Budget 2026/27", ["Wen Zhou", "Isla Moreno"])).toBe("Budget");
    expect(meetingPhrase("Kickoff 1.7.2026", ["Wen Zhou", "Isla Moreno"])).toBe("Kickoff");
    // A year or code taken out of a title leaves no space before a comma or colon (helper-282).
    expect(meetingPhrase("Web Summit 2026, Lisbon", ["Wen Zhou", "Isla Moreno"])).toBe("Web Summit, Lisbon");
    expect(meetingPhrase("Summer Edition 2026: talks and drinks", ["Wen Zhou", "Isla Moreno"])).toBe("Summer Edition: talks and drinks");
    expect(meetingPhrase("Board (ref 1234) [INT]: Q3", ["Wen Zhou", "Isla Moreno"])).toBe("Board: Q3");
    expect(meetingPhrase("Demo #42, part 2", ["Wen Zhou", "Isla Moreno"])).toBe("Demo, part 2");
    // A space the title itself puts before a colon stays.
    expect(meetingPhrase("Réunion : budget", ["Wen Zhou", "Isla Moreno"])).toBe("Réunion : budget");
    expect(meetingPhrase("Kickoff [INT] : budget", ["Wen Zhou", "Isla Moreno"])).toBe("Kickoff : budget");
    // Times and versions stay (helper-242 #3).
    expect(meetingPhrase("Workshop 9.30-12.30", ["Wen Zhou", "Isla Moreno"])).toBe("Workshop 9.30-12.30");
    expect(meetingPhrase("Breakfast 7.30-9.00", ["Wen Zhou", "Isla Moreno"])).toBe("Breakfast 7.30-9.00");
    expect(meetingPhrase("Upgrade to 10.15.10", ["Wen Zhou", "Isla Moreno"])).toBe("Upgrade to 10.15.10");
    expect(meetingPhrase("Release 4.12.20 review", ["Wen Zhou", "Isla Moreno"])).toBe("Release 4.12.20 review");
    expect(meetingPhrase("Support 24/7 review", ["Wen Zhou", "Isla Moreno"])).toBe("Support 24/7 review");
    // "there" (a person without a given name) is no name in a title (helper-242 #5).
    expect(meetingPhrase("Coffee – there and back", ["de la Cruz", "Isla Moreno"])).toBe("Coffee – there and back");
  });

  it("a first name inside a part of the title goes with it, and what says nothing goes too (helper-139 #3)", () => {
    const two = ["Ana Lima", "Isla Moreno"];
    expect(meetingPhrase("Ana / Isla sync", two)).toBeUndefined();
    expect(meetingPhrase("Coffee w/ Ana", two)).toBe("coffee");
    expect(meetingPhrase("Design review w/ Ana", two)).toBe("Design review");
    expect(meetingPhrase("Isla and Ana", two)).toBeUndefined();
    expect(meetingPhrase("Ana Lima intro call", two)).toBeUndefined();
    expect(meetingPhrase("Ana & Isla: quick chat", two)).toBeUndefined();
    expect(meetingPhrase("☕ Ana / Isla", two)).toBeUndefined();
    expect(meetingPhrase("Isla ↔ Ana", two)).toBeUndefined();
    // A whole name, or a first name beside an occasion, goes; a part that says something beside a
    // first name or a surname alone stays whole (helper-140 #7, #8; helper-146 #1).
    expect(meetingPhrase("Ana Lima: product feedback", two)).toBe("product feedback");
    expect(meetingPhrase("Interview: Ana Lima", two)).toBe("Interview");
    expect(meetingPhrase("Ana coffee", two)).toBe("coffee");
    expect(meetingPhrase("Ana Lima and Isla Moreno lunch", two)).toBe("lunch");
    expect(meetingPhrase("Demo Day", ["Sam Day", "Isla Moreno"])).toBe("Demo Day");
    expect(meetingPhrase("Summer party", ["Summer Lee", "Isla Moreno"])).toBe("Summer party");
    expect(meetingPhrase("Meet & greet", two)).toBe("Meet & greet");
    // A person without a name, by the address's local part where it reads as a name; a role
    // mailbox's one word is not cut from the title (helper-140 #6).
    expect(meetingPhrase("Ana / Isla", [{ address: "ana.lima+conf@example.com" }, "Isla Moreno"])).toBeUndefined();
    expect(meetingPhrase("Info session", [{ address: "info@example.com" }, "Isla Moreno"])).toBe("Info session");
    expect(meetingPhrase("Sales call", [{ address: "sales@example.com" }, "Isla Moreno"])).toBe("Sales call");
    expect(meetingPhrase("Ana sync", [{ address: "ana@example.com" }, "Isla Moreno"])).toBeUndefined();
    expect(meetingPhrase("Ana roadmap / Isla", [{ address: "ana@example.com" }, "Isla Moreno"])).toBe("roadmap");
  });

  it("a mail client's or calendar's mark before the title is no part of it; a slash inside a word splits only beside a name; where a person is from goes with them (helper-147's list)", () => {
    const two = ["Kate Smith", "Isla Moreno"];
    expect(meetingPhrase("FW: Coffee chat", two)).toBe("Coffee chat");
    expect(meetingPhrase("RE: FW: Coffee with Kate", two)).toBe("coffee");
    expect(meetingPhrase("Fwd: Product roadmap", two)).toBe("Product roadmap");
    expect(meetingPhrase("Copy: Lunch", two)).toBe("lunch");
    expect(meetingPhrase("Updated invitation: Design review", two)).toBe("Design review");
    expect(meetingPhrase("WG: Strategie-Workshop", two)).toBe("Strategie-Workshop");
    // A colon with no space after it is part of a name.
    expect(meetingPhrase("re:Invent keynote", two)).toBe("re:Invent keynote");
    expect(meetingPhrase("AI/ML meetup", two)).toBe("AI/ML meetup");
    expect(meetingPhrase("Kate/Isla: AI/ML roadmap", two)).toBe("AI/ML roadmap");
    expect(meetingPhrase("Kate/Isla sync", two)).toBeUndefined();
    expect(meetingPhrase("Coffee w/Kate", two)).toBe("coffee");
    expect(meetingPhrase("Chat with Kate from ACME", two)).toBeUndefined();
    expect(meetingPhrase("Weekly Kate <> Isla", two)).toBeUndefined();
    // helper-148's review: a slash beside a name splits after an aside or an initial, or beside a
    // number, and "w/" still reads as "with"; where they were met stays, without its "at"; a first
    // name in a title of one part that says something keeps it whole.
    expect(meetingPhrase("Coffee w/Kate/Isla", two)).toBe("coffee");
    expect(meetingPhrase("CI/CD review w/Kate/Isla", two)).toBe("CI/CD review");
    expect(meetingPhrase("Kate (ACME)/Isla (Beta) roadmap", two)).toBe("roadmap");
    expect(meetingPhrase("Kate S./Isla M.", two)).toBeUndefined();
    expect(meetingPhrase("Isla/2pm sync", two)).toBe("2pm sync");
    expect(meetingPhrase("Kate/24/7 support", two)).toBe("24/7 support");
    expect(meetingPhrase("Google I/O", two)).toBe("Google I/O");
    expect(meetingPhrase("Coffee with Kate at Web Summit", two)).toBe("Coffee – Web Summit");
    expect(meetingPhrase("Kate & Isla at Web Summit", two)).toBe("Web Summit");
    expect(meetingPhrase("Kate / Isla at 10", two)).toBeUndefined();
    expect(meetingPhrase("Coffee with Kate at 3pm", two)).toBe("coffee");
    expect(meetingPhrase("Summer of Code kickoff", ["Summer Lee", "Isla Moreno"])).toBe("Summer of Code kickoff");
    expect(meetingPhrase("Paris at Night", ["Paris Hilton", "Isla Moreno"])).toBe("Paris at Night");
    expect(meetingPhrase("Kate from Accounting farewell", two)).toBe("Kate from Accounting farewell");
  });

  it("an aside in brackets and an initial after a name go with it; '&', 'x', '+' and 'with' split only beside a name (helper-146 #3–#5)", () => {
    const two = ["Wen Zhou", "Isla Moreno"];
    expect(meetingPhrase("Intro: Wen (ACME) <> Isla (Paperkite)", two)).toBeUndefined();
    expect(meetingPhrase("Wen Z. / Isla planning", two)).toBe("planning");
    expect(meetingPhrase("Wine & Cheese night", two)).toBe("Wine & Cheese night");
    expect(meetingPhrase("Product Q & A", two)).toBe("Product Q & A");
    expect(meetingPhrase("Dinner with investors", two)).toBe("Dinner with investors");
    expect(meetingPhrase("Dinner with Wen", two)).toBe("dinner");
    // An initial only beside a name; a word left hanging where the name was goes (helper-147 #2, #4).
    expect(meetingPhrase("Wen / Isla: Series A", two)).toBe("Series A");
    expect(meetingPhrase("A/B testing review", two)).toBe("A/B testing review");
    expect(meetingPhrase("Talk by Wen Zhou", two)).toBe("Talk");
    expect(meetingPhrase("Demo for Wen Zhou", two)).toBe("Demo");
  });

  it("the names a draft holds are the ones taken out: a corrected first name, the owner's signature name (helper-140 #9)", () => {
    const owner = { ...account, signatureName: "Izzy", firstNames: { "wen@example.com": "Wendy" } };
    expect(composeFollowUp(owner, person("Wen Zhou", "Coffee w/ Wendy"), undefined, metAt + DAY).text).toContain("at coffee on");
    expect(composeFollowUp(owner, person("Wen Zhou", "Wen / Izzy sync"), undefined, metAt + DAY).text).toContain("It was good to meet you on");
  });

  it("a draft to a person without a name leaves their name out of the sentence", () => {
    const nameless = { ...person("", "Ana / Isla roadmap"), email: "ana.lima@example.com" };
    expect(composeFollowUp(account, nameless, undefined, metAt + DAY).text).toContain("It was good to meet you at roadmap on Monday 27 April.");
  });

  it("the draft reads well with or without a title", () => {
    const a = composeFollowUp(account, person("Wen Zhou", "Breakfast — Wen / Isla"), undefined, metAt + DAY);
    expect(a.text).toContain("It was good to meet you at breakfast on Monday 27 April.");
    expect(a.text).toMatch(/Best,\nIsla$/);
    const b = composeFollowUp(account, person("Wen Zhou", "Wen / Isla"), undefined, metAt + DAY);
    expect(b.text).toContain("It was good to meet you on Monday 27 April.");
    expect(b.text).not.toContain("Wen / Isla");
  });
});

describe("subject and signature", () => {
  it("a warm subject soon after, a plain one a month later; Mei Lin signs and is greeted whole", () => {
    const p = person("Mei Lin Goh", "Founders breakfast");
    expect(composeFollowUp(account, p, undefined, metAt + DAY).subject).toBe("Great to meet you, Mei Lin");
    expect(composeFollowUp(account, p, undefined, metAt + 30 * DAY).subject).toBe("Following up from Founders breakfast");
    const owner = { ...account, displayName: "Mei Lin Goh" };
    expect(composeFollowUp(owner, person("Tan, Wei Jie", "x"), undefined, metAt).text).toMatch(/^Hi Wei Jie,[\s\S]*Best,\nMei Lin$/);
  });

  it("the owner's subject template, signature name and a corrected first name are used", () => {
    const owner = { ...account, subjectTemplate: "After {meeting}, {firstName}", signatureName: "Isla M.", firstNames: { "wen@example.com": "Wendy" } };
    const d = composeFollowUp(owner, person("Wen Zhou", "Demo day"), undefined, metAt + DAY);
    expect(d.subject).toBe("After Demo day, Wendy");
    expect(d.text).toMatch(/^Hi Wendy,[\s\S]*Best,\nIsla M\.$/);
  });
});

describe("a first meeting over several days (a conference), on a day the calendar does not say", () => {
  const lisbon = { ...account, timeZone: "Europe/Lisbon" };
  // Web Summit, Tuesday 3 to Friday 6 November 2026, 09:00 to 18:00 Lisbon time (UTC then).
  const summit: PersonRecord = { ...person("Wen Zhou", "Web Summit 2026"), atEvent: true, metAt: Date.parse("2026-11-03T09:00:00Z"), metEnd: Date.parse("2026-11-06T18:00:00Z") };
  const after = summit.metEnd + DAY;
  const line = (d: { text: string }) => d.text.split("\n")[2];

  it("names the event without a day: not its first day, which may not be the day they met", () => {
    expect(line(composeFollowUp(lisbon, summit, undefined, after))).toBe("It was great to meet you at Web Summit. I'd be glad to stay in touch; let me know if there's anything I can help with.");
    expect(line(composeFollowUp(lisbon, { ...summit, atEvent: undefined }, undefined, after))).toBe("It was good to meet you at Web Summit. I enjoyed our conversation and would like to keep in touch.");
    // The same as all-day dates, by its own dates, also across a change of the clocks (New York, 1 November 2026).
    const allDay = { ...summit, metAt: Date.parse("2026-11-03T00:00:00Z"), metEnd: Date.parse("2026-11-07T00:00:00Z"), metDate: "2026-11-03" };
    expect(line(composeFollowUp(lisbon, allDay, undefined, after))).toMatch(/^It was great to meet you at Web Summit\. /);
    const ny = { ...allDay, metAt: Date.parse("2026-10-31T04:00:00Z"), metEnd: Date.parse("2026-11-03T05:00:00Z"), metDate: "2026-10-31" };
    expect(composeFollowUp({ ...account, timeZone: "America/New_York", template: "{date}" }, ny, undefined, after).text).toBe("Saturday 31 October to Monday 2 November");
  });

  it("where the text has the date without the event, the event or else its dates", () => {
    const own = (template: string, p = summit) => composeFollowUp({ ...lisbon, template }, p, undefined, after).text;
    expect(own("Thanks for making the time on {date}.")).toBe("Thanks for making the time during Web Summit.");
    expect(own("Re {meeting}: thanks for the chat on {date}")).toBe("Re Web Summit: thanks for the chat between Tuesday 3 and Friday 6 November");
    expect(own("{date}")).toBe("Tuesday 3 to Friday 6 November");
    // A title that says nothing once the names are out; the span over two months.
    const untitled = { ...summit, eventTitle: "Wen / Isla", metAt: Date.parse("2026-11-30T09:00:00Z"), metEnd: Date.parse("2026-12-02T18:00:00Z") };
    expect(line(composeFollowUp(lisbon, untitled, undefined, after))).toMatch(/^It was great to meet you between Monday 30 November and Wednesday 2 December\. /);
  });

  it("one day still names its day: an evening that runs past midnight, an all-day event of one day", () => {
    const party = { ...summit, eventTitle: "Launch party", metAt: Date.parse("2026-11-06T21:00:00Z"), metEnd: Date.parse("2026-11-07T02:00:00Z") };
    expect(line(composeFollowUp(lisbon, party, undefined, after))).toMatch(/^It was great to meet you at Launch party on Friday 6 November\. /);
    const oneDay = { ...summit, metAt: Date.parse("2026-11-03T00:00:00Z"), metEnd: Date.parse("2026-11-04T00:00:00Z"), metDate: "2026-11-03" };
    expect(line(composeFollowUp(lisbon, oneDay, undefined, after))).toMatch(/^It was great to meet you at Web Summit on Tuesday 3 November\. /);
  });
});

describe("when an event is, as the owner reads it", () => {
  it("an all-day event is one day by its local dates, also on the days the clocks change (25 and 23 hours)", () => {
    const ny = "America/New_York";
    // Sunday 1 November 2026 in New York lasts 25 hours (the clocks go back), 8 March 2026 lasts 23.
    expect(eventWhen({ allDay: true, start: Date.parse("2026-11-01T04:00:00Z"), end: Date.parse("2026-11-02T05:00:00Z") }, ny)).toBe("Sun 1 Nov (all day)");
    expect(eventWhen({ allDay: true, start: Date.parse("2026-03-08T05:00:00Z"), end: Date.parse("2026-03-09T04:00:00Z") }, ny)).toBe("Sun 8 Mar (all day)");
    // Sydney's clocks go back on Sunday 5 April 2026.
    expect(eventWhen({ allDay: true, start: Date.parse("2026-04-04T13:00:00Z"), end: Date.parse("2026-04-05T14:00:00Z") }, "Australia/Sydney")).toBe("Sun 5 Apr (all day)");
    expect(eventWhen({ allDay: true, start: Date.parse("2026-06-04T04:00:00Z"), end: Date.parse("2026-06-06T04:00:00Z") }, ny)).toBe("Thu 4 Jun – Fri 5 Jun");
    // A year to the day is not one day.
    expect(eventWhen({ allDay: true, start: Date.parse("2026-06-04T04:00:00Z"), end: Date.parse("2027-06-05T04:00:00Z") }, ny)).toBe("Thu 4 Jun – Fri 4 Jun");
    expect(eventWhen({ allDay: false, start: Date.parse("2026-06-04T22:30:00Z"), end: Date.parse("2026-06-05T01:00:00Z") }, ny, { until: true })).toBe("Thu 4 Jun, 18:30–21:00");
    // Timed over several local dates: each end with its date; one ending at midnight is one date (helper-150 #3).
    expect(eventWhen({ allDay: false, start: Date.parse("2026-06-16T13:00:00Z"), end: Date.parse("2026-06-18T21:00:00Z") }, ny, { until: true })).toBe("Tue 16 Jun, 09:00 – Thu 18 Jun, 17:00");
    expect(eventWhen({ allDay: false, start: Date.parse("2026-06-19T22:00:00Z"), end: Date.parse("2026-06-21T22:00:00Z") }, ny, { until: true })).toBe("Fri 19 Jun, 18:00 – Sun 21 Jun, 18:00");
    expect(eventWhen({ allDay: false, start: Date.parse("2026-06-05T02:00:00Z"), end: Date.parse("2026-06-05T04:00:00Z") }, ny, { until: true })).toBe("Thu 4 Jun, 22:00–00:00");
    // The night the clocks go back (New York, Sunday 1 November 2026, 02:00 EDT is 01:00 EST): an hour from 01:30 ends at 01:30 (helper-153).
    expect(eventWhen({ allDay: false, start: Date.parse("2026-11-01T05:30:00Z"), end: Date.parse("2026-11-01T06:30:00Z") }, ny, { until: true })).toBe("Sun 1 Nov, 01:30–01:30 (the clocks go back in between)");
    expect(eventWhen({ allDay: false, start: Date.parse("2026-11-01T05:45:00Z"), end: Date.parse("2026-11-01T06:15:00Z") }, ny, { until: true })).toBe("Sun 1 Nov, 01:45–01:15 (the clocks go back in between)");
    // Across the change but ending later by the clock, and the night the clocks go forward: as the clock reads.
    expect(eventWhen({ allDay: false, start: Date.parse("2026-11-01T05:00:00Z"), end: Date.parse("2026-11-01T08:00:00Z") }, ny, { until: true })).toBe("Sun 1 Nov, 01:00–03:00");
    expect(eventWhen({ allDay: false, start: Date.parse("2026-03-08T06:30:00Z"), end: Date.parse("2026-03-08T07:30:00Z") }, ny, { until: true })).toBe("Sun 8 Mar, 01:30–03:30");
    // The digest's "Coming up" (no `until`) shows both ends too (helper-152).
    expect(eventWhen({ allDay: false, start: Date.parse("2026-06-16T13:00:00Z"), end: Date.parse("2026-06-18T21:00:00Z") }, ny)).toBe("Tue 16 Jun, 09:00 – Thu 18 Jun, 17:00");
    expect(eventWhen({ allDay: false, start: Date.parse("2026-06-04T22:30:00Z"), end: Date.parse("2026-06-05T01:00:00Z") }, ny)).toBe("Thu 4 Jun, 18:30");
    // A time the store read back as NaN (a null stored): said, not thrown on (the events pages showed a 500).
    expect(eventWhen({ allDay: false, start: Date.parse("2026-06-04T22:30:00Z"), end: Number.NaN }, ny, { until: true })).toBe("Thu 4 Jun, 18:30");
    expect(eventWhen({ allDay: true, start: Date.parse("2026-06-04T04:00:00Z"), end: Number.NaN }, ny)).toBe("Thu 4 Jun (all day)");
    expect(eventWhen({ allDay: false, start: Number.NaN, end: Number.NaN }, ny)).toBe("time not known");
  });
});

describe("the owner's own template", () => {
  it("the standard text stored as it stands (a settings save of the day alone stores what the box showed) is no choice: a person met at an event still gets 'After an event'", () => {
    const atEvent: PersonRecord = { ...person("Wen Zhou", "Founders Mixer"), atEvent: true };
    const expected = composeFollowUp(account, atEvent, undefined, metAt + DAY).text;
    expect(expected).toContain(EVENT_TEMPLATE.body.split("\n")[2].split("{")[0].trim());
    expect(expected).not.toBe(composeFollowUp(account, { ...atEvent, atEvent: undefined }, undefined, metAt + DAY).text);
    // As a browser submits a textarea: CRLF line breaks.
    for (const stored of [DEFAULT_TEMPLATE, DEFAULT_TEMPLATE.replace(/\n/g, "\r\n"), `  ${DEFAULT_TEMPLATE}\n`])
      expect(composeFollowUp({ ...account, template: stored }, atEvent, undefined, metAt + DAY).text).toBe(expected);
    // A template of the owner's own is used for everyone.
    expect(composeFollowUp({ ...account, template: "Hey {firstName}!" }, atEvent, undefined, metAt + DAY).text).toBe("Hey Wen!");
  });
});
