//! Valuing money in one currency: a rate between two currencies, where it came from, and the
//! exact arithmetic. An amount is multiplied (or divided) in `rust_decimal`, values are summed
//! unrounded, and only the figure shown is rounded, once, half-even to the currency's minor
//! units. No I/O here: the store finds the rate, a report applies it.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::field::Field;
use super::money::{parse_decimal, Currency, Sum};
use crate::error::{Error, Result};

/// Where a rate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateSource {
    /// A rate entered with `fondo rate add`, by its number.
    Entered(i64),
    /// The ledger's own exchange, transaction `#N`.
    Exchange(i64),
}

impl std::fmt::Display for RateSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RateSource::Entered(id) => write!(f, "rate #{id}"),
            RateSource::Exchange(txn) => write!(f, "exchange #{txn}"),
        }
    }
}

/// How many units of `to` one unit of `from` is worth, as an exact fraction: an entered rate
/// is `rate / 1`, the inverse of one is `1 / rate`, an exchange is `received / given`. An
/// amount is valued as `amount × numerator ÷ denominator`, so that an inverse rate divides
/// the amount itself (7300.00 ÷ 36.50 = 200 exactly) instead of multiplying by a rounded 1/36.50.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateUsed {
    pub from: Currency,
    pub to: Currency,
    pub date: NaiveDate,
    pub source: RateSource,
    pub numerator: Decimal,
    pub denominator: Decimal,
}

impl RateUsed {
    /// `sum` in `to`, unrounded (exact for a product; 28 significant digits for a quotient).
    pub fn value(&self, sum: Sum) -> Result<Decimal> {
        let overflow = || Error::Overflow {
            what: format!("{sum} × {}", self.text()),
        };
        sum.to_decimal()
            .checked_mul(self.numerator)
            .and_then(|p| p.checked_div(self.denominator))
            .ok_or_else(overflow)
    }

    /// The rate as written: `1.08`, `1/36.50`, or an exchange's `received/given`.
    pub fn text(&self) -> String {
        if self.denominator == Decimal::ONE {
            self.numerator.to_string()
        } else {
            format!("{}/{}", self.numerator, self.denominator)
        }
    }
}

/// A rate as given to `fondo rate add`: a plain decimal greater than zero, kept exactly.
pub fn parse_rate(text: &str) -> Result<Decimal> {
    let rate = parse_decimal(text).map_err(|problem| Error::invalid(Field::RATE_ARG, text, problem))?;
    if rate <= Decimal::ZERO {
        return Err(Error::invalid(
            Field::RATE_ARG,
            text,
            "must be greater than zero (units of TO per unit of FROM, e.g. `1.08`)",
        ));
    }
    Ok(rate)
}

/// A value as shown: rounded once, half-even (banker's rounding), to `currency`'s minor units.
pub fn shown(value: Decimal, currency: Currency) -> Decimal {
    value.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::MidpointNearestEven)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn rate(numerator: &str, denominator: &str, from: &str) -> RateUsed {
        RateUsed {
            from: Currency::parse(from).unwrap(),
            to: usd(),
            date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            source: RateSource::Entered(1),
            numerator: numerator.parse().unwrap(),
            denominator: denominator.parse().unwrap(),
        }
    }

    #[test]
    fn an_inverse_rate_divides_the_amount_exactly() {
        let ves = Currency::parse("VES").unwrap();
        let valued = rate("1", "36.50", "VES")
            .value(Sum::from_minor(730_000, ves))
            .unwrap();
        assert_eq!(valued, Decimal::new(200, 0));
        assert_eq!(rate("1", "36.50", "VES").text(), "1/36.50");
    }

    #[test]
    fn values_are_summed_before_they_are_rounded() {
        let eur = Currency::parse("EUR").unwrap();
        let r = rate("1.08", "1", "EUR");
        // 0.05 EUR × 1.08 = 0.054 USD, three times: 0.162, shown 0.16; each rounded, 0.15.
        let each: Vec<Decimal> = (0..3)
            .map(|_| r.value(Sum::from_minor(5, eur)).unwrap())
            .collect();
        let summed: Decimal = each.iter().sum();
        assert_eq!(shown(summed, usd()), Decimal::new(16, 2));
        let rounded_each: Decimal = each.iter().map(|v| shown(*v, usd())).sum();
        assert_eq!(rounded_each, Decimal::new(15, 2));
    }

    #[test]
    fn a_half_cent_rounds_to_even() {
        assert_eq!(shown(Decimal::new(1245, 3), usd()), Decimal::new(124, 2));
        assert_eq!(shown(Decimal::new(1255, 3), usd()), Decimal::new(126, 2));
    }

    #[test]
    fn a_rate_must_be_a_positive_plain_decimal() {
        assert_eq!(parse_rate("1.08").unwrap(), Decimal::new(108, 2));
        for bad in ["0", "-1.08", "1,08", "abc", "0.000"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }
}
