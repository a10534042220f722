//! Writes a deterministic, realistic fundraiser ledger of N transactions for benchmarks:
//! donations (some earmarked, some through the processor with its fee), daily processor
//! payouts, sends to the union, and the union's allocations to communes. It never overdraws
//! a restricted fund or the union. The same books in fondo's simple CSV (the default), in
//! hledger's journal format (which ledger-cli reads too), or in beancount's:
//!
//!     cargo run --release --example generate -- 1000000 > big.csv
//!     cargo run --release --example generate -- 1000000 hledger > big.journal
//!     cargo run --release --example generate -- 1000000 beancount > big.beancount
//!
//! Two more arguments start the books on another day and take the donors in turn from a
//! set of that size (every one gives, rather than 20,000 drawn at random): the ledger that
//! `report statement --all` is measured on, 10,000 donors who all gave in 2026 (README,
//! "Donor statements"):
//!
//!     cargo run --release --example generate -- 43800 simple 2026-01-01 10000 > donors.csv

use std::collections::HashMap;
use std::io::{BufWriter, Write};

use chrono::{Days, NaiveDate};

/// The formats the books can be written in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Simple,
    Hledger,
    Beancount,
}

/// `expenses:grants:commune-07` as beancount spells accounts: `Expenses:Grants:Commune-07`.
fn beancount_account(account: &str) -> String {
    account
        .split(':')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(":")
}

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
    format: Format,
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
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        let fund_name = if fund.is_empty() { "general" } else { fund };
        match self.format {
            Format::Simple => writeln!(
                self.out,
                "{},{description},{debit},{credit},{amount},,{fund},{who},",
                self.date
            ),
            Format::Hledger => writeln!(
                self.out,
                "{} {description} | {who}  ; fund:{fund_name}\n    {debit}  {amount} USD\n    {credit}  -{amount} USD\n",
                self.date
            ),
            Format::Beancount => writeln!(
                self.out,
                "{} * \"{who}\" \"{description}\"\n  fund: \"{fund_name}\"\n  {}  {amount} USD\n  {}  -{amount} USD\n",
                self.date,
                beancount_account(debit),
                beancount_account(credit)
            ),
        }
    }

    fn balance(&mut self, account: &'static str, fund: &'static str) -> &mut i64 {
        self.balances.entry((account, fund)).or_insert(0)
    }
}

fn main() -> std::io::Result<()> {
    let wanted: u64 = match std::env::args().nth(1).map(|n| n.replace('_', "").parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: generate ROWS [simple|hledger|beancount] > ledger");
            std::process::exit(2);
        }
    };
    let format = match std::env::args().nth(2).as_deref() {
        None | Some("simple") => Format::Simple,
        Some("hledger") | Some("ledger") => Format::Hledger,
        Some("beancount") => Format::Beancount,
        Some(other) => {
            eprintln!("unknown format `{other}`: use simple, hledger or beancount");
            std::process::exit(2);
        }
    };
    let start = match std::env::args().nth(3).map(|d| d.parse::<NaiveDate>()) {
        None => NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
        Some(Ok(date)) => date,
        Some(Err(_)) => {
            eprintln!("the start date is written YYYY-MM-DD");
            std::process::exit(2);
        }
    };
    let in_turn: Option<u64> = match std::env::args().nth(4).map(|n| n.parse()) {
        None => None,
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            eprintln!("the number of donors is a whole number above zero");
            std::process::exit(2);
        }
    };
    let mut gifts: u64 = 0;
    let mut random = Random(2026);
    let mut books = Books {
        out: BufWriter::with_capacity(1 << 20, std::io::stdout().lock()),
        format,
        rows: 0,
        date: start,
        balances: HashMap::new(),
    };
    match format {
        Format::Simple => writeln!(
            books.out,
            "date,description,debit,credit,amount,currency,fund,counterparty,reference"
        )?,
        Format::Hledger => writeln!(books.out, "; generated by fondo's examples/generate\n")?,
        Format::Beancount => {
            // Beancount wants every account opened before use.
            let mut accounts: Vec<String> = [
                "assets:bank",
                "assets:processor",
                "assets:union",
                "income:donations",
                "expenses:fees",
            ]
            .iter()
            .map(|a| a.to_string())
            .collect();
            accounts.extend((0..COMMUNES).map(|c| format!("expenses:grants:commune-{c:02}")));
            writeln!(books.out, "option \"operating_currency\" \"USD\"\n")?;
            for account in accounts {
                writeln!(books.out, "1999-12-31 open {} USD", beancount_account(&account))?;
            }
            writeln!(books.out)?;
        }
    }
    while books.rows < wanted {
        let day_end = (books.rows + ROWS_PER_DAY).min(wanted);
        while books.rows + 2 < day_end {
            let fund = FUNDS[random.below(10).saturating_sub(4).min(5) as usize];
            let cents = [1_000, 2_000, 2_500, 5_000, 10_000, 25_000][random.below(6) as usize];
            let drawn = random.below(20_000);
            let donor = format!("Donor {:05}", in_turn.map_or(drawn, |n| gifts % n));
            gifts += 1;
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
