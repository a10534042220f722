//! The sample ledger `fondo demo` builds: `ledger.sample.csv` (embedded in the binary)
//! imported into a new ledger, after the funds' targets and the communes' states that the
//! simple format has no place for, and followed by the communes' confirmations of the
//! older allocations.

use std::path::Path;

use chrono::{Days, NaiveDate};

use crate::domain::Field;
use crate::domain::{Amount, Currency};
use crate::error::{Error, Result};
use crate::io::import::{self, ImportOptions, ImportOutcome};
use crate::store::write::Confirmation;
use crate::store::WriteMode;
use crate::store::{read, Ledger};

/// The sample ledger in the simple format.
pub const SAMPLE_CSV: &str = include_str!("../ledger.sample.csv");

/// The campaign's projects: fund code, name, target in USD.
pub const FUNDS: [(&str, &str, &str); 6] = [
    ("tires", "Tires for the union's transport", "250"),
    (
        "truck-part",
        "Truck part for the recycling plant serving three communes in Anzoátegui",
        "275",
    ),
    ("lara-cheese", "Goat-cheese tools in Lara", "500"),
    ("macadamia", "Macadamia drying and packing machine", "1000"),
    (
        "training-course",
        "7-day training course for 50 communards",
        "3000",
    ),
    ("brigada-argelia-laya", "Brigada Argelia Laya", "5000"),
];

/// The communes the sample's grants reach: slug, name, state.
pub const COMMUNES: [(&str, &str, &str); 7] = [
    ("el-maizal", "Comuna El Maizal", "Lara"),
    ("ataroa", "Comuna Ataroa", "Lara"),
    ("renacer-del-neveri", "Comuna Renacer del Neverí", "Anzoátegui"),
    ("rio-caroni", "Comuna Río Caroní", "Bolívar"),
    ("autana", "Comuna Autana", "Amazonas"),
    ("sierra-nevada", "Comuna Sierra Nevada", "Mérida"),
    ("monte-carmelo", "Comuna Monte Carmelo", "Trujillo"),
];

/// Allocations dated before this are confirmed by their commune, 20 days later.
const CONFIRMED_BEFORE: &str = "2026-07-01";

/// Creates a ledger at `path` (which must not exist) holding the sample.
pub fn build(path: &Path, actor: &str) -> Result<(Ledger, ImportOutcome)> {
    let usd = Currency::parse_field(Field::CURRENCY_COLUMN, "USD")?;
    let mut ledger = Ledger::create(path, usd, Some("Communard Solidarity Fund (sample)"), actor)?;
    ledger.write(WriteMode::Commit, |w| {
        for (code, name, target) in FUNDS {
            w.add_fund(
                code,
                Some(name),
                Some(Amount::parse_field(Field::TARGET_ARG, target, usd)?),
                crate::store::write::Restriction::Restricted,
            )?;
        }
        for (slug, name, state) in COMMUNES {
            w.add_commune(name, state, Some(slug))?;
        }
        Ok(())
    })?;
    let dir = tempfile::tempdir().map_err(Error::io("create a directory in", &std::env::temp_dir()))?;
    let csv = dir.path().join("ledger.sample.csv");
    std::fs::write(&csv, SAMPLE_CSV).map_err(Error::io("write", &csv))?;
    let outcome = import::import(&mut ledger, &csv, &ImportOptions::default())?;
    confirm_older_allocations(&mut ledger)?;
    record_plans(&mut ledger, usd)?;
    Ok((ledger, outcome))
}

/// The sample's twelve monthly donors' pledges: donor, amount a month, first month. Each
/// gives at least 10.00 every month; two pledged 20.00 from 2026, which they do not always
/// give.
pub const PLEDGES: [(&str, &str, &str); 12] = [
    ("Ana Pérez", "10", "2025-01"),
    ("Felipe Rojas", "10", "2025-01"),
    ("Karla Navarro", "10", "2025-01"),
    ("Bruno Díaz", "10", "2025-01"),
    ("Gabriela Vargas", "10", "2025-01"),
    ("Luis Romero", "20", "2026-01"),
    ("Carla Ruiz", "20", "2026-01"),
    ("Hugo Herrera", "10", "2025-01"),
    ("Diego Moreno", "10", "2025-01"),
    ("Inés Medina", "10", "2025-01"),
    ("Elena Castillo", "10", "2025-01"),
    ("Javier Aguilar", "10", "2025-01"),
];

/// The sample's budgets: fund, period, amount.
pub const BUDGETS: [(&str, &str, &str); 3] = [
    ("general", "2026", "6000"),
    ("lara-cheese", "2026", "400"),
    ("lara-cheese", "2026-03", "50"),
];

/// Records the sample's pledges and budgets.
fn record_plans(ledger: &mut Ledger, usd: Currency) -> Result<()> {
    use crate::domain::plans::{Month, Period};
    ledger.write(WriteMode::Commit, |w| {
        for (donor, amount, from) in PLEDGES {
            w.add_pledge(&crate::store::write::NewPledge {
                donor: donor.to_string(),
                amount: Amount::parse_field(Field::AMOUNT, amount, usd)?,
                fund: None,
                from: Month::parse(Field::FROM, from)?,
                to: None,
            })?;
        }
        for (fund, period, amount) in BUDGETS {
            let period = Period::parse(Field::PERIOD, period)?;
            w.set_budget(fund, period, Amount::parse_field(Field::AMOUNT, amount, usd)?)?;
        }
        Ok(())
    })
}

fn confirm_older_allocations(ledger: &mut Ledger) -> Result<()> {
    let cutoff = crate::domain::names::parse_iso_date(CONFIRMED_BEFORE)
        .ok_or_else(|| Error::Internal(format!("the demo's cutoff {CONFIRMED_BEFORE} is not a date")))?;
    let grants: Vec<(i64, NaiveDate)> = read::commune_grants(ledger.conn())?
        .into_iter()
        .filter(|(_, date)| *date < cutoff)
        .collect();
    ledger.write(WriteMode::Commit, |w| {
        for (id, date) in grants {
            let confirmation = Confirmation {
                date: date.checked_add_days(Days::new(20)),
                reference: Some(format!("REC-{id:04}")),
                note: None,
            };
            w.confirm(id, &confirmation, date)?;
        }
        Ok(())
    })
}
