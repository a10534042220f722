//! The statement format: a bank's or donation platform's own CSV export, read through a
//! mapping file (TOML) that says which columns hold what, how numbers and dates are written,
//! and rules that assign each line its counter-account, fund and counterparty.
//! `reconcile` reads statements through the same mapping.
//!
//! - `mapping`: the mapping file and its checks;
//! - `reader`: a statement read line by line through a mapping;
//! - `rules`: a line as a transaction, by the mapping's rules (for `import`);
//! - `reconcile`: a whole statement at once (for `reconcile`).

mod mapping;
mod reader;
mod reconcile;
mod rules;

pub use mapping::{Column, Direction, Mapping, Rule, Target};
pub use reader::{StatementLine, StatementReader};
pub use reconcile::{read, Statement};
