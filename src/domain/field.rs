//! What a value the treasurer gives is, apart from how one way of giving it spells it.

use std::fmt;

/// A value the treasurer gives: on the command line by its flag (or its place, for an
/// argument), in an import file by its column, to `fondo add` by a word. The domain and the
/// store name a value by its `Field`, never by a flag's spelling: an error shows
/// [`Field::flag`] (`invalid --to ...`), an import the [`Field::column`] of the row, `add`
/// the [`Field::word`] of its question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    flag: &'static str,
    /// The column's name where it is not the flag's word.
    column: Option<&'static str>,
}

impl Field {
    /// A value given by a flag, or by an argument named as written here.
    const fn named(flag: &'static str) -> Field {
        Field { flag, column: None }
    }

    /// A value whose column in a file has another name than its flag.
    const fn in_column(flag: &'static str, column: &'static str) -> Field {
        Field {
            flag,
            column: Some(column),
        }
    }

    /// How the command line spells it: `--to`, or an argument's name (`amount`).
    pub fn flag(self) -> &'static str {
        self.flag
    }

    /// The flag without its dashes, as `fondo add` names its question: `to`.
    pub fn word(self) -> &'static str {
        self.flag.strip_prefix("--").unwrap_or(self.flag)
    }

    /// The column of an import file that holds it.
    pub fn column(self) -> &'static str {
        self.column.unwrap_or(self.word())
    }

    pub const A_ARG: Field = Field::named("A");
    pub const ACCOUNT: Field = Field::named("--account");
    pub const ACCOUNT_ARG: Field = Field::named("account");
    pub const ACCOUNT_NAME: Field = Field::in_column("account name", "account");
    pub const ALLOW_CONFUSABLE: Field = Field::named("--allow-confusable");
    pub const ALLOW_NEGATIVE: Field = Field::named("--allow-negative");
    pub const AMOUNT: Field = Field::named("amount");
    pub const AT: Field = Field::named("--at");
    pub const B_ARG: Field = Field::named("B");
    pub const BALANCE: Field = Field::named("--balance");
    pub const BY: Field = Field::named("--by");
    pub const COMMUNE: Field = Field::named("commune");
    pub const COMMUNE_EDIT: Field = Field::named("commune edit");
    pub const COMMUNE_NAME: Field = Field::named("commune name");
    pub const COUNTERPARTY: Field = Field::named("counterparty");
    pub const COUNTERPARTY_FLAG: Field = Field::named("--counterparty");
    pub const CURRENCY: Field = Field::named("--currency");
    pub const CURRENCY_COLUMN: Field = Field::named("currency");
    pub const DATE: Field = Field::named("--date");
    pub const DATE_COLUMN: Field = Field::named("date");
    pub const DEPTH: Field = Field::named("--depth");
    pub const DESCRIPTION: Field = Field::in_column("--desc", "description");
    pub const DESCRIPTION_COLUMN: Field = Field::named("description");
    pub const DEST: Field = Field::named("DEST");
    pub const DONOR: Field = Field::named("--donor");
    pub const FEE: Field = Field::named("--fee");
    pub const FEE_ACCOUNT: Field = Field::named("--fee-account");
    pub const FROM: Field = Field::named("--from");
    pub const FUND_ARG: Field = Field::named("fund");
    pub const FUND_CODE: Field = Field::named("fund code");
    pub const FUND_EDIT: Field = Field::named("fund edit");
    pub const HEAD: Field = Field::named("--head");
    pub const INTO: Field = Field::in_column("--into", "account");
    pub const MATCH: Field = Field::named("--match");
    pub const MAX_SHARE: Field = Field::named("--max-share");
    pub const MEMO: Field = Field::named("--memo");
    pub const MEMO_COLUMN: Field = Field::named("memo");
    pub const MIN_DONORS: Field = Field::named("--min-donors");
    pub const NAME: Field = Field::named("--name");
    pub const NAME_ARG: Field = Field::named("NAME");
    pub const NEW_ARG: Field = Field::named("NEW");
    pub const NEW_DONOR: Field = Field::named("--new-donor");
    pub const NEW_DONORS: Field = Field::named("--new-donors");
    pub const NOTE: Field = Field::named("--note");
    pub const OLD_ARG: Field = Field::named("OLD");
    pub const PERIOD: Field = Field::named("--period");
    pub const PLEDGE_ID: Field = Field::named("ID");
    pub const ORG: Field = Field::named("--org");
    pub const POSTING: Field = Field::named("--posting");
    pub const POSTING_AMOUNT: Field = Field::in_column("--posting amount", "posting");
    pub const POSTING_AMOUNT_COLUMN: Field = Field::in_column("posting amount", "posting");
    pub const POSTING_CURRENCY: Field = Field::in_column("--posting currency", "posting");
    pub const RATE: Field = Field::named("--rate");
    pub const REASON: Field = Field::named("--reason");
    pub const RECEIVED: Field = Field::named("--received");
    pub const REF: Field = Field::in_column("--ref", "reference");
    pub const REFERENCE: Field = Field::named("reference");
    pub const SLUG: Field = Field::named("--slug");
    pub const STATE: Field = Field::named("--state");
    pub const TARGET: Field = Field::named("--target");
    pub const TARGET_ARG: Field = Field::named("target");
    pub const THROUGH: Field = Field::named("--through");
    pub const TO: Field = Field::named("--to");
    pub const TXN_COLUMN: Field = Field::named("txn");
    pub const VOIDS_COLUMN: Field = Field::named("voids");

    // Donor statements and the organisation block they print.
    pub const YEAR: Field = Field::named("--year");
    pub const TEMPLATE: Field = Field::named("--template");
    pub const OUTPUT: Field = Field::named("--output");
    pub const ADDRESS: Field = Field::named("--address");
    pub const TAX_ID: Field = Field::named("--tax-id");
    pub const NO_GOODS: Field = Field::named("--no-goods");
    // Evidence.
    pub const FILE_ARG: Field = Field::named("FILE");
    // `rate add FROM TO RATE` and the reports' `--value`.
    pub const RATE_FROM: Field = Field::named("FROM");
    pub const RATE_TO: Field = Field::named("TO");
    pub const RATE_ARG: Field = Field::named("RATE");
    pub const CORRECT: Field = Field::named("--correct");
    pub const VALUE: Field = Field::named("--value");
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag)
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn a_column_is_the_flag_without_its_dashes_unless_named() {
        assert_eq!((Field::TO.flag(), Field::TO.column()), ("--to", "to"));
        assert_eq!(Field::AMOUNT.column(), "amount");
        assert_eq!((Field::INTO.word(), Field::INTO.column()), ("into", "account"));
        assert_eq!(Field::DESCRIPTION.to_string(), "--desc");
    }
}
