//! The ledger's one hash chain. Transactions and *entries* — every change to the state a
//! report or a guard reads besides transactions: settings, accounts, funds, communes,
//! confirmations, reconciliations, import batches, erasures — are links of a single chain,
//! so one head proves all of it.
//!
//! An entry is a JSON body (an [`Entry`]) in the `entries` table. The tables a report reads
//! (`funds`, `communes`, …) are projections of the entries: the only code that writes them
//! is [`append`], which records the entry and then writes the rows it implies (the table
//! triggers refuse any other write), and `verify` replays every entry into memory and
//! reports each row of those tables that differs from the replay. State outside the chain
//! therefore cannot pass `verify`.
//!
//! Personal text: an entry recorded since schema 9 is *sealed*. Who entered it, and the
//! text of its own that may name a person (a confirmation's receipt and note, an import's or
//! a reconciliation's file name, an import's file fingerprint, a forced date's reason) are
//! kept in `entry_texts`, each field with a salt of its own, and its body holds their salted
//! digests instead (under `digests`). Its hash covers the body as stored, so `donor forget`
//! can replace such a text with its placeholder and drop the salt, as it does for a
//! transaction's, without breaking the chain. Entries recorded before hold their text in
//! their body, which their hash covers as it is.
//!
//! Order: entries sit between transactions. An entry's `after_txn` is the last
//! transaction recorded before it, so the chain is transaction 1, the entries after it,
//! transaction 2, …; each link's `prev_hash` is the hash of the link before it of either kind.

mod append;
mod entry;
mod import_keys;
mod replay;
mod rows;
mod seal;
mod stored;
mod tables;

pub(super) use append::adopt;
pub use append::{append, entry_hash, head, Head};
pub(crate) use append::{posting_id, posting_line};
pub use entry::{erased_value, Entry, ErasedEntryText, ErasedFields, ErasedKey, Revision};
pub use import_keys::{key_commitment, ImportKeys};
pub use replay::Replay;
pub use rows::{Change, Lookup, Row, Stamp};
pub use seal::{Digests, EntryText};
pub use stored::{entries, opened_entries, Interleave, Placed, StoredEntry};
pub use tables::{Table, TABLES};
