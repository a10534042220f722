//! Exact money: ISO 4217 currencies with their minor units, and amounts held as integer minor
//! units. Text is parsed through `rust_decimal`; nothing here ever touches a float, rounds, or
//! wraps on overflow.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::field::Field;
use crate::error::{Error, Result};

/// The largest amount one posting may carry, in major units (SPEC: 999,999,999,999).
pub const MAX_MAJOR_UNITS: i64 = 999_999_999_999;

/// An ISO 4217 currency that has a defined number of minor units (USD 2, JPY 0, BHD 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Parses an upper-case ISO 4217 code such as `USD` or `VES`.
    pub fn parse(code: &str) -> std::result::Result<Currency, String> {
        // The code parsed last, on this thread: reports, imports and verify parse one code
        // per row read, nearly always the same one, and the table look-up is a long match.
        thread_local!(static LAST: std::cell::Cell<Option<Currency>> = const { std::cell::Cell::new(None) });
        if let Some(last) = LAST.get().filter(|last| last.code() == code) {
            return Ok(last);
        }
        let currency = iso_currency::Currency::from_code(code).ok_or_else(|| {
            if iso_currency::Currency::from_code(&code.to_ascii_uppercase()).is_some() {
                format!(
                    "currency codes are upper case: write `{}`",
                    code.to_ascii_uppercase()
                )
            } else {
                "not an ISO 4217 currency code (e.g. `USD`, `VES`, `EUR`)".to_string()
            }
        })?;
        if currency.exponent().is_none() {
            return Err(format!(
                "{code} ({}) has no minor units, so it cannot be kept as money here",
                currency.name()
            ));
        }
        LAST.set(Some(Currency(currency)));
        Ok(Currency(currency))
    }

    /// Like [`Currency::parse`], with the error naming where the code came from.
    pub fn parse_field(field: Field, code: &str) -> Result<Currency> {
        Currency::parse(code).map_err(|problem| Error::invalid(field, code, problem))
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// How many digits follow the decimal point (2 for USD, 0 for JPY, 3 for BHD).
    pub fn minor_units(self) -> u32 {
        // ok: `parse` only admits currencies whose exponent is defined.
        u32::from(self.0.exponent().unwrap_or(0))
    }

    fn max_minor(self) -> i64 {
        MAX_MAJOR_UNITS * 10_i64.pow(self.minor_units())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Currency {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

/// An exact amount of one currency, as a signed count of minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Amount {
    minor: i64,
    currency: Currency,
}

impl Amount {
    /// An amount of `minor` minor units (cents for USD). Fails outside the SPEC's bound.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Amount> {
        if minor.checked_abs().is_none_or(|m| m > currency.max_minor()) {
            return Err(Error::Overflow {
                what: format!(
                    "{} {currency} (the most one amount may be is {MAX_MAJOR_UNITS} {currency})",
                    format_minor(minor, currency)
                ),
            });
        }
        Ok(Amount { minor, currency })
    }

    /// Zero of a currency.
    pub fn zero(currency: Currency) -> Amount {
        Amount { minor: 0, currency }
    }

    /// Parses a plain decimal (`1250.00`, `-12.5`, `300`) as an amount of `currency`.
    /// More digits after the point than the currency has are refused, never rounded.
    pub fn parse(text: &str, currency: Currency) -> std::result::Result<Amount, String> {
        let decimal = parse_decimal(text)?;
        let scaled = decimal
            .checked_mul(Decimal::from(10_i64.pow(currency.minor_units())))
            .ok_or_else(|| too_large(currency))?;
        if !scaled.fract().is_zero() {
            return Err(match currency.minor_units() {
                0 => format!("{currency} has no minor units; write a whole number"),
                n => format!(
                    "{currency} has {n} decimal place{}; write at most {n} digit{} after the point (fondo never rounds)",
                    plural(n),
                    plural(n)
                ),
            });
        }
        let minor = scaled.to_i64().ok_or_else(|| too_large(currency))?;
        Amount::from_minor(minor, currency).map_err(|_| too_large(currency))
    }

    /// Like [`Amount::parse`], with the error naming where the text came from.
    pub fn parse_field(field: Field, text: &str, currency: Currency) -> Result<Amount> {
        Amount::parse(text, currency).map_err(|problem| Error::invalid(field, text, problem))
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn is_positive(self) -> bool {
        self.minor > 0
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// The amount as an exact decimal with the currency's scale (`1250.00`).
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_units())
    }

    /// The same amount with the opposite sign.
    pub fn negated(self) -> Amount {
        // Cannot overflow: the bound keeps |minor| far below i64::MAX.
        Amount {
            minor: -self.minor,
            currency: self.currency,
        }
    }

    /// The same amount without its sign.
    pub fn abs(self) -> Amount {
        Amount {
            minor: self.minor.abs(),
            currency: self.currency,
        }
    }

    /// Adds two amounts of the same currency; an overflow or a currency mix is an error.
    pub fn checked_add(self, other: Amount) -> Result<Amount> {
        if self.currency != other.currency {
            return Err(Error::Refused(format!(
                "cannot add {} to {}: different currencies",
                other, self
            )));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or_else(|| Error::Overflow {
                what: format!("{self} + {other}"),
            })?;
        Amount::from_minor(minor, self.currency)
    }

    /// Subtracts an amount of the same currency.
    pub fn checked_sub(self, other: Amount) -> Result<Amount> {
        self.checked_add(other.negated())
    }
}

impl fmt::Display for Amount {
    /// `1250.00 USD`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", format_minor(self.minor, self.currency), self.currency)
    }
}

/// An exact running sum of one currency, in minor units. Unlike an [`Amount`] it may pass
/// one amount's bound (a year of donations adds up); it refuses only to overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sum {
    minor: i64,
    currency: Currency,
}

impl Sum {
    /// Nothing yet, in `currency`.
    pub fn zero(currency: Currency) -> Sum {
        Sum { minor: 0, currency }
    }

    /// A sum the store has already added up (an SQL `SUM`), in minor units.
    pub fn from_minor(minor: i64, currency: Currency) -> Sum {
        Sum { minor, currency }
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// The sum as an exact decimal with the currency's scale (`1250.00`).
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_units())
    }

    /// Adds `part` (an [`Amount`] or another sum) of the same currency.
    pub fn add(&mut self, part: impl Into<Sum>) -> Result<()> {
        self.combine(part.into(), "+", i64::checked_add)
    }

    /// Subtracts `part` (an [`Amount`] or another sum) of the same currency.
    pub fn sub(&mut self, part: impl Into<Sum>) -> Result<()> {
        self.combine(part.into(), "-", i64::checked_sub)
    }

    /// This sum plus `part`, as a new sum.
    pub fn plus(mut self, part: impl Into<Sum>) -> Result<Sum> {
        self.add(part)?;
        Ok(self)
    }

    /// This sum less `part`, as a new sum.
    pub fn minus(mut self, part: impl Into<Sum>) -> Result<Sum> {
        self.sub(part)?;
        Ok(self)
    }

    /// The same sum with the opposite sign.
    pub fn negated(self) -> Result<Sum> {
        Sum::zero(self.currency).minus(self)
    }

    fn combine(&mut self, part: Sum, sign: &str, op: fn(i64, i64) -> Option<i64>) -> Result<()> {
        if self.currency != part.currency {
            return Err(Error::Refused(format!(
                "cannot add {part} to {self}: different currencies"
            )));
        }
        self.minor = op(self.minor, part.minor).ok_or_else(|| Error::Overflow {
            what: format!("{self} {sign} {part}"),
        })?;
        Ok(())
    }
}

impl From<Amount> for Sum {
    fn from(amount: Amount) -> Sum {
        Sum::from_minor(amount.minor, amount.currency)
    }
}

impl fmt::Display for Sum {
    /// `1250.00 USD`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", format_minor(self.minor, self.currency), self.currency)
    }
}

/// Sums per currency, as hledger's `MixedAmount`: money of different currencies is added
/// up side by side, never together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals(BTreeMap<Currency, Sum>);

impl Totals {
    pub fn new() -> Totals {
        Totals::default()
    }

    /// Adds `part` to the sum of its currency.
    pub fn add(&mut self, part: impl Into<Sum>) -> Result<()> {
        let part = part.into();
        self.entry(part.currency).add(part)
    }

    /// Subtracts `part` from the sum of its currency.
    pub fn sub(&mut self, part: impl Into<Sum>) -> Result<()> {
        let part = part.into();
        self.entry(part.currency).sub(part)
    }

    /// The sum of `currency`, zero when nothing of it was added.
    pub fn get(&self, currency: Currency) -> Sum {
        self.0.get(&currency).copied().unwrap_or(Sum::zero(currency))
    }

    /// Each currency's sum, in currency order.
    pub fn iter(&self) -> impl Iterator<Item = Sum> + '_ {
        self.0.values().copied()
    }

    fn entry(&mut self, currency: Currency) -> &mut Sum {
        self.0.entry(currency).or_insert(Sum::zero(currency))
    }
}

/// Formats minor units with the currency's decimal places, without the code: `1250.00`.
/// Used for sums, which may exceed one amount's bound.
pub fn format_minor(minor: i64, currency: Currency) -> String {
    Decimal::new(minor, currency.minor_units()).to_string()
}

/// The most digits a number may have. A `Decimal` holds 28 to 29 significant digits and at
/// most 28 after the point; `Decimal::from_str` rounds what does not fit, so fondo refuses
/// it instead. Every digit counts, zeros too, so that the rule is one count a treasurer can
/// check by eye.
pub const DIGITS_MAX: usize = 28;

/// Parses a plain decimal number: an optional `-`, digits, optionally a point and digits.
/// Anything else (thousands separators, exponents, `NaN`) is refused with a hint, and so is
/// a number with more than [`DIGITS_MAX`] digits: it is never rounded. This is the one
/// parser every amount, rate and balance fondo reads goes through.
pub fn parse_decimal(text: &str) -> std::result::Result<Decimal, String> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(whole) || fraction.is_some_and(|f| !digits_only(f)) {
        return Err(if text.contains(',') {
            "use a point for decimals and no thousands separators (e.g. `1250.00`)".to_string()
        } else if text.trim().is_empty() {
            "an amount is required (e.g. `1250.00`)".to_string()
        } else {
            "not a plain decimal number (e.g. `1250.00` or `-12.50`)".to_string()
        });
    }
    let digits = whole.len() + fraction.map_or(0, str::len);
    let too_many = || {
        format!(
            "has {digits} digits; fondo keeps at most {DIGITS_MAX} digits exactly (zeros count too) and never rounds"
        )
    };
    if digits > DIGITS_MAX {
        return Err(too_many());
    }
    // `from_str_exact` errs where `from_str` would round; with at most 28 digits neither
    // happens, so an error here would be a gap in the check above, still refused.
    Decimal::from_str_exact(text).map_err(|_| too_many())
}

/// How a bank or platform writes its numbers: a decimal comma or point, and the character
/// between groups of three digits, if any (`1.234,56`: a comma, and `.` between thousands).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumberStyle {
    pub decimal_comma: bool,
    pub thousands_separator: Option<char>,
}

impl NumberStyle {
    /// fondo's own style: a point before the decimals and no separator.
    pub const PLAIN: NumberStyle = NumberStyle {
        decimal_comma: false,
        thousands_separator: None,
    };

    /// Turns a number as the bank writes it into a plain decimal for [`parse_decimal`]:
    /// `(1.234,56)` → `-1234.56`, `+5` → `5`. A separator is taken only between groups of
    /// three digits before the decimal mark, never first or last, never twice in a row and
    /// never after the mark: `12.5` with a decimal comma is refused, not read as 125.
    pub fn plain(self, text: &str) -> std::result::Result<String, String> {
        let mut body = text.trim();
        let mut negative = false;
        if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
            body = inner.trim();
            negative = true;
        }
        if let Some(rest) = body.strip_prefix('+') {
            body = rest;
        } else if let Some(rest) = body.strip_prefix('-').filter(|_| !negative) {
            body = rest;
            negative = true;
        }
        let sign = if negative { "-" } else { "" };
        if self == NumberStyle::PLAIN {
            // Exactly what fondo reads everywhere, with the same messages.
            return Ok(format!("{sign}{body}"));
        }
        let mark = if self.decimal_comma { ',' } else { '.' };
        let (whole, fraction) = match body.split_once(mark) {
            Some((w, f)) => (w, Some(f)),
            None => (body, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let whole: String = match self.thousands_separator {
            Some(separator) if whole.contains(separator) => {
                let mut groups = whole.split(separator);
                let first = groups.next().unwrap_or_default();
                let grouped =
                    digits(first) && first.len() <= 3 && groups.clone().all(|g| g.len() == 3 && digits(g));
                if !grouped {
                    return Err(self.hint());
                }
                whole.split(separator).collect()
            }
            _ => whole.to_string(),
        };
        if !digits(&whole) || fraction.is_some_and(|f| !digits(f)) {
            return Err(self.hint());
        }
        Ok(match fraction {
            Some(f) => format!("{sign}{whole}.{f}"),
            None => format!("{sign}{whole}"),
        })
    }

    /// What a number in this style looks like, for errors.
    fn hint(self) -> String {
        let (mark, plain) = if self.decimal_comma {
            (',', "1234,56")
        } else {
            ('.', "1234.56")
        };
        match self.thousands_separator {
            Some(separator) => format!(
                "not a number as the mapping describes them: decimals after `{mark}`, and `{separator}` only between groups of three digits (e.g. `1{separator}234{}` or `{plain}`)",
                &plain[4..]
            ),
            None => format!(
                "not a number as the mapping describes them: decimals after `{mark}` and no thousands separator (e.g. `{plain}`)"
            ),
        }
    }
}

fn too_large(currency: Currency) -> String {
    format!("too large: the most one amount may be is {MAX_MAJOR_UNITS} {currency}")
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn parses_to_minor_units_per_currency() {
        let cases = [
            ("1250.00", "USD", 125_000),
            ("1250", "USD", 125_000),
            ("-12.5", "USD", -1_250),
            ("0.01", "USD", 1),
            ("12.340", "USD", 1_234),
            ("300", "JPY", 300),
            ("1.234", "BHD", 1_234),
            ("36.10", "VES", 3_610),
            ("999999999999", "USD", 99_999_999_999_900),
            // 28 digits, the most a number may have.
            ("1.990000000000000000000000000", "USD", 199),
            ("-0000000000000000000000000012", "JPY", -12),
        ];
        for (text, code, minor) in cases {
            let amount = Amount::parse(text, Currency::parse(code).unwrap()).unwrap();
            assert_eq!(amount.minor(), minor, "{text} {code}");
        }
    }

    #[test]
    fn refuses_bad_amounts_with_a_reason() {
        let cases = [
            ("12.345", "USD", "2 decimal places"),
            ("12.5", "JPY", "whole number"),
            ("1.2345", "BHD", "3 decimal places"),
            ("1,250.00", "USD", "no thousands separators"),
            ("1250,00", "USD", "use a point"),
            ("1e3", "USD", "plain decimal"),
            ("NaN", "USD", "plain decimal"),
            ("", "USD", "required"),
            (".5", "USD", "plain decimal"),
            ("5.", "USD", "plain decimal"),
            ("+5", "USD", "plain decimal"),
            ("--5", "USD", "plain decimal"),
            (" 5", "USD", "plain decimal"),
            ("1000000000000", "USD", "too large"),
            ("999999999999.01", "USD", "too large"),
            (
                "99999999999999999999999999999999",
                "USD",
                "has 32 digits; fondo keeps at most 28",
            ),
            // Rounded to 2.00 by `Decimal::from_str` before fondo refused it.
            ("1.99999999999999999999999999999", "USD", "never rounds"),
            ("1.000000000000000000000000000000", "USD", "has 31 digits"),
            ("0.0000000000000000000000000001", "USD", "has 29 digits"),
        ];
        for (text, code, expected) in cases {
            let err = Amount::parse(text, Currency::parse(code).unwrap()).unwrap_err();
            assert!(err.contains(expected), "{text} {code}: {err}");
        }
    }

    #[test]
    fn decimals_keep_every_digit_or_are_refused() {
        let most = "9999999999999999999999999999";
        assert_eq!(parse_decimal(most).unwrap().to_string(), most);
        let small = "0.000000000000000000000000001";
        assert_eq!(parse_decimal(small).unwrap().to_string(), small);
        for text in [
            "99999999999999999999999999999",
            "1.99999999999999999999999999999",
            "36.49999999999999999999999999999",
            "1.000000000000000000000000000000",
            "-0.00000000000000000000000000001",
        ] {
            assert!(
                parse_decimal(text).unwrap_err().contains("never rounds"),
                "{text}"
            );
        }
    }

    #[test]
    fn statement_numbers_take_separators_only_between_groups_of_three() {
        let comma = NumberStyle {
            decimal_comma: true,
            thousands_separator: Some('.'),
        };
        let point = NumberStyle {
            decimal_comma: false,
            thousands_separator: Some(','),
        };
        let space = NumberStyle {
            decimal_comma: true,
            thousands_separator: Some(' '),
        };
        let bare_comma = NumberStyle {
            decimal_comma: true,
            thousands_separator: None,
        };
        let good = [
            (comma, "1.234,56", "1234.56"),
            (comma, "12.345.678,00", "12345678.00"),
            (comma, "1234,56", "1234.56"),
            (comma, "1.234,5", "1234.5"),
            (comma, "123", "123"),
            (comma, " (1.234,56) ", "-1234.56"),
            (comma, "-1.234", "-1234"),
            (comma, "+0,5", "0.5"),
            (point, "1,234.56", "1234.56"),
            (point, "999,999,999,999.99", "999999999999.99"),
            (space, "1 234 567,89", "1234567.89"),
            (bare_comma, "1234,56", "1234.56"),
            (NumberStyle::PLAIN, "(12.50)", "-12.50"),
        ];
        for (style, text, plain) in good {
            assert_eq!(style.plain(text).as_deref(), Ok(plain), "{text}");
        }
        let bad = [
            (comma, "12.5"),
            (comma, "1.2.3.4,00"),
            (comma, "1,2,3.00"),
            (comma, ".123,00"),
            (comma, "1..234,00"),
            (comma, "1.234.,00"),
            (comma, "1.234."),
            (comma, "1234.567,00"),
            (comma, "1.234,567.8"),
            (comma, "1.234,"),
            (comma, ",5"),
            (comma, "(-5)"),
            (comma, "+-5"),
            (comma, "1.234,-5"),
            (comma, "١٢٣"),
            (point, "12,5"),
            (point, "1.234,56"),
            (point, ",123.00"),
            (point, "1,234,"),
            (space, "1  234,00"),
            (bare_comma, "1.234,56"),
            (bare_comma, "1,2,3"),
        ];
        for (style, text) in bad {
            let problem = style.plain(text).unwrap_err();
            assert!(
                problem.contains("not a number as the mapping describes them"),
                "{text}: {problem}"
            );
        }
        assert!(comma
            .plain("12.5")
            .unwrap_err()
            .contains("`.` only between groups of three digits (e.g. `1.234,56` or `1234,56`)"));
        assert!(bare_comma
            .plain("1.5")
            .unwrap_err()
            .contains("decimals after `,` and no thousands separator (e.g. `1234,56`)"));
    }

    #[test]
    fn currencies_need_iso_codes_with_minor_units() {
        assert_eq!(Currency::parse("BHD").unwrap().minor_units(), 3);
        assert_eq!(Currency::parse("JPY").unwrap().minor_units(), 0);
        assert!(Currency::parse("usd").unwrap_err().contains("write `USD`"));
        assert!(Currency::parse("XYZ").unwrap_err().contains("ISO 4217"));
        assert!(Currency::parse("XAU").unwrap_err().contains("no minor units"));
    }

    #[test]
    fn displays_with_the_currency_scale() {
        let usd = usd();
        assert_eq!(
            Amount::from_minor(125_000, usd).unwrap().to_string(),
            "1250.00 USD"
        );
        assert_eq!(Amount::from_minor(-5, usd).unwrap().to_string(), "-0.05 USD");
        assert_eq!(format_minor(0, usd), "0.00");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Amount::from_minor(300, jpy).unwrap().to_string(), "300 JPY");
    }

    #[test]
    fn arithmetic_is_checked() {
        let usd = usd();
        let max = Amount::from_minor(usd.max_minor(), usd).unwrap();
        let cent = Amount::from_minor(1, usd).unwrap();
        assert!(matches!(max.checked_add(cent), Err(Error::Overflow { .. })));
        assert!(Amount::from_minor(i64::MIN, usd).is_err());
        let vef = Amount::from_minor(1, Currency::parse("VES").unwrap()).unwrap();
        assert!(matches!(cent.checked_add(vef), Err(Error::Refused(_))));
        assert_eq!(cent.checked_sub(cent).unwrap(), Amount::zero(usd));
    }

    #[test]
    fn sums_refuse_to_overflow_and_to_mix_currencies() {
        let usd = usd();
        let mut sum = Sum::from_minor(i64::MAX - 1, usd);
        sum.add(Amount::from_minor(1, usd).unwrap()).unwrap();
        assert_eq!(sum.minor(), i64::MAX);
        assert!(matches!(
            sum.add(Sum::from_minor(1, usd)),
            Err(Error::Overflow { .. })
        ));
        assert_eq!(sum.minor(), i64::MAX, "a refused sum is left as it was");
        assert!(matches!(
            Sum::from_minor(i64::MIN, usd).negated(),
            Err(Error::Overflow { .. })
        ));
        let ves = Currency::parse("VES").unwrap();
        assert!(matches!(
            Sum::zero(usd).add(Sum::zero(ves)),
            Err(Error::Refused(_))
        ));
        let err = Sum::from_minor(i64::MIN, usd)
            .minus(Sum::from_minor(1, usd))
            .unwrap_err();
        assert!(
            err.to_string().contains("-92233720368547758.08 USD - 0.01 USD"),
            "{err}"
        );
    }

    #[test]
    fn sums_subtract() {
        let usd = usd();
        let mut sum = Sum::from_minor(500, usd);
        sum.sub(Amount::from_minor(800, usd).unwrap()).unwrap();
        assert_eq!(sum, Sum::from_minor(-300, usd));
        assert!(sum.is_negative());
        assert_eq!(sum.negated().unwrap().to_string(), "3.00 USD");
        assert!(sum.minus(sum).unwrap().is_zero());
    }

    #[test]
    fn totals_keep_currencies_apart_in_currency_order() {
        let usd = usd();
        let ves = Currency::parse("VES").unwrap();
        let mut totals = Totals::new();
        totals.add(Amount::from_minor(100, usd).unwrap()).unwrap();
        totals.add(Amount::from_minor(7, ves).unwrap()).unwrap();
        totals.sub(Amount::from_minor(30, usd).unwrap()).unwrap();
        assert_eq!(totals.get(usd), Sum::from_minor(70, usd));
        assert_eq!(totals.get(Currency::parse("EUR").unwrap()).minor(), 0);
        let shown: Vec<String> = totals.iter().map(|s| s.to_string()).collect();
        assert_eq!(shown, ["0.70 USD", "0.07 VES"]);
        totals.add(Sum::from_minor(i64::MAX, ves)).unwrap_err();
        assert_eq!(totals.get(ves).minor(), 7);
    }
}
