//! The tamper-evident chain: each record's SHA-256 covers its canonical content and the hash
//! of the record before it, so changing, removing or reordering anything recorded breaks the
//! chain from that point on.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Builds the canonical content of one record. Each field is written as `<length>:<value>`
/// (a missing one as `-`), so no two different records can encode to the same bytes.
#[derive(Default)]
pub struct Canonical(Vec<u8>);

impl Canonical {
    pub fn text(mut self, value: &str) -> Self {
        self.0.extend_from_slice(value.len().to_string().as_bytes());
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

    pub fn int(self, value: i64) -> Self {
        self.text(&value.to_string())
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
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(&self.0);
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The fields of a transaction that its hash covers, as stored.
pub struct TxnContent<'a> {
    pub id: i64,
    pub date: &'a str,
    pub description: &'a str,
    pub counterparty: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub memo: Option<&'a str>,
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

/// The hash of a transaction with its postings, chained to `prev_hash`.
pub fn transaction_hash<'a>(
    prev_hash: &str,
    txn: &TxnContent<'_>,
    postings: impl IntoIterator<Item = PostingContent<'a>>,
) -> String {
    let mut canonical = Canonical::default()
        .text("transaction")
        .int(txn.id)
        .text(txn.date)
        .text(txn.description)
        .optional(txn.counterparty)
        .optional(txn.reference)
        .optional(txn.memo)
        .optional_int(txn.voids)
        .text(txn.entered_at)
        .text(txn.entered_by)
        .text(txn.source);
    for p in postings {
        canonical = canonical
            .text("posting")
            .int(p.line)
            .text(p.account)
            .text(p.fund)
            .text(p.currency)
            .int(p.amount_minor);
    }
    canonical.chained_hash(prev_hash)
}

/// The identity of an imported transaction without a reference: SHA-256 of what it says
/// (date, text, postings), not of how or when it was entered.
pub fn content_key(txn: &crate::domain::NewTransaction) -> [u8; 32] {
    let mut canonical = Canonical::default()
        .text("content")
        .text(&txn.date.format("%Y-%m-%d").to_string())
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

/// The fields of a confirmation that its hash covers. It includes the confirmed
/// transaction's hash, so the confirmation cannot be moved to another grant.
pub struct ConfirmationContent<'a> {
    pub id: i64,
    pub txn_id: i64,
    pub txn_hash: &'a str,
    pub date: &'a str,
    pub reference: Option<&'a str>,
    pub note: Option<&'a str>,
    pub entered_at: &'a str,
    pub entered_by: &'a str,
}

pub fn confirmation_hash(prev_hash: &str, c: &ConfirmationContent<'_>) -> String {
    Canonical::default()
        .text("confirmation")
        .int(c.id)
        .int(c.txn_id)
        .text(c.txn_hash)
        .text(c.date)
        .optional(c.reference)
        .optional(c.note)
        .text(c.entered_at)
        .text(c.entered_by)
        .chained_hash(prev_hash)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn hash_depends_on_the_previous_hash() {
        let c = Canonical::default().text("x");
        assert_ne!(c.chained_hash(GENESIS), c.chained_hash(&"1".repeat(64)));
        assert_eq!(c.chained_hash(GENESIS).len(), 64);
    }
}
