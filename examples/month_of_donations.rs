//! Records a month of donations through the library, then prints the trial balance: what a
//! program that feeds fondo from another system (a donation form, say) would do.
//!
//!     cargo run --example month_of_donations [LEDGER]

use chrono::NaiveDate;
use fondo::domain::builders::{self, Donation, Header};
use fondo::domain::{Amount, Currency};
use fondo::render::{balance_table, Format};
use fondo::report::balance::{balance, BalanceOptions};
use fondo::store::WriteMode;
use fondo::Ledger;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = match std::env::args_os().nth(1) {
        Some(path) => path.into(),
        None => dir.path().join("month.db"),
    };
    let usd = Currency::parse("USD")?;
    let mut ledger = Ledger::create(&path, usd, Some("Example fund"), "example")?;
    let gifts = [
        (1, "Ana Pérez", "25.00", "general"),
        (3, "Bruno Díaz", "100.00", "tires"),
        (9, "Carla Ruiz", "40.00", "general"),
        (15, "Ana Pérez", "25.00", "general"),
        (28, "Dee Flores", "250.00", "tires"),
    ];
    // Every gift in one write: all of them are recorded, or none.
    ledger.write(WriteMode::Commit, |w| {
        w.add_fund(
            "tires",
            Some("Tires for the union's transport"),
            Some(Amount::parse_field(fondo::domain::Field::TARGET_ARG, "250", usd)?),
            fondo::store::write::Restriction::Restricted,
        )?;
        for (day, donor, amount, fund) in gifts {
            let date = NaiveDate::from_ymd_opt(2026, 3, day)
                .ok_or_else(|| fondo::Error::Refused("no such day".into()))?;
            let gift = Donation {
                amount: Amount::parse_field(fondo::domain::Field::AMOUNT, amount, usd)?,
                fee: None,
                donor: donor.into(),
                fund: fund.into(),
                into: "assets:bank".into(),
                fee_to: Default::default(),
            };
            let txn = builders::donation(
                gift,
                Header {
                    date: Some(date),
                    ..Header::default()
                },
                date,
            )?;
            let id = w.record(&txn, "example")?;
            println!("recorded #{id}: {amount} from {donor} to {fund}");
        }
        Ok(())
    })?;
    let report = balance(&ledger, &BalanceOptions::default())?;
    balance_table(&report, false).write(Format::Table, &mut std::io::stdout())?;
    Ok(())
}
