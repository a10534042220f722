//! The sample ledger `fondo demo` builds: the README's worked example of a month's
//! bookkeeping, recorded through the same builders the commands use.

use std::path::Path;

use chrono::NaiveDate;

use crate::domain::builders::{self, Donation, Header, Recipient, Send};
use crate::domain::{Amount, Currency};
use crate::error::{Error, Result};
use crate::store::write::Confirmation;
use crate::store::Ledger;

fn day(d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 3, d).ok_or_else(|| Error::Refused(format!("no such day 2026-03-{d}")))
}

fn on(d: u32) -> Result<Header> {
    Ok(Header {
        date: Some(day(d)?),
        ..Header::default()
    })
}

/// Creates a ledger at `path` (which must not exist) holding the worked example.
pub fn build(path: &Path, actor: &str) -> Result<Ledger> {
    let usd = Currency::parse_field("currency", "USD")?;
    let money = |text: &str| Amount::parse_field("amount", text, usd);
    let el_maizal = Recipient::Commune {
        slug: "el-maizal".into(),
        name: "El Maizal".into(),
    };
    let mut ledger = Ledger::create(path, usd, Some("Communard Solidarity Fund"), actor)?;
    let today = day(31)?;
    ledger.write(false, |w| {
        w.add_commune("El Maizal", "Lara", None)?;
        w.add_fund(
            "tires",
            Some("Tires for the union's transport"),
            Some(money("250")?),
            true,
        )?;
        let donation =
            |amount: &str, fee: Option<&str>, donor: &str, fund: &str, into: &str| -> Result<Donation> {
                Ok(Donation {
                    amount: money(amount)?,
                    fee: fee.map(money).transpose()?,
                    donor: donor.into(),
                    fund: fund.into(),
                    into: into.into(),
                })
            };
        let mut header = on(2)?;
        header.reference = Some("D-1001".into());
        let txns = [
            builders::donation(
                donation("100.00", Some("3.20"), "Ana Pérez", "tires", "assets:processor")?,
                header,
                today,
            )?,
            builders::donation(
                donation("250.00", None, "Bruno Díaz", "general", "assets:bank")?,
                on(3)?,
                today,
            )?,
            builders::donation(
                donation("50.00", None, "Carla Ruiz", "general", "assets:bank")?,
                on(4)?,
                today,
            )?,
        ];
        for txn in &txns {
            w.record(txn, "demo")?;
        }
        w.void(3, "entered twice", on(4)?, today, false)?;
        let rest = [
            builders::transfer(
                money("96.80")?,
                "assets:processor",
                "assets:bank",
                "tires",
                on(5)?,
                today,
            )?,
            builders::send(
                Send {
                    amount: money("200.00")?,
                    fee: Some(money("5.00")?),
                    to: Recipient::Union,
                    fund: "general".into(),
                    from: "assets:bank".into(),
                },
                on(6)?,
                today,
            )?,
            builders::send(
                Send {
                    amount: money("96.80")?,
                    fee: None,
                    to: Recipient::Union,
                    fund: "tires".into(),
                    from: "assets:bank".into(),
                },
                on(6)?,
                today,
            )?,
            builders::allocate(money("150.00")?, el_maizal.clone(), "general", on(12)?, today)?,
            builders::allocate(money("96.80")?, Recipient::Union, "tires", on(12)?, today)?,
        ];
        for txn in &rest {
            w.record(txn, "demo")?;
        }
        let confirmation = Confirmation {
            date: Some(day(20)?),
            reference: Some("EM-2026-014".into()),
            note: None,
        };
        w.confirm(8, &confirmation, today)?;
        Ok(())
    })?;
    Ok(ledger)
}
