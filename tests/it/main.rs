//! fondo's integration tests: the real binary against temporary ledgers, the store through
//! the library, tampering with the file directly, and property tests of the invariants.

mod add;
mod audit;
mod common;
mod errors;
mod export;
mod fuzz;
mod import;
mod input;
mod privacy;
mod properties;
mod readme;
mod reconcile;
mod reliability;
mod reports;
mod store;
mod tamper;
mod terminal;
mod transparency;
mod workflow;
