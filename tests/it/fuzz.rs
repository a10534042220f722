//! Fuzzing with proptest: arbitrary and mutated input for the CSV readers (the committed
//! fixtures are the corpus), the mapping-file parser, and the amount, currency and date
//! parsers. Nothing may panic; every failure is an error. More cases with FONDO_FUZZ_CASES.

use std::path::{Path, PathBuf};

use fondo::domain::names::{parse_date, parse_iso_date};
use fondo::domain::{Amount, Currency};
use fondo::io::import::{import, ImportOptions, InputFormat};
use fondo::io::statement::Mapping;
use fondo::Ledger;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("FONDO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// Every file under tests/fixtures/import: the corpus the mutations start from.
fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let mut files = Vec::new();
    for dir in ["bad", "good", "statement"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    files
}

/// Imports `bytes` as a file into a new in-memory ledger, in each format; only a panic fails.
fn import_bytes(bytes: &[u8], mapping: Option<&Path>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.csv");
    std::fs::write(&file, bytes).unwrap();
    let formats: &[Option<InputFormat>] = match mapping {
        Some(_) => &[Some(InputFormat::Statement)],
        None => &[None, Some(InputFormat::Simple), Some(InputFormat::Journal)],
    };
    for format in formats {
        let mut ledger = Ledger::create_in_memory(Currency::parse("USD").unwrap(), "fuzz").unwrap();
        let options = ImportOptions {
            format: *format,
            mapping: mapping.map(Path::to_path_buf),
            create_missing: true,
            ..ImportOptions::default()
        };
        let _ = import(&mut ledger, &file, &options);
    }
}

/// Flips, inserts or deletes bytes at random places.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, kind, value) in edits {
        if bytes.is_empty() {
            bytes.push(value);
            continue;
        }
        let at = at % bytes.len();
        match kind % 3 {
            0 => bytes[at] ^= value.max(1),
            1 => bytes.insert(at, value),
            _ => {
                bytes.remove(at);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_readers(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        import_bytes(&bytes, None);
    }

    #[test]
    fn csv_shaped_noise_never_panics_the_readers(rows in prop::collection::vec("[a-z0-9:.,\"\\-\r\n ]{0,40}", 0..20), journal in any::<bool>()) {
        let header = if journal {
            "txn,date,description,account,fund,debit,credit,currency,counterparty,reference,memo,voids,entered_at,entered_by,hash\n"
        } else {
            "date,description,debit,credit,amount,currency,fund,counterparty,reference\n"
        };
        import_bytes(format!("{header}{}", rows.join("\n")).as_bytes(), None);
    }

    #[test]
    fn mutated_fixtures_never_panic(pick in any::<prop::sample::Index>(), edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8)) {
        let files = corpus();
        let file = pick.get(&files);
        let bytes = mutate(std::fs::read(file).unwrap(), &edits);
        let mapping = file.with_extension("toml");
        if file.extension().is_some_and(|e| e == "csv") && mapping.exists() {
            import_bytes(&bytes, Some(&mapping));
        } else if file.extension().is_some_and(|e| e == "toml") {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("mapping.toml");
            std::fs::write(&path, &bytes).unwrap();
            if Mapping::load(&path).is_ok() {
                import_bytes(&std::fs::read(file.with_extension("csv")).unwrap(), Some(&path));
            }
        } else {
            import_bytes(&bytes, None);
        }
    }

    #[test]
    fn arbitrary_mapping_files_never_panic(text in "(account|date_column|amount_column|delimiter|skip_rows|decimal_comma|rules|fallback|contains|= |\"|\\[|\\]|[a-z0-9 ,.%/\\n]){0,60}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mapping.toml");
        std::fs::write(&path, text).unwrap();
        let _ = Mapping::load(&path);
    }

    #[test]
    fn amounts_parse_exactly_or_not_at_all(text in "\\PC{0,24}", code in "[A-Z]{3}") {
        if let Ok(currency) = Currency::parse(&code) {
            if let Ok(amount) = Amount::parse(&text, currency) {
                // What parses prints back as the same number.
                let printed = amount.to_decimal();
                prop_assert_eq!(Amount::parse(&printed.to_string(), currency).unwrap(), amount);
            }
        }
    }

    #[test]
    fn dates_parse_or_say_no(text in "\\PC{0,16}") {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let _ = parse_iso_date(&text);
        let _ = parse_date(fondo::domain::Field::DATE, &text, today);
    }
}
