//! Micro-benchmarks of the hot paths of an import: parsing an amount, reading and checking a
//! simple row, hashing one transaction, and recording a batch.
//!
//!     cargo bench --bench hot_paths

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fondo::domain::builders::{self, Donation, Header};
use fondo::domain::{Amount, Currency};
use fondo::io::simple::SimpleReader;
use fondo::io::Records;
use fondo::store::hash::{transaction_hash, PostingContent, PrivateText, TxnContent, GENESIS};
use fondo::store::WriteMode;
use fondo::Ledger;

fn usd() -> Currency {
    Currency::parse("USD").expect("USD")
}

fn amount_parsing(c: &mut Criterion) {
    let usd = usd();
    c.bench_function("parse amount 1234.56 USD", |b| {
        b.iter(|| Amount::parse(black_box("1234.56"), usd))
    });
}

fn row_validation(c: &mut Criterion) {
    let mut csv = String::from("date,description,debit,credit,amount,currency,fund,counterparty,reference\n");
    for i in 0..1_000 {
        csv.push_str(&format!(
            "2026-03-{:02},Card donation,assets:processor,income:donations,{}.50,,tires,Donor {i},\n",
            1 + i % 28,
            10 + i % 90
        ));
    }
    let mut group = c.benchmark_group("read and check simple rows");
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("1000 rows", |b| {
        b.iter(|| {
            let mut records = Records::new(csv.as_bytes(), b',', std::path::Path::new("bench.csv"));
            let _header = records.next_record();
            let mut reader = SimpleReader::new(records, usd());
            let mut ok = 0;
            while let Ok(Some(row)) = reader.next_txn() {
                ok += usize::from(row.is_ok());
            }
            assert_eq!(ok, 1_000);
        })
    });
    group.finish();
}

fn transaction_hashing(c: &mut Criterion) {
    let content = TxnContent {
        id: 123_456,
        date: "2026-03-02",
        description: "Card donation from Ana Pérez",
        counterparty: Some("Ana Pérez"),
        reference: Some("ch-1001"),
        memo: None,
        private: PrivateText::Salted(&[7; 16]),
        voids: None,
        entered_at: "2026-11-27T05:00:00Z",
        entered_by: "treasurer",
        source: "import:ledger.csv:123457",
    };
    let postings = || {
        [
            PostingContent {
                line: 1,
                account: "assets:processor",
                fund: "tires",
                currency: "USD",
                amount_minor: 9_680,
            },
            PostingContent {
                line: 2,
                account: "expenses:fees",
                fund: "tires",
                currency: "USD",
                amount_minor: 320,
            },
            PostingContent {
                line: 3,
                account: "income:donations",
                fund: "tires",
                currency: "USD",
                amount_minor: -10_000,
            },
        ]
    };
    c.bench_function("hash one transaction", |b| {
        b.iter(|| transaction_hash(black_box(GENESIS), black_box(&content), postings()))
    });
}

fn batch_insert(c: &mut Criterion) {
    let usd = usd();
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    let gifts: Vec<_> = (0..1_000)
        .map(|i| {
            let d = Donation {
                amount: Amount::from_minor(1_000 + i, usd).expect("amount"),
                fee: Some(Amount::from_minor(30, usd).expect("fee")),
                donor: format!("Donor {i}"),
                fund: "general".into(),
                into: "assets:processor".into(),
                fee_to: Default::default(),
            };
            builders::donation(d, Header::default(), day).expect("donation")
        })
        .collect();
    let mut group = c.benchmark_group("record transactions");
    group.throughput(Throughput::Elements(gifts.len() as u64));
    group.bench_function("1000 donations in one write (in memory)", |b| {
        b.iter(|| {
            let mut ledger = Ledger::create_in_memory(usd, "bench").expect("ledger");
            ledger
                .write(WriteMode::Commit, |w| {
                    for txn in &gifts {
                        w.record(txn, "bench")?;
                    }
                    Ok(())
                })
                .expect("recorded");
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    amount_parsing,
    row_validation,
    transaction_hashing,
    batch_insert
);
criterion_main!(benches);
