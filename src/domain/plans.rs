//! Budgets and pledges as the treasurer writes their periods: a year (`2026`) or a month
//! (`2026-03`). Pure parsing and calendar arithmetic; no I/O.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::Field;
use crate::error::{Error, Result};

/// One calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    /// 1 to 12.
    month: u32,
}

impl Month {
    /// Parses `YYYY-MM`; anything else is an error naming `field`.
    pub fn parse(field: Field, text: &str) -> Result<Month> {
        parse_month(text).ok_or_else(|| {
            Error::invalid(
                field,
                text,
                "is not a month; write YYYY-MM with a month from 01 to 12, e.g. 2026-03",
            )
        })
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        // Every parsed month has a first day.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                month: self.month + 1,
                ..self
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

fn parse_month(text: &str) -> Option<Month> {
    let (year, month) = text.split_once('-')?;
    let year = parse_year(year)?;
    if month.len() != 2 || !month.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month: u32 = month.parse().ok()?;
    (1..=12).contains(&month).then_some(Month { year, month })
}

fn parse_year(text: &str) -> Option<i32> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|y| *y >= 1900)
}

/// What a budget covers: a whole year or one month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(i32),
    Month(Month),
}

impl Period {
    /// Parses `YYYY` or `YYYY-MM`; anything else is an error naming `field`.
    pub fn parse(field: Field, text: &str) -> Result<Period> {
        parse_year(text)
            .map(Period::Year)
            .or_else(|| parse_month(text).map(Period::Month))
            .ok_or_else(|| {
                Error::invalid(
                    field,
                    text,
                    "is not a year or a month; write YYYY (e.g. 2026) or YYYY-MM with a month from 01 to 12 (e.g. 2026-03)",
                )
            })
    }

    pub fn first_day(self) -> NaiveDate {
        match self {
            Period::Year(year) => Month { year, month: 1 }.first_day(),
            Period::Month(m) => m.first_day(),
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::Year(year) => Month { year, month: 12 }.last_day(),
            Period::Month(m) => m.last_day(),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(year) => write!(f, "{year:04}"),
            Period::Month(m) => m.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_parse_as_years_or_months_and_nothing_else() {
        let p = |t: &str| Period::parse(Field::FROM, t).ok();
        assert_eq!(p("2026"), Some(Period::Year(2026)));
        assert_eq!(p("2026-03").map(|p| p.to_string()), Some("2026-03".to_string()));
        for bad in [
            "2026-13",
            "2026-00",
            "2026-3",
            "26",
            "2026-03-01",
            "",
            "abcd",
            "2026/03",
            "+202",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
        let err = Period::parse(Field::FROM, "2026-13").unwrap_err().to_string();
        assert!(err.contains("`2026-13`") && err.contains("YYYY-MM"), "{err}");
    }

    #[test]
    fn periods_span_their_days() {
        let feb = Period::parse(Field::FROM, "2028-02").unwrap();
        assert_eq!(
            (feb.first_day(), feb.last_day()),
            (day("2028-02-01"), day("2028-02-29"))
        );
        let year = Period::Year(2026);
        assert_eq!(
            (year.first_day(), year.last_day()),
            (day("2026-01-01"), day("2026-12-31"))
        );
        let dec = Month::parse(Field::FROM, "2026-12").unwrap();
        assert_eq!(dec.next().to_string(), "2027-01");
        assert_eq!(Month::of(day("2026-07-15")).to_string(), "2026-07");
    }
}
