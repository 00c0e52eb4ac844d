import { describe, expect, it } from "vitest";
import {
  classify,
  isColleague,
  isNonPersonAddress,
  normalizeAddress,
  ownerIdentity,
  PUBLIC_DOMAINS,
  ROLE_LOCAL_PARTS,
} from "../src/identity";

describe("normalizeAddress", () => {
  it("lower-cases the whole address and trims spaces", () => {
    expect(normalizeAddress("  Ana.Lima@Example.IO ")).toBe("ana.lima@example.io");
  });

  it("drops a +tag from the local part", () => {
    expect(normalizeAddress("ana+events@x.io")).toBe("ana@x.io");
    expect(normalizeAddress("Ana+Events+More@X.io")).toBe("ana@x.io");
  });

  it("drops dots from gmail.com local parts", () => {
    expect(normalizeAddress("ana.b.lima@gmail.com")).toBe("anablima@gmail.com");
    expect(normalizeAddress("A.N.A@GMAIL.COM")).toBe("ana@gmail.com");
  });

  it("treats googlemail.com as gmail.com, dropping dots and tags", () => {
    expect(normalizeAddress("ana.lima@googlemail.com")).toBe("analima@gmail.com");
    expect(normalizeAddress("Ana.Lima+Newsletters@GoogleMail.com")).toBe("analima@gmail.com");
  });

  it("keeps dots for every other domain, including other public ones", () => {
    expect(normalizeAddress("ana.lima@x.io")).toBe("ana.lima@x.io");
    expect(normalizeAddress("ana.lima@outlook.com")).toBe("ana.lima@outlook.com");
    expect(normalizeAddress("ana.lima@mail.gmail.com.example")).toBe("ana.lima@mail.gmail.com.example");
  });

  it("a local part that starts with + is kept whole (there is no name before the tag)", () => {
    expect(normalizeAddress("+1555@sms.example")).toBe("+1555@sms.example");
  });

  it("accepts an internationalised domain in its Unicode form as in its ASCII one, composed or not, and writes both as one (helper-159)", () => {
    expect(normalizeAddress("Jonas@Bäckerei.de")).toBe("jonas@bäckerei.de");
    expect(normalizeAddress("jonas@ba\u0308ckerei.de")).toBe("jonas@bäckerei.de");
    expect(normalizeAddress("jonas@xn--bckerei-5wa.de")).toBe("jonas@bäckerei.de");
    expect(normalizeAddress("Jonas+x@XN--BCKEREI-5WA.DE")).toBe("jonas@bäckerei.de");
    expect(normalizeAddress("jonas@mail.xn--bckerei-5wa.de")).toBe("jonas@mail.bäckerei.de");
    expect(normalizeAddress("ivan@почта.рф")).toBe("ivan@почта.рф");
    expect(normalizeAddress("ivan@xn--80a1acny.xn--p1ai")).toBe("ivan@почта.рф");
    // UTS #46 folds width as a browser does: a full-width domain is the ASCII one.
    expect(normalizeAddress("ana@ａｃｍｅ.io")).toBe("ana@acme.io");
    // No valid Unicode form (a bad A-label), or one that is no address here (a symbol): kept as given.
    expect(normalizeAddress("ana@xn--a.de")).toBe("ana@xn--a.de");
    expect(normalizeAddress("ana@xn--ls8h.la")).toBe("ana@xn--ls8h.la");
    expect(normalizeAddress("ana@bäckerei")).toBeUndefined();
    expect(normalizeAddress("ana@-bäckerei.de")).toBeUndefined();
  });

  it("is idempotent where lower-casing makes combining marks (Turkish İ before another mark; helper-160)", () => {
    const once = normalizeAddress("\u0130\u0670@a.de")!;
    expect(normalizeAddress(once)).toBe(once);
  });

  it("is idempotent", () => {
    for (const s of ["Ana.Lima+x@GoogleMail.com", "B.O+y@Acme.IO", "c@d.ef"]) {
      const n = normalizeAddress(s)!;
      expect(normalizeAddress(n)).toBe(n);
    }
  });

  it.each([
    "",
    "   ",
    "Ana Lima",
    "ana@",
    "@x.io",
    "ana@localhost",
    "ana lima@x.io",
    "<ana@x.io>",
    "ana@x.io, bo@y.io",
    "ana@@x.io",
    "ana@-x.io",
    "..@gmail.com",
  ])("returns undefined for a non-address %j", (s) => {
    expect(normalizeAddress(s)).toBeUndefined();
  });
});

describe("quoted local parts (helper-120)", () => {
  it("a quoted local part of dot-atom text is the same mailbox unquoted; any other stays no address", () => {
    expect(normalizeAddress('"gus"@t.io')).toBe("gus@t.io");
    expect(normalizeAddress('"Gil.X"@T.io')).toBe("gil.x@t.io");
    expect(normalizeAddress('"ana+news"@studio.io')).toBe("ana@studio.io");
    expect(normalizeAddress('"j.doe"@gmail.com')).toBe("jdoe@gmail.com");
    // RFC 6532: non-ASCII atext, as unquoted (helper-121).
    expect(normalizeAddress('"jürgen"@x.de')).toBe("jürgen@x.de");
    for (const other of ['"a b"@t.io', '"a..b"@t.io', '".a"@t.io', '"a\\"b"@t.io', '""@t.io', '"a"b@t.io']) expect(normalizeAddress(other), other).toBeUndefined();
  });
});

describe("public mailbox domains", () => {
  const specList = [
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "fastmail.com",
    "hey.com", "zoho.com", "mail.com", "yandex.com",
  ];

  it.each(["live.co.uk", "hotmail.es", "yahoo.de", "outlook.com.au", "comcast.net", "orange.fr", "t-online.de", "naver.com"])(
    "an owner on %s, a national or ISP mailbox domain beyond the spec's list, has no colleagues by domain (helper-124)",
    (d) => {
      expect(classify(ownerIdentity(`owner@${d}`), `bob@${d}`)).toBe("person");
    },
  );
  it.each(["facebook.com", "alibaba.com", "nus.edu.sg", "live.io", "outlook.acme.com", "ymail.de", "msn.gr", "live.gr"])("%s, a company's own domain or nobody's mail service, is not public", (d) => {
    expect(PUBLIC_DOMAINS.has(d)).toBe(false);
  });

  it.each(specList)("includes %s (spec list)", (d) => {
    expect(PUBLIC_DOMAINS.has(d)).toBe(true);
  });

  it.each(specList)("an owner on %s has no colleagues by domain", (d) => {
    const owner = ownerIdentity(`owner@${d}`);
    expect(owner.colleagueDomains).toEqual([]);
    expect(isColleague(owner, `someone@${d}`)).toBe(false);
    expect(classify(owner, normalizeAddress(`someone@${d}`)!)).toBe("person");
  });
});

describe("owner identities", () => {
  it("normalises the primary address and aliases", () => {
    const owner = ownerIdentity("Ana.Lima@GoogleMail.com", ["ANA+work@Acme.io", "not an address"]);
    expect([...owner.addresses].sort()).toEqual(["ana@acme.io", "analima@gmail.com"]);
  });

  it("an alias spelled differently is still the owner", () => {
    const owner = ownerIdentity("ana.lima@gmail.com");
    expect(classify(owner, normalizeAddress("AnaLima+x@googlemail.com")!)).toBe("owner");
  });
});

describe("colleagues", () => {
  const owner = ownerIdentity("owner@acme.io", ["me@gmail.com"]);

  it("same domain as an owner identity", () => {
    expect(isColleague(owner, "bo@acme.io")).toBe(true);
    expect(classify(owner, "bo@acme.io")).toBe("colleague");
  });

  it("a subdomain of an owner domain", () => {
    expect(isColleague(owner, "bo@eu.acme.io")).toBe(true);
    expect(isColleague(owner, "bo@a.b.acme.io")).toBe(true);
  });

  it("not a look-alike domain or a parent domain", () => {
    expect(isColleague(owner, "bo@notacme.io")).toBe(false);
    expect(isColleague(owner, "bo@acme.io.evil.com")).toBe(false);
    const sub = ownerIdentity("owner@eu.acme.io");
    expect(isColleague(sub, "bo@acme.io")).toBe(false);
  });

  it("not when the owner domain is a public mailbox domain (alias on gmail)", () => {
    expect(isColleague(owner, "someone@gmail.com")).toBe(false);
    expect(classify(owner, "someone@gmail.com")).toBe("person");
  });

  it("an alias on a second organisation domain makes colleagues too", () => {
    const two = ownerIdentity("owner@acme.io", ["owner@acme-labs.com"]);
    expect(classify(two, "x@acme-labs.com")).toBe("colleague");
  });

  it("an alias at a non-person domain (a Google Group the owner sends as) makes no colleagues, and stays the owner's (helper-152)", () => {
    const owner = ownerIdentity("owner@acme.io", ["pyberlin-orga@googlegroups.com"]);
    expect(owner.colleagueDomains).toEqual(["acme.io"]);
    expect(classify(owner, "pyberlin-orga@googlegroups.com")).toBe("owner");
    expect(isColleague(owner, "python-berlin@googlegroups.com")).toBe(false);
  });
});

describe("non-persons", () => {
  it.each([
    "c_188abc@resource.calendar.google.com",
    "acme.io_3132@resource.calendar.google.com",
    "team_abc@group.calendar.google.com",
    "en.usa#holiday@group.v.calendar.google.com",
    // Google Calendar's placeholder organiser of the events Gmail adds from mail, and imported calendars' ids.
    "unknownorganizer@calendar.google.com",
    "abc123@import.calendar.google.com",
    // A mailing list's address at the list hosts (helper-150 #2).
    "rust-london@googlegroups.com",
    "main@typescript.groups.io",
    // A Google Cloud service account, as integrations write calendars (helper-154).
    "hr-sync@acme-prod.iam.gserviceaccount.com",
  ])("calendar resource / group / placeholder / mailing list address %s", (addr) => {
    expect(isNonPersonAddress(addr)).toBe(true);
  });

  const specRoles = [
    "noreply", "no-reply", "donotreply", "do-not-reply", "notifications", "notification", "calendar-notification",
    "mailer-daemon", "postmaster", "bounce", "bounces", "events", "rsvp", "invites", "info", "team", "hello",
    "support", "sales", "admin", "office", "contact",
  ];

  it.each(specRoles)("role local part %s (spec list)", (local) => {
    expect(ROLE_LOCAL_PARTS.has(local)).toBe(true);
    expect(isNonPersonAddress(`${local}@partner.io`)).toBe(true);
    expect(isNonPersonAddress(normalizeAddress(`${local.toUpperCase()}+abc@Partner.io`)!)).toBe(true);
  });

  it.each(["noreply-calendar", "no-reply.mail", "no_reply", "noreply_42", "donotreply-billing", "do_not_reply", "bounces-123", "bounce+x", "mailer-daemon.eu", "no.reply", "do.not.reply", "No.Reply.Events"])(
    "noreply-like variant %s",
    (local) => {
      expect(isNonPersonAddress(normalizeAddress(`${local}@partner.io`)!)).toBe(true);
    },
  );

  it("role addresses on public domains, with gmail dots", () => {
    expect(isNonPersonAddress(normalizeAddress("no.reply@gmail.com")!)).toBe(true);
  });

  it.each(["ana@partner.io", "infoana@partner.io", "noreplyana@partner.io", "teamlead@partner.io", "ana@resource.example.com", "ana@calendar.google.com.example"])(
    "a person %s is not a non-person",
    (addr) => {
      expect(isNonPersonAddress(addr)).toBe(false);
    },
  );
});

describe("classify", () => {
  const owner = ownerIdentity("owner@acme.io", ["o.w.ner@gmail.com"]);

  it.each([
    ["owner@acme.io", "owner"],
    [normalizeAddress("Owner+x@Acme.io")!, "owner"],
    [normalizeAddress("ow.ner@googlemail.com")!, "owner"],
    ["bo@acme.io", "colleague"],
    ["bo@sales.acme.io", "colleague"],
    ["info@acme.io", "non-person"],
    ["room1@resource.calendar.google.com", "non-person"],
    ["noreply@partner.io", "non-person"],
    ["ana@partner.io", "person"],
    ["ana@gmail.com", "person"],
  ] as const)("%s is %s", (addr, kind) => {
    expect(classify(owner, addr)).toBe(kind);
  });
});
