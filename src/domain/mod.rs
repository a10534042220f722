//! Pure types and rules: money, names, transactions and how each command builds one.
//! No I/O and no SQL here.

pub mod builders;
pub mod erasure;
pub mod evidence;
pub mod field;
pub mod identity;
pub mod money;
pub mod names;
pub mod payout;
pub mod plans;
pub mod privacy;
pub mod template;
pub mod transaction;
pub mod valuation;

pub use field::Field;
pub use money::{Amount, Currency, Sum, Totals};
pub use transaction::{NewPosting, NewTransaction};
