//! `fondo export audit DIR`: one directory with everything an auditor needs — the journal,
//! the lists, every report as CSV, `verify` as JSON, a README and a script that re-adds the
//! totals. Written through [`crate::files::write_directory`]: built in a private temporary
//! directory beside DIR and renamed into place, so a pack is either whole or absent and no
//! one else can read it while it is made.

use std::io::Write;

use chrono::NaiveDate;

use crate::domain::privacy::Pseudonyms;
use crate::error::{Error, Result};
use crate::files::{write_directory, Destination, DirectoryWriter, PRIVATE, PRIVATE_DIR, PUBLIC, PUBLIC_DIR};
use crate::io::export::{write_journal, ExportOptions};
use crate::io::rebuild;
use crate::render::{self, Format};
use crate::report::{balance, campaign, communes, donors, funds, union};
use crate::store::pack as store_pack;
use crate::store::read::{self, Filter};
use crate::store::{chain, reconcile, verify, Ledger};

const README: &str = include_str!("README.txt");
const CHECK_TOTALS: &str = include_str!("check_totals.py");

/// Every file a pack may hold: `--force` replaces a directory that holds nothing else.
pub const FILES: [&str; 28] = [
    "README.txt",
    "accounts.csv",
    "attachments.csv",
    "check_totals.py",
    "communes.csv",
    "confirmations.csv",
    "entries.csv",
    "erasures.csv",
    "evidence/",
    "funds.csv",
    "import_batches.csv",
    "import_keys.csv",
    "journal.csv",
    "reconciled_postings.csv",
    "reconciliations.csv",
    "refunds.csv",
    "report_activities.csv",
    "report_aging.csv",
    "report_balance.csv",
    "report_balance_by_fund.csv",
    "report_budget.csv",
    "report_campaign.csv",
    "report_communes.csv",
    "report_donors.csv",
    "report_funds.csv",
    "report_position.csv",
    "report_union.csv",
    "verify.json",
];

pub struct AuditOptions {
    /// Donors as pseudonyms, for an auditor who must not see them.
    pub anonymize: bool,
    /// With `anonymize`: readable by every user of the machine.
    pub public: bool,
    pub today: NaiveDate,
}

/// Writes the pack to `dest` and returns the names of its files. `dest` is a new directory,
/// or with `--force` one that holds an earlier pack and nothing else. Private unless
/// anonymized and made public: the directory 0700 and its files 0600.
pub fn write_audit_pack(ledger: &Ledger, options: &AuditOptions, dest: &Destination) -> Result<Vec<String>> {
    let (dir_mode, file_mode) = if options.anonymize && options.public {
        (PUBLIC_DIR, PUBLIC)
    } else {
        (PRIVATE_DIR, PRIVATE)
    };
    write_directory(dest, &FILES, dir_mode, file_mode, |pack| {
        write_files(ledger, options, pack)
    })
}

fn write_files(
    ledger: &Ledger,
    options: &AuditOptions,
    pack: &mut DirectoryWriter<'_>,
) -> Result<Vec<String>> {
    pack.file("journal.csv", |out| {
        let export = ExportOptions {
            filter: Filter::default(),
            anonymize: options.anonymize,
            public: options.public,
        };
        write_journal(ledger, &export, out).map(drop)
    })?;
    let people = options
        .anonymize
        .then(|| read::people(ledger.conn()))
        .transpose()?;
    write_lists(ledger, options, pack, people.as_ref())?;
    write_evidence(ledger, options, pack)?;
    write_reports(ledger, options, pack, people.as_ref())?;
    write_statements(ledger, options, pack)?;
    write_readme(ledger, options, pack)?;
    pack.file("check_totals.py", |out| {
        out.write_all(CHECK_TOTALS.as_bytes()).map_err(Error::Output)
    })?;
    Ok(pack.names().to_vec())
}

/// A table as CSV, its donors and the people who entered rows as pseudonyms when given.
fn csv(people: Option<&Pseudonyms>, mut t: render::Tabular, out: &mut dyn Write) -> Result<()> {
    if let Some(people) = people {
        t.redact(people);
    }
    t.write(Format::Csv, out).map_err(Error::Output)
}

/// The ledger's lists and records: accounts, funds, communes, imports, reconciliations,
/// confirmations, erasures, and (unless anonymized) the chain's entries and import keys.
fn write_lists(
    ledger: &Ledger,
    options: &AuditOptions,
    pack: &mut DirectoryWriter<'_>,
    people: Option<&Pseudonyms>,
) -> Result<()> {
    let conn = ledger.conn();
    let accounts = read::accounts(conn)?;
    pack.file("accounts.csv", |out| {
        csv(people, render::account_list_table(&accounts), out)
    })?;
    pack.file("funds.csv", |out| {
        csv(people, render::fund_list_table(&read::funds(conn)?), out)
    })?;
    pack.file("communes.csv", |out| {
        csv(people, render::commune_list_table(&read::communes(conn)?), out)
    })?;
    pack.file("import_batches.csv", |out| {
        csv(
            people,
            render::import_batch_table(&read::import_batches(conn)?),
            out,
        )
    })?;
    pack.file("reconciliations.csv", |out| {
        let mut all = Vec::new();
        for account in &accounts {
            all.extend(reconcile::reconciliations(conn, &account.name)?);
        }
        csv(people, render::reconciliation_list_table(&all), out)
    })?;
    pack.file("reconciled_postings.csv", |out| {
        csv(
            people,
            render::reconciled_postings_table(&store_pack::reconciled_postings(conn)?),
            out,
        )
    })?;
    pack.file("confirmations.csv", |out| {
        csv(
            people,
            render::confirmations_table(&store_pack::confirmations(conn)?),
            out,
        )
    })?;
    pack.file("erasures.csv", |out| {
        csv(people, render::erasures_table(&store_pack::erasures(conn)?), out)
    })?;
    pack.file("refunds.csv", |out| {
        csv(people, render::refunds_table(&store_pack::refunds(conn)?), out)
    })?;
    // The chain's entries and the import keys are what a rebuild replays; they name donors
    // (in text) or can confirm a guessed gift, so an anonymized pack leaves them out.
    if !options.anonymize {
        pack.file("entries.csv", |out| {
            csv(people, render::entries_table(&chain::opened_entries(conn)?), out)
        })?;
        pack.file("import_keys.csv", |out| rebuild::write_import_keys(ledger, out))?;
    }
    Ok(())
}

/// `attachments.csv` and, unless anonymized, each attached file still stored as
/// `evidence/<sha256>`, which a rebuild restores. An anonymized pack counts the attachments
/// per transaction or confirmation only: a file, its name, its note and even its SHA-256
/// (which confirms a guess at a receipt) may name a donor.
fn write_evidence(ledger: &Ledger, options: &AuditOptions, pack: &mut DirectoryWriter<'_>) -> Result<()> {
    let conn = ledger.conn();
    let attachments = crate::store::evidence::attachments(conn)?;
    if options.anonymize {
        return pack.file("attachments.csv", |out| {
            render::evidence::attachment_counts_table(&attachments)
                .write(Format::Csv, out)
                .map_err(Error::Output)
        });
    }
    pack.file("attachments.csv", |out| {
        csv(None, render::evidence::attachments_table(&attachments), out)
    })?;
    let mut written = std::collections::HashSet::new();
    // An erased attachment has no digest here, and its file is gone.
    for sha256 in attachments.iter().filter_map(|a| a.sha256.as_deref()) {
        if !written.insert(sha256) {
            continue;
        }
        if let Some(bytes) = crate::store::evidence::blob(conn, sha256)? {
            pack.file(&format!("evidence/{sha256}"), |out| {
                out.write_all(&bytes).map_err(Error::Output)
            })?;
        }
    }
    Ok(())
}

/// Every report over the whole ledger, as CSV.
fn write_reports(
    ledger: &Ledger,
    options: &AuditOptions,
    pack: &mut DirectoryWriter<'_>,
    people: Option<&Pseudonyms>,
) -> Result<()> {
    let whole = Filter::default();
    for (name, by_fund) in [
        ("report_balance.csv", false),
        ("report_balance_by_fund.csv", true),
    ] {
        pack.file(name, |out| {
            let options = balance::BalanceOptions {
                filter: whole.clone(),
                by_fund,
                depth: None,
            };
            csv(
                people,
                render::balance_table(&balance::balance(ledger, &options)?, by_fund),
                out,
            )
        })?;
    }
    pack.file("report_funds.csv", |out| {
        csv(
            people,
            render::funds_report_table(&funds::funds(ledger, &whole)?),
            out,
        )
    })?;
    pack.file("report_union.csv", |out| {
        let report = union::union(ledger, &whole, union::STALE_DAYS_DEFAULT, options.today)?;
        render::write_union(&report, Format::Csv, out).map_err(Error::Output)
    })?;
    pack.file("report_communes.csv", |out| {
        csv(
            people,
            render::communes_report_table(&communes::communes(ledger, &whole)?),
            out,
        )
    })?;
    pack.file("report_campaign.csv", |out| {
        csv(
            people,
            render::campaign_table(&campaign::campaign(ledger, &whole)?),
            out,
        )
    })?;
    pack.file("report_donors.csv", |out| {
        csv(
            people,
            render::donors_table(&donors::donors(ledger, &whole, options.anonymize)?),
            out,
        )
    })
}

/// The statements over the whole ledger, as CSV: activities, financial position, aging and
/// budgets against actuals. They name no one (pledges do, and are left to `entries.csv`).
fn write_statements(ledger: &Ledger, options: &AuditOptions, pack: &mut DirectoryWriter<'_>) -> Result<()> {
    let whole = Filter::default();
    let write = |t: render::Tabular, out: &mut dyn Write| t.write(Format::Csv, out).map_err(Error::Output);
    pack.file("report_activities.csv", |out| {
        let report = crate::report::activities::activities(ledger, &whole)?;
        write(render::activities_table(&report), out)
    })?;
    pack.file("report_position.csv", |out| {
        write(
            render::position_table(&crate::report::position::position(ledger, None)?),
            out,
        )
    })?;
    pack.file("report_aging.csv", |out| {
        let report = crate::report::aging::aging(ledger, &whole, options.today)?;
        write(render::aging_table(&report), out)
    })?;
    pack.file("report_budget.csv", |out| {
        write(
            render::budget_table(&crate::report::budget::budget(ledger, None, None)?),
            out,
        )
    })
}

/// `verify.json`, and the README headed by when and from what the pack was made.
fn write_readme(ledger: &Ledger, options: &AuditOptions, pack: &mut DirectoryWriter<'_>) -> Result<()> {
    let outcome = verify::verify(ledger, None)?;
    pack.file("verify.json", |out| {
        render::write_verify(&outcome, Format::Json, out).map_err(Error::Output)
    })?;
    pack.file("README.txt", |out| {
        writeln!(
            out,
            "Audit pack made {} from {}; chain head {}.{}\n",
            options.today,
            // An anonymized pack does not say where the ledger lives: a path may name a person.
            if options.anonymize {
                "the ledger".to_string()
            } else {
                ledger.path().display().to_string()
            },
            outcome.head.as_deref().unwrap_or("(empty ledger)"),
            if options.anonymize {
                " Donors are pseudonyms (donor-0001, ...), and so are the people who entered rows \
                 (user-0001, ...); references, notes, memos of donors' rows and file names are left out."
            } else {
                ""
            }
        )
        .map_err(Error::Output)?;
        out.write_all(README.as_bytes()).map_err(Error::Output)
    })
}

/// The pack's reports that a ledger rebuilt from it must print exactly: every amount per
/// account and fund, the communes' grants and confirmations, and the donors.
const REBUILT_REPORTS: [&str; 3] = [
    "report_balance_by_fund.csv",
    "report_communes.csv",
    "report_donors.csv",
];

/// Which of the pack's reports `ledger` does not print the same, if any: a pack whose
/// journal's amounts, funds or donors were edited after it was made no longer matches its
/// own reports (an edited date or text that leaves every total as it was still does).
pub fn differs_from_pack(ledger: &Ledger, pack: &std::path::Path) -> Result<Option<String>> {
    let whole = Filter::default();
    for name in REBUILT_REPORTS {
        let path = pack.join(name);
        let stated = std::fs::read(&path).map_err(Error::io("read", &path))?;
        let mut now = Vec::new();
        let table = match name {
            "report_balance_by_fund.csv" => render::balance_table(
                &balance::balance(
                    ledger,
                    &balance::BalanceOptions {
                        filter: whole.clone(),
                        by_fund: true,
                        depth: None,
                    },
                )?,
                true,
            ),
            "report_communes.csv" => render::communes_report_table(&communes::communes(ledger, &whole)?),
            _ => render::donors_table(&donors::donors(ledger, &whole, false)?),
        };
        table.write(Format::Csv, &mut now).map_err(Error::Output)?;
        if now != stated {
            return Ok(Some(format!("its {name} differs")));
        }
    }
    Ok(None)
}
