//! Names the ledger keys things by: account names, fund codes, commune slugs; the free text
//! fields of a transaction; dates; and the "did you mean" suggestion for a mistyped name.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;

use super::field::Field;
use crate::error::{Error, Result};

/// The five kinds of account, named by an account's first segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountType {
    Assets,
    Liabilities,
    Equity,
    Income,
    Expenses,
}

impl AccountType {
    pub const ALL: [AccountType; 5] = [
        AccountType::Assets,
        AccountType::Liabilities,
        AccountType::Equity,
        AccountType::Income,
        AccountType::Expenses,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Assets => "assets",
            AccountType::Liabilities => "liabilities",
            AccountType::Equity => "equity",
            AccountType::Income => "income",
            AccountType::Expenses => "expenses",
        }
    }

    /// The type of a valid account name.
    pub fn of(name: &str) -> Option<AccountType> {
        let first = name.split(':').next()?;
        AccountType::ALL.into_iter().find(|t| t.as_str() == first)
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The prefix under which every recipient (the union and each commune) has its grants account.
pub const GRANTS_PREFIX: &str = "expenses:grants:";
/// Where money sent to the union sits until the union reports passing it on.
pub const UNION_ACCOUNT: &str = "assets:union";
/// The recipient slug for the Communard Union itself (union programmes).
pub const UNION_SLUG: &str = "union";
/// The fund of money with no earmark.
pub const GENERAL_FUND: &str = "general";
/// Where gifts are credited: a transaction posting here is a gift, its counterparty a donor.
pub const DONATIONS: &str = "income:donations";
/// Where `fund move` passes money from one fund to another.
pub const FUND_MOVES: &str = "equity:transfers";
/// Where `exchange` turns one currency into another.
pub const CONVERSION: &str = "equity:conversion";
/// Fees of every kind are accounts under this one.
pub const FEES: &str = "expenses:fees";

/// Fees a card or donation processor keeps.
pub const FEES_PROCESSOR: &str = "expenses:fees:processor";
/// Fees for sending money (wires, transfers abroad).
pub const FEES_WIRE: &str = "expenses:fees:wire";
/// The bank's own charges.
pub const FEES_BANK: &str = "expenses:fees:bank";

/// Accounts every new ledger starts with (SPEC section 2, and the fee kinds of 0.2).
pub const STANDARD_ACCOUNTS: [&str; 14] = [
    "assets:bank",
    "assets:cash",
    "assets:processor",
    UNION_ACCOUNT,
    "income:donations",
    "income:other",
    "expenses:fees",
    FEES_PROCESSOR,
    FEES_WIRE,
    FEES_BANK,
    "expenses:grants:union",
    "equity:opening",
    "equity:transfers",
    "equity:conversion",
];

const MAX_SLUG_LEN: usize = 64;
pub const MAX_TEXT_LEN: usize = 1_000;

/// Checks a slug: lower-case ASCII letters, digits, `-` and `_`, starting with a letter or digit.
pub fn check_slug(text: &str) -> std::result::Result<(), String> {
    let first_ok = text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let rest_ok = text
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if text.is_empty() {
        Err("must not be empty".into())
    } else if text.len() > MAX_SLUG_LEN {
        Err(format!("longer than {MAX_SLUG_LEN} characters"))
    } else if !first_ok || !rest_ok {
        Err("use lower-case letters a-z, digits, `-` and `_`, starting with a letter or digit".into())
    } else {
        Ok(())
    }
}

/// Checks an account name such as `expenses:grants:el-maizal` and returns its type.
pub fn check_account_name(name: &str) -> std::result::Result<AccountType, String> {
    let account_type = AccountType::of(name).ok_or_else(|| {
        "an account name starts with assets, liabilities, equity, income or expenses (e.g. `assets:bank`)"
            .to_string()
    })?;
    if !name.contains(':') {
        return Err(format!("name an account under {name}, e.g. `{name}:main`"));
    }
    for segment in name.split(':') {
        check_slug(segment)
            .map_err(|problem| format!("each part between colons {problem}: `{segment}` is not allowed"))?;
    }
    Ok(account_type)
}

/// Turns a display name into a slug: `Comuna El Maizal (Lara)` → `comuna-el-maizal-lara`.
pub fn slugify(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_ascii_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let trimmed = slug.trim_end_matches('-');
    trimmed[..trimmed.len().min(MAX_SLUG_LEN)]
        .trim_end_matches('-')
        .to_string()
}

/// Whether the commune with this slug and name is the one `wanted` names: its slug, or its
/// name ignoring case, so that `--to` and `fondo add` find the same commune.
pub fn commune_answers_to(slug: &str, name: &str, wanted: &str) -> bool {
    let wanted = wanted.to_lowercase();
    slug == wanted || name.to_lowercase() == wanted
}

/// What kind of text a field holds, which decides what it may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextKind {
    /// A description, reference, memo or note: may hold line breaks and tabs, as a
    /// spreadsheet cell can (output shows them escaped).
    Text,
    /// A donor, a fund's or a commune's name, a state, who entered it: one line.
    Name,
}

/// Checks a free-text field (description, reference, memo, note) and returns it in Unicode
/// NFC, the one form fondo stores, so that the same letters are always the same bytes. It
/// must not be empty, must have a sane length, and must hold no character a reader cannot
/// see: control characters that could redraw a terminal (escape sequences, bells), and
/// invisible format characters (zero-width spaces and joiners, bidi controls, soft hyphens)
/// that would make two texts that look the same differ. Line breaks and tabs are kept.
pub fn check_text(field: Field, text: &str) -> Result<String> {
    check(field, text, TextKind::Text)
}

/// Checks a name — a donor, a fund's or a commune's name, a state, who entered it — as
/// [`check_text`] does, and refuses line breaks and tabs too: a name is one line.
pub fn check_name(field: Field, text: &str) -> Result<String> {
    check(field, text, TextKind::Name)
}

/// [`check_text`] (`name`: [`check_name`]) without a copy of text already in NFC: every
/// field of every row an import reads passes here.
pub fn checked(field: Field, text: &str, name: bool) -> Result<Cow<'_, str>> {
    let kind = if name { TextKind::Name } else { TextKind::Text };
    match problem(text, kind) {
        Some(problem) => Err(Error::invalid(field, text, problem)),
        None => Ok(nfc_form(text)),
    }
}

fn check(field: Field, text: &str, kind: TextKind) -> Result<String> {
    checked(field, text, kind == TextKind::Name).map(Cow::into_owned)
}

/// What [`check_text`] refuses in `text`, if anything.
pub fn text_problem(text: &str) -> Option<String> {
    problem(text, TextKind::Text)
}

/// What [`check_name`] refuses in `text`, if anything.
pub fn name_problem(text: &str) -> Option<String> {
    problem(text, TextKind::Name)
}

fn problem(text: &str, kind: TextKind) -> Option<String> {
    let what = match kind {
        TextKind::Text => "text",
        TextKind::Name => "name",
    };
    let line_break = |c: char| matches!(c, '\n' | '\r' | '\t');
    let refused = text
        .chars()
        .find(|&c| (c.is_control() || is_invisible(c)) && (kind == TextKind::Name || !line_break(c)));
    if text.trim().is_empty() {
        Some("must not be empty".to_string())
    } else if let Some(c) = refused {
        Some(if line_break(c) {
            format!(
                "contains {}; a {what} is one line: type it without line breaks or tabs",
                code_point(c)
            )
        } else if c.is_control() {
            format!(
                "must not contain control characters such as escape sequences: it has {}",
                code_point(c)
            )
        } else {
            format!(
                "contains {}, an invisible character; type the {what} without it",
                code_point(c)
            )
        })
    } else if text.chars().nth(MAX_TEXT_LEN).is_some() {
        Some(format!(
            "longer than {MAX_TEXT_LEN} characters (it has {})",
            text.chars().count()
        ))
    } else if text != text.trim() {
        Some("must not start or end with spaces".to_string())
    } else {
        None
    }
}

/// `text` in Unicode normalization form C (composed: `é` as one character, not `e` and a
/// combining accent), copied once.
pub fn nfc(text: &str) -> String {
    nfc_form(text).into_owned()
}

fn nfc_form(text: &str) -> Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

/// A character that takes no visible space of its own, so that text holding it looks like
/// text without it: Unicode's format characters (general category Cf: zero-width spaces
/// and joiners, the word joiner, bidi embeddings, overrides, isolates and marks, the soft
/// hyphen, the byte order mark, invisible operators, tags), the line and paragraph
/// separators, and the blank letters and marks (Hangul fillers, the combining grapheme
/// joiner, Mongolian variation selectors).
pub fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    // No ASCII character is one (controls are refused on their own): the common case, checked
    // for every character of every text an import reads, skips the table lookup.
    if c.is_ascii() {
        return false;
    }
    matches!(
        c.general_category(),
        GeneralCategory::Format | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
    ) || matches!(
        c,
        '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{180B}'..='\u{180F}' | '\u{3164}' | '\u{FFA0}'
    )
}

/// A character as messages name it: by its code point and Unicode name (`U+200B ZERO WIDTH
/// SPACE`); a visible character without a name here followed by itself in backticks; an
/// invisible one by its code point alone.
pub fn code_point(c: char) -> String {
    match char_name(c) {
        Some(name) => format!("U+{:04X} {name}", c as u32),
        None if unsafe_to_show(c) => format!("U+{:04X}", c as u32),
        None => format!("U+{:04X} `{c}`", c as u32),
    }
}

/// The Unicode names of the invisible and control characters that get pasted by accident.
fn char_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\0' => "NULL",
        '\u{07}' => "BELL",
        '\u{08}' => "BACKSPACE",
        '\t' => "CHARACTER TABULATION",
        '\n' => "LINE FEED",
        '\r' => "CARRIAGE RETURN",
        '\u{1B}' => "ESCAPE",
        '\u{7F}' => "DELETE",
        '\u{85}' => "NEXT LINE",
        '\u{AD}' => "SOFT HYPHEN",
        '\u{34F}' => "COMBINING GRAPHEME JOINER",
        '\u{61C}' => "ARABIC LETTER MARK",
        '\u{115F}' => "HANGUL CHOSEONG FILLER",
        '\u{1160}' => "HANGUL JUNGSEONG FILLER",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)",
        '\u{FFA0}' => "HALFWIDTH HANGUL FILLER",
        _ => return None,
    })
}

/// Shows control characters as escapes (`\n`, `\u{1b}`), so text from the ledger or the
/// command line cannot span lines or redraw the terminal when printed; and invisible
/// characters too (`\u{202e}`, `\u{ad}`), so it cannot reorder or hide what is shown.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(unsafe_to_show) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if unsafe_to_show(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Like [`escape_controls`], keeping line breaks: for messages of several lines.
pub fn escape_controls_by_line(text: &str) -> String {
    text.split('\n')
        .map(escape_controls)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A character a terminal would act on or not show: C0 and C1 controls and DEL, and the
/// invisible characters of [`is_invisible`] (a file named `\u{202e}vsc.exe` shows as
/// `exe.csv`).
fn unsafe_to_show(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// The most bytes any one value fondo reads may have: a field of a CSV file, an argument
/// on the command line, an answer to `fondo add`. Far more than any real value needs; it
/// keeps a pasted blob or a file that is not CSV from being held in memory and echoed.
pub const VALUE_BYTES_MAX: usize = 64 * 1024;

/// How many characters of a long value a message shows.
pub const SHOWN_CHARS: usize = 40;
/// Values up to this many characters are shown whole in messages.
const SHOWN_WHOLE_MAX: usize = 60;

/// A value as a message shows it: control characters escaped, and a long value cut to its
/// first [`SHOWN_CHARS`] characters and `…`, so that one pasted blob cannot flood the
/// terminal (the message says what was wrong with its length).
pub fn shown_value(text: &str) -> String {
    if text.chars().nth(SHOWN_WHOLE_MAX).is_none() {
        return escape_controls(text);
    }
    shown_start(text)
}

/// The first [`SHOWN_CHARS`] characters of a value and `…`, escaped.
pub fn shown_start(text: &str) -> String {
    shown_prefix(text, SHOWN_CHARS)
}

/// The first `chars` characters of a value and `…`, escaped.
pub fn shown_prefix(text: &str, chars: usize) -> String {
    let start: String = text.chars().take(chars).collect();
    format!("{}…", escape_controls(&start))
}

/// Bytes that are not all UTF-8, as a message shows them: escaped as [`escape_controls`]
/// does, each byte that is not part of a character as `\xff`, and a long value cut to the
/// [`SHOWN_CHARS`] characters around its first such byte, so that byte is always shown.
pub fn shown_bytes(bytes: &[u8]) -> String {
    let mut pieces: Vec<String> = Vec::new();
    let mut first_bad = None;
    for chunk in bytes.utf8_chunks() {
        pieces.extend(
            chunk
                .valid()
                .chars()
                .map(|c| escape_controls(c.encode_utf8(&mut [0; 4]))),
        );
        if !chunk.invalid().is_empty() && first_bad.is_none() {
            first_bad = Some(pieces.len());
        }
        pieces.extend(chunk.invalid().iter().map(|b| format!("\\x{b:02x}")));
    }
    if pieces.len() <= SHOWN_WHOLE_MAX {
        return pieces.concat();
    }
    let from = first_bad.unwrap_or(0).saturating_sub(SHOWN_CHARS / 2);
    let to = (from + SHOWN_CHARS).min(pieces.len());
    let before = if from > 0 { "…" } else { "" };
    let after = if to < pieces.len() { "…" } else { "" };
    format!("{before}{}{after}", pieces[from..to].concat())
}

/// Refuses a value longer than [`VALUE_BYTES_MAX`]: its length, the limit and its start.
pub fn check_length(field: Field, text: &str) -> Result<()> {
    match too_long(text) {
        Some(problem) => Err(Error::invalid(field, text, problem)),
        None => Ok(()),
    }
}

/// Why `text` is too long for any value fondo takes, if it is.
pub fn too_long(text: &str) -> Option<String> {
    (text.len() > VALUE_BYTES_MAX).then(|| {
        format!(
            "is {} bytes long; fondo takes at most {VALUE_BYTES_MAX} bytes (64 KiB) in one value",
            text.len()
        )
    })
}

/// Parses an ISO date (`2026-03-01`); `today` and `yesterday` are relative to `today`.
pub fn parse_date(field: Field, text: &str, today: NaiveDate) -> Result<NaiveDate> {
    match text {
        "today" => Ok(today),
        "yesterday" => today
            .pred_opt()
            .ok_or_else(|| Error::invalid(field, text, "out of range")),
        _ => parse_iso_date(text).ok_or_else(|| {
            Error::invalid(
                field,
                text,
                "not a date; write YYYY-MM-DD (e.g. `2026-03-01`), `today` or `yesterday`",
            )
        }),
    }
}

/// Whether `date` is more than a day after `today`: a transaction dated so far ahead is a
/// payment scheduled, not one that happened (a day's grace is for time zones).
pub fn is_ahead(date: NaiveDate, today: NaiveDate) -> bool {
    date > today + chrono::Days::new(1)
}

/// Whether a commune can have confirmed on `confirmed_on` a grant made on `grant_date`: not
/// before the grant was made.
pub fn confirmed_in_time(grant_date: NaiveDate, confirmed_on: NaiveDate) -> bool {
    confirmed_on >= grant_date
}

/// Parses exactly `YYYY-MM-DD`, the only date form files and the ledger use.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    // Digits checked above; from_ymd_opt rejects what is no date, as parsing would, faster
    // than a format string (reports read a date from every row).
    let number = |range: std::ops::Range<usize>| {
        text.get(range)
            .map(|digits| digits.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0')))
    };
    if !shaped {
        return None;
    }
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// The existing name closest to a mistyped one, if any is close enough to be a likely typo.
pub fn closest<'a>(wanted: &str, existing: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let wanted_lower = wanted.to_lowercase();
    existing
        .into_iter()
        .map(|name| (strsim::levenshtein(&wanted_lower, &name.to_lowercase()), name))
        .filter(|(distance, name)| *distance <= (name.len().max(wanted.len()) / 5).max(2))
        .min_by_key(|(distance, name)| (*distance, name.len()))
        .map(|(_, name)| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_not_utf8_are_shown_escaped_around_the_first_bad_one() {
        let long: Vec<u8> = [&[b'a'; 100][..], b"\xe9", &[b'b'; 100][..]].concat();
        let cases: [(&[u8], String); 5] = [
            (b"Caf\xe9", "Caf\\xe9".into()),
            ("Peña \u{1b}[2J".as_bytes(), "Peña \\u{1b}[2J".into()),
            (b"\xc3(\xff", "\\xc3(\\xff".into()),
            (&long, format!("…{}\\xe9{}…", "a".repeat(20), "b".repeat(19))),
            (&long[90..], format!("{}\\xe9{}…", "a".repeat(10), "b".repeat(29))),
        ];
        for (bytes, shown) in cases {
            assert_eq!(shown_bytes(bytes), shown, "{bytes:?}");
        }
    }

    #[test]
    fn an_iso_date_is_exactly_yyyy_mm_dd_and_a_real_day() {
        let cases = [
            ("2026-12-06", Some((2026, 12, 6))),
            ("2024-02-29", Some((2024, 2, 29))),
            ("0001-01-01", Some((1, 1, 1))),
            ("9999-12-31", Some((9999, 12, 31))),
            ("2025-02-29", None),
            ("2026-13-01", None),
            ("2026-00-10", None),
            ("2026-04-31", None),
            ("2026-12-6", None),
            ("2026/12/06", None),
            ("+026-12-06", None),
            ("2026-12-0٦", None),
            (" 2026-12-06", None),
            ("", None),
        ];
        for (text, want) in cases {
            let want = want.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
            assert_eq!(parse_iso_date(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_commune_answers_to_its_slug_or_its_name_in_any_case() {
        let cases = [
            ("el-maizal", true),
            ("EL-MAIZAL", true),
            ("Comuna El Maizal", true),
            ("comuna el maizal", true),
            ("maizal", false),
            ("comuna-el-maizal", false),
        ];
        for (wanted, answers) in cases {
            assert_eq!(
                commune_answers_to("el-maizal", "Comuna El Maizal", wanted),
                answers,
                "{wanted}"
            );
        }
    }

    #[test]
    fn dates_ahead_and_confirmations_in_time() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        assert!(!is_ahead(day(2), day(1)), "a day's grace, for time zones");
        assert!(is_ahead(day(3), day(1)));
        assert!(confirmed_in_time(day(2), day(2)), "the day the grant was made");
        assert!(!confirmed_in_time(day(2), day(1)));
    }

    #[test]
    fn account_names() {
        assert_eq!(check_account_name("assets:bank"), Ok(AccountType::Assets));
        assert_eq!(
            check_account_name("expenses:grants:el-maizal"),
            Ok(AccountType::Expenses)
        );
        let bad = [
            ("bank", "starts with assets"),
            ("assets", "name an account under assets"),
            ("Assets:bank", "starts with assets"),
            ("assets:Bank", "`Bank` is not allowed"),
            ("assets::bank", "must not be empty"),
            ("assets:bank:", "must not be empty"),
            ("assets:my bank", "`my bank` is not allowed"),
            ("assets:-x", "`-x` is not allowed"),
        ];
        for (name, expected) in bad {
            let err = check_account_name(name).unwrap_err();
            assert!(err.contains(expected), "{name}: {err}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Comuna El Maizal"), "comuna-el-maizal");
        assert_eq!(slugify("  Anzoátegui — Ñaña!! "), "anzoategui-nana");
        assert_eq!(slugify("!!!"), "");
        assert!(check_slug("lara-cheese").is_ok());
        assert!(check_slug("Lara").is_err());
        assert!(check_slug("").is_err());
        assert!(check_slug(&"a".repeat(65)).is_err());
    }

    #[test]
    fn text_fields() {
        assert!(check_text(Field::DESCRIPTION, "Donation from Ana").is_ok());
        assert!(check_text(Field::MEMO, "two\nlines\twith a tab").is_ok());
        for bad in [
            "",
            "   ",
            "bell\x07",
            "esc\x1b[2J",
            "nul\0",
            " padded",
            "\nleading break",
        ] {
            assert!(check_text(Field::DESCRIPTION, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn invisible_characters_are_refused_by_name() {
        let cases = [
            (
                "Ana\u{200b} Pérez",
                "contains U+200B ZERO WIDTH SPACE, an invisible character",
            ),
            ("Ana\u{200c}", "U+200C ZERO WIDTH NON-JOINER"),
            ("Ana\u{200d}", "U+200D ZERO WIDTH JOINER"),
            ("Ana\u{2060}", "U+2060 WORD JOINER"),
            (
                "A\u{feff}na",
                "U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)",
            ),
            ("\u{202e}anA", "U+202E RIGHT-TO-LEFT OVERRIDE"),
            ("Ana\u{2067}", "U+2067 RIGHT-TO-LEFT ISOLATE"),
            ("Ana\u{200f}", "U+200F RIGHT-TO-LEFT MARK"),
            ("An\u{ad}a", "U+00AD SOFT HYPHEN"),
            ("An\u{3164}a", "U+3164 HANGUL FILLER"),
            ("Ana\u{2029}b", "U+2029 PARAGRAPH SEPARATOR"),
            // A tag character (Cf) without a name here: the code point alone.
            ("Ana\u{e0041}", "contains U+E0041, an invisible character"),
            (
                "Ana\x1b[2J",
                "control characters such as escape sequences: it has U+001B ESCAPE",
            ),
        ];
        for (text, expected) in cases {
            for check in [check_text, check_name] {
                let err = check(Field::DONOR, text).unwrap_err().to_string();
                assert!(err.contains(expected), "{text:?}: {err}");
                assert!(err.starts_with("invalid --donor `"), "{err}");
            }
        }
        let err = check_name(Field::DONOR, "Ana\u{200b}").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid --donor `Ana\\u{200b}`: contains U+200B ZERO WIDTH SPACE, an invisible character; type the name without it"
        );
        for broken in ["Ana\nPérez", "Ana\tPérez", "Ana\rPérez"] {
            assert!(check_text(Field::MEMO, broken).is_ok());
            let err = check_name(Field::DONOR, broken).unwrap_err().to_string();
            assert!(err.contains("a name is one line"), "{err}");
        }
        // Visible text of any script, emoji and ordinary combining accents stay.
        for fine in [
            "Ñaña 日本 עברית ✓",
            "Zoë 🙂",
            "Ana Pe\u{301}rez",
            "Ana\u{a0}Pérez",
        ] {
            assert!(check_name(Field::DONOR, fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn text_is_returned_composed() {
        assert_eq!(
            check_name(Field::DONOR, "Ana Pe\u{301}rez").unwrap(),
            "Ana P\u{e9}rez"
        );
        assert_eq!(
            check_text(Field::MEMO, "A\u{30a}ngstr\u{f6}m").unwrap(),
            "\u{c5}ngstr\u{f6}m"
        );
        assert_eq!(nfc("already composed"), "already composed");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("a\x1b[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(escape_controls("Anzoátegui"), "Anzoátegui");
        let cases = [
            ("\u{7f}\u{85}\u{9b}", "\\u{7f}\\u{85}\\u{9b}"),
            ("\u{202e}vsc.exe", "\\u{202e}vsc.exe"),
            ("a\u{200b}b\u{200d}c\u{feff}", "a\\u{200b}b\\u{200d}c\\u{feff}"),
            (
                "\u{2066}x\u{2069}\u{61c}\u{2028}",
                "\\u{2066}x\\u{2069}\\u{61c}\\u{2028}",
            ),
            // Visible text in any script, and emoji with their joiner's neighbours, stay.
            ("Ñaña 日本 עברית ✓", "Ñaña 日本 עברית ✓"),
        ];
        for (text, shown) in cases {
            assert_eq!(escape_controls(text), shown, "{text:?}");
        }
        assert_eq!(escape_controls_by_line("a\x1b\nb\r"), "a\\u{1b}\nb\\r");
    }

    #[test]
    fn long_values_are_shown_by_their_start() {
        assert_eq!(shown_value(&"a".repeat(60)), "a".repeat(60));
        assert_eq!(shown_value(&"é".repeat(61)), format!("{}…", "é".repeat(40)));
        assert_eq!(
            shown_value(&format!("\x1b{}", "b".repeat(100))),
            format!("\\u{{1b}}{}…", "b".repeat(39))
        );
    }

    #[test]
    fn dates() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(parse_date(Field::DATE, "today", today).unwrap(), today);
        assert_eq!(
            parse_date(Field::DATE, "yesterday", today).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        assert_eq!(
            parse_date(Field::DATE, "2024-02-29", today).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        for bad in [
            "2023-02-29",
            "2026-1-5",
            "01/03/2026",
            "2026-03-01T00:00",
            "",
            "tomorrow",
        ] {
            let err = parse_date(Field::DATE, bad, today).unwrap_err().to_string();
            assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }

    #[test]
    fn suggestions() {
        let names = ["assets:bank", "assets:cash", "income:donations"];
        assert_eq!(closest("assets:bnak", names), Some("assets:bank".into()));
        assert_eq!(closest("Assets:Bank", names), Some("assets:bank".into()));
        assert_eq!(closest("liabilities:loan", names), None);
        assert_eq!(
            closest("expenses:grants:el-maizal", ["expenses:grants:union"]),
            None
        );
    }
}
