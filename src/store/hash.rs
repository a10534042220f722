//! The tamper-evident chain: each record's SHA-256 covers its canonical content and the hash
//! of the record before it, so changing, removing or reordering anything recorded breaks the
//! chain from that point on.

use sha2::{Digest, Sha256};

/// A date as the ledger stores it and its records hash it: `YYYY-MM-DD`, never another form.
pub fn date_text(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    // Written digit by digit: chrono's formatter parses its pattern on every call, and an
    // import formats several dates a row. Years outside four digits keep chrono's form.
    let Ok(year @ 0..=9999) = u32::try_from(date.year()) else {
        return date.format("%Y-%m-%d").to_string();
    };
    let digit = |value: u32| char::from(b'0' + (value % 10) as u8);
    let (month, day) = (date.month(), date.day());
    [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        '-',
        digit(month / 10),
        digit(month),
        '-',
        digit(day / 10),
        digit(day),
    ]
    .into_iter()
    .collect()
}

/// Every digest the chain records is written as lower-case hex.
pub use crate::encode::{hex, unhex};

/// The `prev_hash` of the first record of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Builds the canonical content of one record. Each field is written as `<length>:<value>`
/// (a missing one as `-`), so no two different records can encode to the same bytes.
pub struct Canonical(Vec<u8>);

impl Default for Canonical {
    /// Room for a transaction with its postings without growing: every row of an import
    /// is encoded two or three times.
    fn default() -> Self {
        Canonical(Vec::with_capacity(512))
    }
}

/// Appends `value` in decimal without a formatting call: hashing writes a length for every
/// field and several integers for every transaction.
fn push_decimal(out: &mut Vec<u8>, value: u64) {
    let (digits, at) = decimal(value);
    out.extend_from_slice(&digits[at..]);
}

/// `value` in decimal: the digits end the array, from the index returned.
fn decimal(value: u64) -> ([u8; 20], usize) {
    let mut digits = [0_u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    (digits, at)
}

impl Canonical {
    /// An empty record with room for `bytes` bytes: hashing a million records, growing each
    /// buffer step by step costs more than the hashing.
    pub fn with_capacity(bytes: usize) -> Self {
        Canonical(Vec::with_capacity(bytes))
    }

    pub fn text(mut self, value: &str) -> Self {
        push_decimal(&mut self.0, value.len() as u64);
        self.0.push(b':');
        self.0.extend_from_slice(value.as_bytes());
        self
    }

    pub fn optional(self, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.text(v),
            None => self.missing(),
        }
    }

    /// An integer, as the text of its decimal digits.
    pub fn int(mut self, value: i64) -> Self {
        let (digits, at) = decimal(value.unsigned_abs());
        let sign: &[u8] = if value < 0 { b"-" } else { b"" };
        push_decimal(&mut self.0, (sign.len() + digits.len() - at) as u64);
        self.0.push(b':');
        self.0.extend_from_slice(sign);
        self.0.extend_from_slice(&digits[at..]);
        self
    }

    pub fn optional_int(self, value: Option<i64>) -> Self {
        match value {
            Some(v) => self.int(v),
            None => self.missing(),
        }
    }

    fn missing(mut self) -> Self {
        self.0.push(b'-');
        self
    }

    /// The record's hash, chained to the previous one: hex SHA-256 of `prev_hash ‖ content`.
    pub fn chained_hash(&self, prev_hash: &str) -> String {
        hex(&self.chained_digest(prev_hash))
    }

    /// The bytes of [`Canonical::chained_hash`] before they are written as hex.
    fn chained_digest(&self, prev_hash: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(&self.0);
        hasher.finalize().into()
    }

    /// The canonical bytes themselves.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// How a transaction's personal text — description, counterparty, memo and, since fondo 0.3,
/// reference, who entered it and where it came from — enters its hash.
#[derive(Clone, Copy)]
pub enum PrivateText<'a> {
    /// Recorded before donor erasure existed: the hash covers the text itself.
    Plain,
    /// The hash covers salted digests of the text (see [`private_digest`]), so the text
    /// can later be erased and the salt with it, leaving the chain whole. The salts' length
    /// says which [`TextForm`] the transaction was recorded in.
    Salted(&'a [u8]),
    /// The text was erased: the digests kept from before, one per field of its form (three
    /// or six, in [`PRIVATE_FIELDS`] order).
    Erased(&'a [Option<&'a str>]),
    /// Salted, but some fields were revised since (store::revise): the digest recorded for
    /// each of those stands in for its text's.
    Revised(&'a [u8], &'a [Option<String>; 6]),
}

/// Which of a transaction's fields its hash covers through salted digests, and with what
/// salts. Every transaction keeps the form it was recorded in: its hash never changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextForm {
    /// Schema 4 and 5: description, counterparty and memo, under one shared salt; the
    /// reference, who entered it and its source as plain text.
    Shared,
    /// Schema 6 and 7: the same three fields, each with a salt of its own.
    ThreeFields,
    /// Schema 8 on: all six [`PRIVATE_FIELDS`], each with a salt of its own, so that the
    /// reference, who entered it and its source (an import's file name) can be erased too.
    SixFields,
}

impl TextForm {
    /// The form of a transaction recorded with these salts; `None` for a length fondo never
    /// writes (the hash then fails to match).
    pub fn of_salts(salts: &[u8]) -> Option<TextForm> {
        match salts.len() / FIELD_SALT_LEN {
            _ if salts.len() % FIELD_SALT_LEN != 0 => None,
            1 => Some(TextForm::Shared),
            3 => Some(TextForm::ThreeFields),
            6 => Some(TextForm::SixFields),
            _ => None,
        }
    }

    /// The form of an erased transaction, from how many digests its erasure kept.
    pub fn of_digests(count: usize) -> TextForm {
        if count == PRIVATE_FIELDS.len() {
            TextForm::SixFields
        } else {
            TextForm::ThreeFields
        }
    }

    /// The fields covered by salted digests in this form.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            TextForm::Shared | TextForm::ThreeFields => &PRIVATE_FIELDS[..3],
            TextForm::SixFields => &PRIVATE_FIELDS,
        }
    }
}

/// `N` random bytes from the operating system: a salt, a token.
pub fn random<const N: usize>() -> crate::error::Result<[u8; N]> {
    let mut bytes = [0_u8; N];
    getrandom::fill(&mut bytes).map_err(|e| {
        crate::error::Error::io("get random bytes from", "the operating system")(std::io::Error::other(
            e.to_string(),
        ))
    })?;
    Ok(bytes)
}

/// Random bytes from the operating system fetched a page at a time: a write that salts every
/// transaction and import key would otherwise make a system call for each.
#[derive(Default)]
pub struct RandomPool(Vec<u8>);

/// How many random bytes [`RandomPool`] fetches at once.
const RANDOM_POOL_LEN: usize = 4096;

impl RandomPool {
    /// `N` random bytes, none of them handed out before.
    pub fn take<const N: usize>(&mut self) -> crate::error::Result<[u8; N]> {
        if N > RANDOM_POOL_LEN {
            return random::<N>();
        }
        if self.0.len() < N {
            self.0 = random::<RANDOM_POOL_LEN>()?.to_vec();
        }
        let mut bytes = [0_u8; N];
        let rest = self.0.len() - N;
        bytes.copy_from_slice(&self.0[rest..]);
        self.0.truncate(rest);
        Ok(bytes)
    }
}

/// The length of one field's salt.
pub const FIELD_SALT_LEN: usize = 16;

/// Field `i`'s salt within a transaction's salts: its own where each field has one, else the
/// one shared salt. A field with a salt of its own can keep it through an erasure of
/// another field, so its text stays provable.
pub fn field_salt(salts: &[u8], i: usize) -> &[u8] {
    let own = matches!(
        TextForm::of_salts(salts),
        Some(TextForm::ThreeFields | TextForm::SixFields)
    );
    salts
        .get(i * FIELD_SALT_LEN..(i + 1) * FIELD_SALT_LEN)
        .filter(|_| own)
        .unwrap_or(salts)
}

/// The digest that stands in a hash for one field of personal text: hex SHA-256 of the
/// field's random salt, the field's name and its text. Without the salt, which erasure
/// deletes, no one can test a guessed name against it.
pub fn private_digest(salt: &[u8], field: &str, value: Option<&str>) -> Option<String> {
    value.map(|v| hex(&private_sha256(salt, field, v)))
}

/// The bytes of a [`private_digest`] before they are written as hex.
fn private_sha256(salt: &[u8], field: &str, value: &str) -> [u8; 32] {
    // Room for both texts and their lengths: one allocation, never grown.
    let canonical = Canonical::with_capacity(field.len() + value.len() + 42)
        .text(field)
        .text(value);
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(&canonical.0);
    hasher.finalize().into()
}

/// The personal-text fields of a transaction, in the order its salts and digests follow.
/// Transactions recorded before schema 9 cover only the first three this way.
pub const PRIVATE_FIELDS: [&str; 6] = [
    "description",
    "counterparty",
    "memo",
    "reference",
    "entered_by",
    "source",
];

/// The fields of a transaction that its hash covers, as stored.
pub struct TxnContent<'a> {
    pub id: i64,
    pub date: &'a str,
    pub description: &'a str,
    pub counterparty: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub memo: Option<&'a str>,
    pub private: PrivateText<'a>,
    pub voids: Option<i64>,
    pub entered_at: &'a str,
    pub entered_by: &'a str,
    pub source: &'a str,
}

/// One posting as its transaction's hash covers it: names, not row ids.
pub struct PostingContent<'a> {
    pub line: i64,
    pub account: &'a str,
    pub fund: &'a str,
    pub currency: &'a str,
    pub amount_minor: i64,
}

impl TxnContent<'_> {
    /// Its six private fields, in [`PRIVATE_FIELDS`] order.
    pub fn private_texts(&self) -> [Option<&str>; 6] {
        [
            Some(self.description),
            self.counterparty,
            self.memo,
            self.reference,
            Some(self.entered_by),
            Some(self.source),
        ]
    }
}

/// The hash of a transaction with its postings, chained to `prev_hash`.
pub fn transaction_hash<'a>(
    prev_hash: &str,
    txn: &TxnContent<'_>,
    postings: impl IntoIterator<Item = PostingContent<'a>>,
) -> String {
    hex(&transaction_digest(prev_hash, txn, postings))
}

/// The digest of a private field as a transaction's hash covers it: computed from its text
/// here (as hex, without allocating), or as recorded by a revision or an erasure.
enum FieldDigest<'a> {
    Computed([u8; 64]),
    Recorded(&'a str),
}

impl FieldDigest<'_> {
    fn as_str(&self) -> &str {
        match self {
            // Hex digits are ASCII: never the empty fallback.
            FieldDigest::Computed(hex) => std::str::from_utf8(hex).unwrap_or_default(),
            FieldDigest::Recorded(text) => text,
        }
    }
}

/// The bytes of [`transaction_hash`] before they are written as hex.
pub fn transaction_digest<'a>(
    prev_hash: &str,
    txn: &TxnContent<'_>,
    postings: impl IntoIterator<Item = PostingContent<'a>>,
) -> [u8; 32] {
    let texts = txn.private_texts();
    let (form, digests): (Option<TextForm>, [Option<FieldDigest<'_>>; 6]) = match txn.private {
        PrivateText::Plain => (None, Default::default()),
        PrivateText::Salted(salts) | PrivateText::Revised(salts, _) => {
            let form = TextForm::of_salts(salts).unwrap_or(TextForm::Shared);
            let fields = form.fields();
            let revised = match txn.private {
                PrivateText::Revised(_, revised) => Some(revised),
                _ => None,
            };
            let digests = std::array::from_fn(|i| {
                let field = fields.get(i)?;
                match revised.and_then(|r| r[i].as_deref()) {
                    Some(digest) => Some(FieldDigest::Recorded(digest)),
                    None => texts[i].map(|text| {
                        FieldDigest::Computed(crate::encode::hex_digest(&private_sha256(
                            field_salt(salts, i),
                            field,
                            text,
                        )))
                    }),
                }
            });
            (Some(form), digests)
        }
        PrivateText::Erased(kept) => (
            Some(TextForm::of_digests(kept.len())),
            std::array::from_fn(|i| kept.get(i).copied().flatten().map(FieldDigest::Recorded)),
        ),
    };
    let digest = |i: usize| digests[i].as_ref().map(FieldDigest::as_str);
    // Room for a transaction with a few postings: one allocation, rarely grown.
    let canonical = Canonical::with_capacity(1024)
        .text("transaction")
        .int(txn.id)
        .text(txn.date);
    let mut canonical = match form {
        None => canonical
            .text(txn.description)
            .optional(txn.counterparty)
            .optional(txn.reference)
            .optional(txn.memo)
            .optional_int(txn.voids)
            .text(txn.entered_at)
            .text(txn.entered_by)
            .text(txn.source),
        Some(TextForm::Shared | TextForm::ThreeFields) => canonical
            .text("private digests")
            .optional(digest(0))
            .optional(digest(1))
            .optional(txn.reference)
            .optional(digest(2))
            .optional_int(txn.voids)
            .text(txn.entered_at)
            .text(txn.entered_by)
            .text(txn.source),
        Some(TextForm::SixFields) => (0..6)
            .fold(canonical.text("private digests 2"), |c, i| c.optional(digest(i)))
            .optional_int(txn.voids)
            .text(txn.entered_at),
    };
    for p in postings {
        canonical = canonical
            .text("posting")
            .int(p.line)
            .text(p.account)
            .text(p.fund)
            .text(p.currency)
            .int(p.amount_minor);
    }
    canonical.chained_digest(prev_hash)
}

/// The identity of an imported transaction without a reference: SHA-256 of what it says
/// (date, text, postings), not of how or when it was entered.
pub fn content_key(txn: &crate::domain::NewTransaction) -> [u8; 32] {
    let mut canonical = Canonical::default()
        .text("content")
        .text(&date_text(txn.date))
        .text(&txn.description)
        .optional(txn.counterparty.as_deref())
        .optional(txn.memo.as_deref())
        .optional_int(txn.voids);
    for p in &txn.postings {
        canonical = canonical
            .text(&p.account)
            .text(&p.fund)
            .text(p.amount.currency().code())
            .int(p.amount.minor());
    }
    Sha256::digest(&canonical.0).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_pool_never_hands_out_the_same_bytes_twice() {
        let mut pool = RandomPool::default();
        let mut seen = std::collections::HashSet::new();
        // Past a refill of the pool, and larger than the pool itself.
        for _ in 0..RANDOM_POOL_LEN / 16 * 3 {
            assert!(seen.insert(pool.take::<16>().expect("random bytes")));
        }
        assert!(seen.insert(
            pool.take::<96>().expect("random bytes")[..16]
                .try_into()
                .expect("16 bytes")
        ));
        assert_ne!(pool.take::<8192>().expect("random bytes"), [0_u8; 8192]);
    }

    #[test]
    fn date_text_is_chronos_iso_form() {
        for (y, m, d) in [
            (2026, 12, 6),
            (1, 1, 1),
            (999, 10, 31),
            (9999, 12, 31),
            (0, 2, 29),
            (10000, 1, 1),
            (-1, 3, 9),
        ] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date");
            assert_eq!(date_text(date), date.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let a = Canonical::default().text("ab").text("c").chained_hash(GENESIS);
        let b = Canonical::default().text("a").text("bc").chained_hash(GENESIS);
        let none = Canonical::default().optional(None).chained_hash(GENESIS);
        let empty = Canonical::default().optional(Some("")).chained_hash(GENESIS);
        assert_ne!(a, b);
        assert_ne!(none, empty);
    }

    #[test]
    fn integers_are_written_in_decimal() {
        for value in [0, 7, -7, 42, 1_000_000, i64::MAX, i64::MIN] {
            let direct = Canonical::default().int(value).chained_hash(GENESIS);
            let via_text = Canonical::default()
                .text(&value.to_string())
                .chained_hash(GENESIS);
            assert_eq!(direct, via_text, "{value}");
        }
    }

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(
            Canonical::default().chained_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "SHA-256 of nothing"
        );
    }

    #[test]
    fn hash_depends_on_the_previous_hash() {
        let c = Canonical::default().text("x");
        assert_ne!(c.chained_hash(GENESIS), c.chained_hash(&"1".repeat(64)));
        assert_eq!(c.chained_hash(GENESIS).len(), 64);
    }
}
