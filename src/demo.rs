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
    Ok((ledger, outcome))
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
