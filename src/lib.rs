//! fondo: a double-entry ledger for a solidarity fundraiser.
//!
//! The library holds all the logic; `src/main.rs` only parses the command line and maps
//! errors to exit codes. The modules follow the data:
//!
//! - [`encode`]: hex and the CSV formula guard, shared by every layer below;
//! - [`domain`]: money, names, transactions and the rules they obey (pure, no I/O);
//! - [`store`]: the SQLite ledger, the only code that speaks SQL;
//! - [`io`]: the CSV file formats fondo reads and writes;
//! - [`report`]: report data as plain structs;
//! - [`render`]: table, CSV and JSON output of those structs;
//! - [`cli`]: the command line, one file per command group.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod encode;
pub mod error;
pub mod files;
pub mod io;
pub mod render;
pub mod report;
pub mod store;

pub use error::{Error, Result};
pub use store::Ledger;
