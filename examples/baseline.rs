//! The floor fondo's import is measured against: a minimal rusqlite program that parses the
//! simple CSV and inserts a transaction and its two postings per row, in one SQL transaction,
//! with no validation, no deduplication, no hash chain and no maintained totals.
//!
//!     cargo run --release --example baseline -- big.csv /tmp/baseline.db

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(csv_path), Some(db_path)) = (args.next(), args.next()) else {
        eprintln!("usage: baseline LEDGER.csv NEW.db");
        std::process::exit(2);
    };
    let mut db = rusqlite::Connection::open(&db_path)?;
    db.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE txn (id INTEGER PRIMARY KEY, date TEXT, description TEXT, counterparty TEXT);
         CREATE TABLE posting (id INTEGER PRIMARY KEY, txn_id INTEGER, account TEXT, fund TEXT, amount_minor INTEGER);",
    )?;
    let tx = db.transaction()?;
    {
        let mut txn = tx.prepare("INSERT INTO txn (date, description, counterparty) VALUES (?1, ?2, ?3)")?;
        let mut posting =
            tx.prepare("INSERT INTO posting (txn_id, account, fund, amount_minor) VALUES (?1, ?2, ?3, ?4)")?;
        let mut reader = csv::Reader::from_path(&csv_path)?;
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record)? {
            let amount: rust_decimal::Decimal = record[4].parse()?;
            let minor = i64::try_from((amount * rust_decimal::Decimal::ONE_HUNDRED).mantissa())?;
            txn.execute((&record[0], &record[1], &record[7]))?;
            let id = tx.last_insert_rowid();
            posting.execute((id, &record[2], &record[6], minor))?;
            posting.execute((id, &record[3], &record[6], -minor))?;
        }
    }
    tx.commit()?;
    Ok(())
}
