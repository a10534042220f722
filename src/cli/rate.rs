//! `fondo rate`: rates between currencies, which `--value CUR` values reports at.

use std::io::Write;

use clap::Subcommand;

use super::Context;
use crate::domain::valuation::parse_rate;
use crate::domain::{Currency, Field};
use crate::error::{Error, Result};
use crate::render;
use crate::store::{read, WriteMode};

#[derive(Debug, Subcommand)]
pub enum RateCommand {
    /// Record that one FROM was worth RATE units of TO on a day (in the chain)
    #[command(after_help = "Example:\n  fondo rate add EUR USD 1.08 --date 2026-03-01\n\n\
        A pair has one rate a day; a second for the same day is refused unless given\n\
        --correct, which replaces it for the reports and keeps the old one on record.\n\
        A report valued in TO uses the rate nearest on or before its date, or the inverse\n\
        of a TO→FROM rate, else the ledger's own latest exchange between the two.")]
    Add {
        /// The currency valued, e.g. EUR
        from: String,
        /// The currency it is valued in, e.g. USD
        to: String,
        /// Units of TO per unit of FROM, a plain decimal kept exactly, e.g. 1.08
        #[arg(allow_negative_numbers = true)]
        rate: String,
        /// The day the rate is for: YYYY-MM-DD, today or yesterday
        #[arg(long, value_name = "DATE")]
        date: String,
        /// Replace the rate already recorded for this pair and day
        #[arg(long)]
        correct: bool,
    },
    /// List every rate entered, by pair and date
    #[command(after_help = "Example:\n  fondo rate list --format csv")]
    List,
}

pub fn rate(ctx: &Context, cmd: RateCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        RateCommand::Add {
            from,
            to,
            rate,
            date,
            correct,
        } => {
            let from = Currency::parse_field(Field::RATE_FROM, &from)?;
            let to = Currency::parse_field(Field::RATE_TO, &to)?;
            let rate = parse_rate(&rate)?;
            let date = ctx.date(Field::DATE, &date)?;
            let mut ledger = ctx.open()?;
            let id = ledger.write(WriteMode::Commit, |w| w.add_rate(from, to, rate, date, correct))?;
            writeln!(out, "rate #{id}: 1 {from} = {rate} {to} on {date}").map_err(Error::Output)?;
        }
        RateCommand::List => {
            let ledger = ctx.open()?;
            render::rates_table(&read::rates(ledger.conn())?)
                .write(ctx.format, out)
                .map_err(Error::Output)?;
        }
    }
    Ok(())
}
