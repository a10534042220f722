//! fondo's integration tests: the real binary against temporary ledgers, the store through
//! the library, tampering with the file directly, and property tests of the invariants.

mod add;
mod audit;
mod campaign;
mod chain;
mod common;
mod disclosure;
mod erasure;
mod error_cases;
mod errors;
mod export;
mod flows;
mod fuzz;
mod import;
mod input;
mod migration;
mod names;
mod outputs;
mod plans;
mod privacy;
mod properties;
mod public_page;
mod readme;
mod reconcile;
mod reliability;
mod rename;
mod reports;
mod store;
mod tamper;
mod terminal;
mod transparency;
mod workflow;
