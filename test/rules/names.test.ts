import assert from "node:assert/strict";
import { commonJoinOptions, NAME_MAX_LENGTH, playerName } from "../../src/protocol/messages.js";
import { checkName, checkThoroughly, NAME_MAX_GRAPHEMES, NAME_MAX_INPUT_LENGTH, nameKey } from "../../src/protocol/names.js";
import { pick, seededRng, type Rng } from "../../src/rules/rng.js";

/** A test title for `s`: characters that are not visible (or not characters, or blank letters) as `\u{...}`. */
function show(s: string): string {
  const shown = s.replace(/[^\p{L}\p{N}\p{P}\p{S} ]|[\u115F\u1160\u2800\u3164\uFFA0]/gu, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
  return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 60)}… (${s.length} units)` : shown);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const graphemeCount = (s: string) => Array.from(segmenter.segment(s)).length;

const SCOTLAND = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}";
const DEV = "\u{1F469}\u200D\u{1F4BB}"; // woman technologist: 3 code points, 1 grapheme

/** Accepted names: [input, cleaned name] (the cleaned name is the input when omitted). */
const ACCEPTED: readonly (readonly [string, string?])[] = [
  // Names from players and the review.
  ["Ada"],
  ["José"],
  ["Zoë"],
  ["Nguyễn Văn A"],
  ["李小龙"],
  ["たなか"],
  ["Łukasz"],
  ["Ødegaard"],
  ["محمد"],
  ["ישראל"],
  ["Σωκράτης"],
  ["Дмитрий"],
  ["สมชาย"],
  ["देवनागरी"],
  ["Player 2"],
  ["O'Brien"],
  ["Anne-Marie"],
  ["x_X"],
  ["R2-D2"],
  ["Ada (2)"],
  ["山田 Taro"],
  ["ゲームMaster"], // Katakana (and ー, Common with Hiragana/Katakana extensions) + Latin: an allowed mix
  ["Alex Σωκράτης"], // a Latin word and a Greek word
  ["김민수"],
  ["佐々木"],
  ["ㄅㄆ李"], // Bopomofo + Han
  ["Hawaiʻi"], // ʻokina is a Common letter: fits any script
  ["ज्योत्स्ना"], // Indic conjuncts: one grapheme holds 3 marks
  ["می\u200Cخواهم"], // ZWNJ between Persian letters
  ["क्\u200Cष"], // ZWNJ after a virama
  ["\u{10400}\u{10401}"], // Deseret, an unlisted script, alone in its word
  ["q\u0301\u0302\u0303"], // exactly 3 combining marks
  ["n".repeat(20)],
  // Emoji.
  [`${DEV} Dev`],
  ["\u{1F1E6}\u{1F1F9} Alex"],
  ["\u{1F44D}\u{1F3FD} Sam"],
  ["\u{1F3F3}\uFE0F\u200D\u{1F308}"],
  ["Zoë \u{1F600}"],
  [SCOTLAND],
  [`${SCOTLAND} Fan`],
  ["1\uFE0F\u20E3"], // keycap: digit, VS16, enclosing keycap
  ["\u{1F3C3}\u{1F3FD}\u200D\u2640\uFE0F"], // ZWJ after a skin tone
  ["\u2764\uFE0F\u200D\u{1F525}"], // ZWJ after VS16
  ["\u{1F468}\u200D\u{1F469}\u200D\u{1F467}"],
  [DEV.repeat(20)], // 20 graphemes, 100 UTF-16 units
  ["\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}".repeat(20)], // 20 families of four: 220 UTF-16 units (refused until 2026-12-05, the raw cap was 200)
  ["\u{1F469}\u{1F3FB}\u200D\u2764\uFE0F\u200D\u{1F48B}\u200D\u{1F468}\u{1F3FC}".repeat(20)], // 20 kisses with skin tones: 300 units
  // Cleaning.
  ["  Ada \t  Lovelace  \n", "Ada Lovelace"],
  ["\u3000Ada\u00A0\u2003Lovelace\u2029", "Ada Lovelace"],
  ["\r\nAda\r\n", "Ada"],
  ["\u0085Ada\u0085", "Ada"], // NEL is White_Space: trimmed at the ends
  ["Jose\u0301", "José"], // NFC
  ["Zoe\u0308 \u{1F600}", "Zoë \u{1F600}"],
];

/** Refused names: [input, what the reason must say]. */
const REFUSED: readonly (readonly [string, RegExp | string])[] = [
  // Empty.
  ["", /empty/],
  ["   ", /empty/],
  ["\t\n", /empty/],
  ["\u3000\u00A0", /empty/],
  // Too long.
  ["n".repeat(21), /too long/],
  [DEV.repeat(21), /too long/],
  ["x".repeat(NAME_MAX_INPUT_LENGTH + 1), /too long/],
  ["x".repeat(5000), /too long/],
  // Bidi controls, anywhere.
  ["\u202E\u0000", "U+202E (right-to-left override) is not allowed in names"],
  ["a\u202Eb", "U+202E (right-to-left override) is not allowed in names"],
  ["a\u200Fb", "U+200F (right-to-left mark) is not allowed in names"],
  ["a\u200Eb", /^U\+200E \(left-to-right mark\)/],
  ["\u0645\u061C\u062D", /^U\+061C \(Arabic letter mark\)/],
  ["a\u202Ab", /^U\+202A /],
  ["a\u202Bb", /^U\+202B /],
  ["a\u202Cb", /^U\+202C /],
  ["a\u202Db", /^U\+202D /],
  ["a\u2066b", /^U\+2066 /],
  ["a\u2067b", /^U\+2067 /],
  ["a\u2068b", /^U\+2068 /],
  ["Ada\u2069", /^U\+2069 /],
  // Invisible fillers, anywhere.
  ["\u2800", /^U\+2800 \(braille pattern blank\)/],
  ["\u3164", /^U\+3164 \(Hangul filler\)/],
  ["\u3164\u3164 x", /^U\+3164 /],
  ["x\u115F", /^U\+115F /],
  ["x\u1160", /^U\+1160 /],
  ["x\uFFA0", /^U\+FFA0 /],
  ["x\u17B4", /^U\+17B4 /],
  ["x\u17B5", /^U\+17B5 /],
  ["x\u180Ey", /^U\+180E /],
  ["x\u034Fy", /^U\+034F \(combining grapheme joiner\)/],
  ["\uFEFFAda", /^U\+FEFF /],
  ["A\u2060da", /^U\+2060 \(word joiner\)/],
  ["A\u2061da", /^U\+2061 /],
  ["A\u2062da", /^U\+2062 /],
  ["A\u2063da", /^U\+2063 /],
  ["A\u2064da", /^U\+2064 /],
  ["Ada\u00AD", /^U\+00AD \(soft hyphen\)/],
  ["A\u200Bda", /^U\+200B \(zero width space\)/],
  // Controls, line breaks, private use, unassigned, surrogates, other format characters.
  ["a\u0000b", /^U\+0000 \(null\)/],
  ["a\u001Bb", /^U\+001B \(escape\)/],
  ["a\u007Fb", /^U\+007F /],
  ["a\nb", /^U\+000A \(line feed\)/],
  ["a\u0085b", /^U\+0085 \(next line\)/],
  ["a\u2028b", /^U\+2028 \(line separator\)/],
  ["a\u2029b", /^U\+2029 \(paragraph separator\)/],
  ["a\uE000", /^U\+E000 is not allowed in names \(private-use character\)$/],
  ["a\u{F0000}", /^U\+F0000 .*private-use/],
  ["a\u0378", /^U\+0378 .*unassigned/],
  ["a\uD800b", /^U\+D800 .*lone surrogate/],
  ["\uDFFF", /^U\+DFFF /],
  ["a\u{1D173}", /^U\+1D173 .*formatting/],
  ["\u{E0001}en", /^U\+E0001 \(language tag\)/],
  // Joiners and tags outside emoji.
  ["a\u200Db", /^U\+200D \(zero width joiner\) is only allowed inside an emoji sequence$/],
  ["a\u200D\u{1F600}", /^U\+200D /],
  ["\u{1F600}\u200Da", /^U\+200D /],
  ["\u{1F600}\u200D", /^U\+200D /],
  ["a\u200Cb", /^U\+200C \(zero width non-joiner\) is only allowed between two Persian or Indic letters$/],
  ["\u200C\u0645\u062D", /^U\+200C /],
  ["a\u{E0041}", /^U\+E0041 is only allowed inside a flag emoji$/],
  ["\u{1F3F4}\u{E0067}\u{E0062}", /^U\+E0067 /], // no cancel tag
  ["\u{1F3F4}\u{E0020}\u{E007F}", /^U\+E0020 /], // a tag space is no subdivision
  ["\u{E007F}x", /^U\+E007F \(cancel tag\)/],
  ["\u{1F600}\u{E0067}\u{E007F}", /^U\+E0067 /], // not after the black flag
  // Variation selectors without a base.
  ["\uFE0Fa", /^U\+FE0F \(variation selector-16\) must directly follow/],
  ["a\uFE0F\uFE0F", /^U\+FE0F /],
  ["a \uFE0F", /^U\+FE0F /],
  // Look-alike script mixes within a word.
  ["Ρlayer 2", '"Ρ" (U+03A1, Greek) mixed with Latin letters in one word'],
  ["Pаypal", '"а" (U+0430, Cyrillic) mixed with Latin letters in one word'],
  ["Alex Σωκράτηs", /^"s" \(U\+0073, Latin\) mixed with Greek letters/],
  ["аb", /^"b" \(U\+0062, Latin\) mixed with Cyrillic letters/], // a tie blames the later script
  ["\u{10400}da", /^"\u{10400}" \(U\+10400, an unlisted script\) mixed with Latin/u], // "Other" + Latin
  ["가あ", /^"あ" \(U\+3042, Hiragana\) mixed with Hangul/],
  ["ㄅあ李", /mixed with/], // Bopomofo + Hiragana: each fits Han, not together
  // Combining marks.
  ["e" + "\u0301".repeat(19), /^18 combining marks stacked on "é" \(U\+00E9\)/], // NFC takes one into é
  ["q\u0301\u0302\u0303\u0304", /^4 combining marks stacked on "q"/],
  ["\u0301abc", /^U\+0301 \(combining acute accent\) is a combining mark with no letter to sit on$/],
  [" \u0301 ", /^U\+0301 .*no letter/],
  ["a \u0301b", /^U\+0301 .*no letter/],
];

describe("names: checkName accepts", () => {
  for (const [input, cleaned = input] of ACCEPTED) {
    it(show(input), () => {
      assert.deepEqual(checkName(input), { ok: true, name: cleaned });
    });
  }
});

describe("names: checkName refuses", () => {
  for (const [input, reason] of REFUSED) {
    it(`${show(input)} → ${reason}`, () => {
      const result = checkName(input);
      assert.equal(result.ok, false, `accepted as ${JSON.stringify(result.ok && result.name)}`);
      if (result.ok) return;
      if (typeof reason === "string") assert.equal(result.reason, reason);
      else assert.match(result.reason, reason);
    });
  }
});

/** [a, b, same key]: names that must (or must not) count as duplicates. */
const KEYS: readonly (readonly [string, string, boolean])[] = [
  ["Ada", "ADA", true],
  ["Ada", "ａｄａ", true], // fullwidth (NFKC)
  ["Ada", "\u{1D400}da", true], // mathematical bold A (NFKC)
  ["fish", "\uFB01sh", true], // fi ligature (NFKC)
  ["Ada Lovelace", " ada   LOVELACE ", true],
  ["Ada Lovelace", "Ada\u3000Lovelace", true],
  ["Zoë", "Zoe\u0308", true],
  ["Ada", "Ada\uFE0F", true], // an invisible variation selector does not make a new name
  ["\u{1F3F3}\uFE0F\u200D\u{1F308}", "\u{1F3F3}\u{1F308}", true],
  ["Ada", "Adam", false],
  ["Ada", "Ada 2", false],
  ["Zoë", "Zoe", false],
  ["Ada", "Аda", false], // Cyrillic А: refused by checkName, not folded here
];

describe("names: nameKey", () => {
  for (const [a, b, same] of KEYS) {
    it(`${show(a)} ${same ? "=" : "≠"} ${show(b)}`, () => {
      if (same) assert.equal(nameKey(a), nameKey(b));
      else assert.notEqual(nameKey(a), nameKey(b));
    });
  }

  it("is NFKC, lower case, single inner spaces, trimmed", () => {
    assert.equal(nameKey("  ÅDA \t  Ｌovelace "), "åda lovelace");
  });
});

describe("names: playerName (zod)", () => {
  it("outputs the cleaned name", () => {
    assert.deepEqual(playerName.safeParse("  Jose\u0301  Ada ").data, "José Ada");
    assert.equal(commonJoinOptions.parse({ name: " Ada " }).name, "Ada");
    assert.equal(NAME_MAX_LENGTH, NAME_MAX_GRAPHEMES);
    assert.equal(NAME_MAX_GRAPHEMES, 20);
  });

  for (const input of ["\u202E\u0000", "n".repeat(5000), "Ρlayer 2", "", "\u2800"]) {
    it(`refuses ${show(input)} with one custom issue carrying the reason`, () => {
      const expected = checkName(input);
      assert.equal(expected.ok, false);
      const parsed = playerName.safeParse(input);
      assert.equal(parsed.success, false);
      assert.equal(parsed.error!.issues.length, 1);
      assert.equal(parsed.error!.issues[0]!.code, "custom");
      assert.equal(parsed.error!.issues[0]!.message, !expected.ok && expected.reason);
      assert.equal(commonJoinOptions.safeParse({ name: input }).success, false);
    });
  }

  it("refuses a name that is not a string", () => {
    assert.equal(playerName.safeParse(42).success, false);
    assert.equal(playerName.safeParse(null).success, false);
  });
});

/** Pieces for random strings: the awkward characters, and enough ordinary ones to build accepted names. */
const PIECES: readonly string[] = [
  "a", "Z", "é", "ß", "Σ", "ω", "Д", "а", "ا", "ש", "क", "्", "ष", "ก", "李", "あ", "ア", "ー", "한", "ᄀ", "ᅡ", "ㄅ", "2", "-",
  "'", "_", "(", " ", "  ", "\t", "\n", "\r\n", "\u3000", "\u00A0", "\u0301", "\u0308", "\u20E3", "\uFE0F", "\uFE0E",
  "\u{E0100}", "\u200D", "\u200C", "\u200B", "\u202E", "\u2066", "\u061C", "\u2800", "\u3164", "\u00AD", "\uFEFF",
  "\u0000", "\u001B", "\u0085", "\u2028", "\uE000", "\u0378", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\u{1F600}",
  "\u{1F3FD}", "\u{1F469}", "\u{1F4BB}", "\u{1F1E6}", "\u{1F1F9}", "\u{1F3F4}", "\u{E0067}", "\u{E0062}", "\u{E007F}",
  "\u{E0001}", "\u{10400}", "\u{1D400}", "ʻ", "ℂ", "\u{10FFFF}", SCOTLAND, DEV,
];

/** A random string: pieces, random code units (lone surrogates included) and random code points. */
function randomString(rng: Rng): string {
  const parts: string[] = [];
  const n = rng.int(0, rng.int(0, 9) === 0 ? 120 : 25);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(0, 9);
    if (kind < 6) parts.push(pick(rng, PIECES));
    else if (kind < 8) parts.push(String.fromCharCode(rng.int(0, 0xffff)));
    else if (kind < 9) parts.push(String.fromCharCode(rng.int(0xd800, 0xdfff)));
    else parts.push(String.fromCodePoint(rng.int(0, 0x10ffff)));
  }
  return parts.join("");
}

const FORBIDDEN_IN_RESULT =
  /[\p{Cc}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069\u2800\u3164\u115F\u1160\uFFA0\u17B4\u17B5\u180E\u034F\uFEFF\u2060-\u2064\u00AD\u200B]/u;

describe("names: properties over random strings", () => {
  it("checkName never throws, and accepted names are clean fixed points", () => {
    const rng = seededRng(20_240_518);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const raw = randomString(rng);
      let result: ReturnType<typeof checkName>;
      try {
        result = checkName(raw);
        nameKey(raw);
      } catch (error) {
        assert.fail(`threw on ${show(raw)}: ${String(error)}`);
      }
      if (!result.ok) {
        assert.ok(typeof result.reason === "string" && result.reason.length > 0, show(raw));
        continue;
      }
      accepted++;
      const { name } = result;
      assert.deepEqual(checkName(name), { ok: true, name }, `not a fixed point: ${show(raw)}`);
      assert.equal(name, name.normalize("NFC"));
      assert.doesNotMatch(name, FORBIDDEN_IN_RESULT, show(raw));
      assert.doesNotMatch(name, /^\s|\s$|\s\s|[^\S ]/u, show(raw));
      const length = graphemeCount(name);
      assert.ok(length >= 1 && length <= NAME_MAX_GRAPHEMES, `${length} graphemes: ${show(raw)}`);
    }
    assert.ok(accepted > 100, `only ${accepted} random names accepted: the generator no longer reaches the accepting paths`);
  });

  it("the plain-ASCII shortcut answers exactly as the full check", () => {
    const rng = seededRng(20_261_130);
    const ascii = (n: number) => String.fromCharCode(n);
    const inputs: string[] = [];
    // Every ASCII character alone, after a letter, and doubled; every length around the limit.
    for (let c = 0; c < 128; c++) inputs.push(ascii(c), `a${ascii(c)}`, `${ascii(c)}${ascii(c)}`, `Ada${ascii(c)}Lovelace`);
    for (let n = 0; n <= NAME_MAX_GRAPHEMES + 3; n++) inputs.push("x".repeat(n), "x ".repeat(n), " x".repeat(n));
    // Random strings of printable ASCII, spaces and tabs (edge and double spaces included).
    const alphabet = " \t" + Array.from({ length: 94 }, (_, i) => ascii(0x21 + i)).join("");
    for (let i = 0; i < 5000; i++) {
      const length = rng.int(0, NAME_MAX_GRAPHEMES + 4);
      inputs.push(Array.from({ length }, () => alphabet[rng.int(0, alphabet.length - 1)]).join(""));
    }
    let shortcut = 0;
    for (const raw of inputs) {
      const fast = checkName(raw);
      assert.deepEqual(fast, checkThoroughly(raw), show(raw));
      if (fast.ok && fast.name === raw) shortcut++;
    }
    assert.ok(shortcut > 1000, `only ${shortcut} inputs took the shortcut's path`);
  });

  it("refuses a non-string without throwing", () => {
    for (const value of [undefined, null, 42, {}, ["Ada"]]) {
      assert.equal(checkName(value as unknown as string).ok, false);
    }
  });

  it("takes well under a millisecond on inputs of the longest length read (NAME_MAX_INPUT_LENGTH units): no input makes the check blow up", () => {
    const n = NAME_MAX_INPUT_LENGTH;
    const inputs = [
      "a".repeat(n),
      "a" + " ".repeat(n - 2) + "b",
      "e" + "\u0301".repeat(n - 1),
      "\u1100".repeat(n / 2) + "\u1161".repeat(n / 2), // one grapheme of n Hangul letters
      "q\u0301\u0302\u0303".repeat(n / 4),
      DEV.repeat(Math.floor(n / DEV.length)),
      "ℂ".repeat(n),
      "\u{10400}".repeat(n / 2),
      "\uD800".repeat(n),
      "क्ष".repeat(Math.floor(n / 3)),
      "\u{1F469}\u{1F3FB}\u200D\u2764\uFE0F\u200D\u{1F48B}\u200D\u{1F468}\u{1F3FC}".repeat(Math.floor(n / 15)),
      randomString(seededRng(7)).padEnd(n, "ア").slice(0, n),
    ];
    for (const input of inputs) {
      assert.ok(input.length <= NAME_MAX_INPUT_LENGTH);
      for (let i = 0; i < 50; i++) checkName(input); // warm up
      const runs = 200;
      const start = performance.now();
      for (let i = 0; i < runs; i++) checkName(input);
      const perCall = (performance.now() - start) / runs;
      assert.ok(perCall < 1, `${show(input)}: ${perCall.toFixed(3)} ms a call`);
    }
  });
});
