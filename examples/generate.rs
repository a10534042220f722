//! Writes a deterministic, realistic fundraiser ledger of N rows in fondo's simple CSV format,
//! for benchmarks: donations (some earmarked, some through the processor with its fee),
//! daily processor payouts, sends to the union with wire fees, and the union's allocations to
//! communes. It never overdraws a restricted fund or the union.
//!
//!     cargo run --release --example generate -- 1000000 > big.csv
//!     fondo init --db big.db && fondo import big.csv --db big.db --create-missing

use std::collections::HashMap;
use std::io::{BufWriter, Write};

use chrono::{Days, NaiveDate};

const FUNDS: [&str; 6] = [
    "",
    "tires",
    "truck-part",
    "lara-cheese",
    "macadamia",
    "training-course",
];
const COMMUNES: usize = 40;
const ROWS_PER_DAY: u64 = 120;

/// A small deterministic generator (SplitMix64), so every run writes the same file.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Books<W: Write> {
    out: W,
    rows: u64,
    date: NaiveDate,
    balances: HashMap<(&'static str, &'static str), i64>,
}

impl<W: Write> Books<W> {
    fn row(
        &mut self,
        description: &str,
        debit: &str,
        credit: &str,
        cents: i64,
        fund: &'static str,
        who: &str,
    ) -> std::io::Result<()> {
        self.rows += 1;
        writeln!(
            self.out,
            "{},{description},{debit},{credit},{}.{:02},,{fund},{who},",
            self.date,
            cents / 100,
            cents % 100
        )
    }

    fn balance(&mut self, account: &'static str, fund: &'static str) -> &mut i64 {
        self.balances.entry((account, fund)).or_insert(0)
    }
}

fn main() -> std::io::Result<()> {
    let wanted: u64 = match std::env::args().nth(1).map(|n| n.replace('_', "").parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: generate ROWS > ledger.csv");
            std::process::exit(2);
        }
    };
    let mut random = Random(2026);
    let mut books = Books {
        out: BufWriter::with_capacity(1 << 20, std::io::stdout().lock()),
        rows: 0,
        date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
        balances: HashMap::new(),
    };
    writeln!(
        books.out,
        "date,description,debit,credit,amount,currency,fund,counterparty,reference"
    )?;
    while books.rows < wanted {
        let day_end = (books.rows + ROWS_PER_DAY).min(wanted);
        while books.rows + 2 < day_end {
            let fund = FUNDS[random.below(10).saturating_sub(4).min(5) as usize];
            let cents = [1_000, 2_000, 2_500, 5_000, 10_000, 25_000][random.below(6) as usize];
            let donor = format!("Donor {:05}", random.below(20_000));
            if random.below(3) == 0 {
                books.row(
                    "Bank transfer",
                    "assets:bank",
                    "income:donations",
                    cents,
                    fund,
                    &donor,
                )?;
                *books.balance("assets:bank", fund) += cents;
            } else {
                let fee = cents * 29 / 1_000 + 30;
                books.row(
                    "Card donation",
                    "assets:processor",
                    "income:donations",
                    cents,
                    fund,
                    &donor,
                )?;
                books.row(
                    "Processor fee",
                    "expenses:fees",
                    "assets:processor",
                    fee,
                    fund,
                    "Processor",
                )?;
                *books.balance("assets:processor", fund) += cents - fee;
            }
        }
        for fund in FUNDS {
            if books.rows >= wanted {
                break;
            }
            let held = *books.balance("assets:processor", fund);
            if held > 0 {
                books.row(
                    "Processor payout",
                    "assets:bank",
                    "assets:processor",
                    held,
                    fund,
                    "Processor",
                )?;
                *books.balance("assets:processor", fund) = 0;
                *books.balance("assets:bank", fund) += held;
            }
            let in_bank = *books.balance("assets:bank", fund);
            if in_bank > 200_000 && books.rows < wanted {
                books.row(
                    "Wire to the Communard Union",
                    "assets:union",
                    "assets:bank",
                    in_bank,
                    fund,
                    "Communard Union",
                )?;
                *books.balance("assets:bank", fund) = 0;
                *books.balance("assets:union", fund) += in_bank;
            }
            let held = *books.balance("assets:union", fund);
            if held > 0 && books.rows < wanted {
                let commune = format!("expenses:grants:commune-{:02}", random.below(COMMUNES as u64));
                books.row(
                    "Union allocation",
                    &commune,
                    "assets:union",
                    held,
                    fund,
                    "Communard Union",
                )?;
                *books.balance("assets:union", fund) = 0;
            }
        }
        books.date = books.date.checked_add_days(Days::new(1)).unwrap_or(books.date);
    }
    books.out.flush()
}
