//! `fondo export audit DIR`: the whole pack, its permissions, and an auditor re-adding
//! its totals with the pack's own script and nothing but Python's standard library.

use std::path::Path;
use std::process::Command;

use crate::common::{listing, TempLedger};
use crate::export::sample;

/// The files of every pack; a private one (not `--anonymize`) also has [`REBUILD_FILES`].
const FILES: [&str; 25] = [
    "README.txt",
    "accounts.csv",
    "attachments.csv",
    "check_totals.py",
    "communes.csv",
    "confirmations.csv",
    "erasures.csv",
    "funds.csv",
    "import_batches.csv",
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

/// What only a private pack holds: the chain's entries and the import keys a rebuild needs.
const REBUILD_FILES: [&str; 2] = ["entries.csv", "import_keys.csv"];

fn private_files() -> Vec<&'static str> {
    let mut all: Vec<&str> = FILES.iter().chain(&REBUILD_FILES).copied().collect();
    all.sort();
    all
}

/// Runs the pack's script as an auditor would; returns (success, stdout).
pub(crate) fn check_totals(dir: &Path) -> (bool, String) {
    let out = Command::new("python3")
        .arg(dir.join("check_totals.py"))
        .output()
        .expect("python3 is needed (.ci/run installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
#[cfg_attr(
    not(has_python3),
    ignore = "needs python3 to run the pack's script; .ci/run installs it"
)]
fn the_pack_holds_everything_and_its_totals_re_add() {
    let l = sample();
    let dir = l.dir.path().join("audit");
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    let said = l.run(&["export", "audit", dir.to_str().unwrap()]);
    assert!(
        said.contains(&format!(
            "wrote 27 files to {}; chain head #752 {head}",
            dir.display()
        )),
        "{said}"
    );
    assert_eq!(listing(&dir), private_files());
    let verify: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("verify.json")).unwrap()).unwrap();
    assert_eq!(
        (verify["ok"].as_bool(), verify["head"].as_str()),
        (Some(true), Some(head.as_str()))
    );
    assert!(std::fs::read_to_string(dir.join("README.txt"))
        .unwrap()
        .contains(&head));
    assert_eq!(
        std::fs::read_to_string(dir.join("report_funds.csv")).unwrap(),
        l.run(&["--format", "csv", "report", "funds"])
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700);
        for file in private_files() {
            assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
        }
    }
    let (ok, said) = check_totals(&dir);
    assert!(ok, "{said}");
    let checked: u32 = said.split_whitespace().next().unwrap().parse().unwrap();
    assert!(checked > 400 && said.ends_with("0 differ\n"), "{said}");

    // A journal changed by one cent no longer re-adds to the reports, and the script says where.
    let journal = std::fs::read_to_string(dir.join("journal.csv")).unwrap();
    let changed = journal.replacen(
        ",assets:processor,general,100.00,",
        ",assets:processor,general,100.01,",
        1,
    );
    assert_ne!(changed, journal);
    std::fs::write(dir.join("journal.csv"), changed).unwrap();
    let (ok, said) = check_totals(&dir);
    assert!(!ok, "{said}");
    assert!(
        said.contains("error: report_balance.csv assets:processor / USD debit: the report says"),
        "{said}"
    );
}

#[test]
#[cfg_attr(
    not(has_python3),
    ignore = "needs python3 to run the pack's script; .ci/run installs it"
)]
fn an_anonymized_pack_names_no_donor_and_is_readable_by_others_only_when_public() {
    let l = sample();
    let donors: Vec<String> =
        csv::Reader::from_reader(l.run(&["--format", "csv", "report", "donors"]).as_bytes())
            .records()
            .map(|r| r.unwrap()[1].to_string())
            .filter(|name| name != "total")
            .collect();
    assert!(donors.len() > 20);
    let private = l.dir.path().join("private-audit");
    l.run(&["export", "audit", private.to_str().unwrap(), "--anonymize"]);
    #[cfg(unix)]
    assert_eq!(mode(&private.join("journal.csv")), 0o600);
    let dir = l.dir.path().join("public-audit");
    l.run(&[
        "export",
        "audit",
        dir.to_str().unwrap(),
        "--anonymize",
        "--public",
    ]);
    assert_eq!(listing(&dir), FILES);
    for file in FILES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for donor in &donors {
            assert!(!text.contains(donor.as_str()), "{file} names {donor}");
        }
        #[cfg(unix)]
        assert_eq!(mode(&dir.join(file)), 0o644, "{file}");
    }
    assert!(std::fs::read_to_string(dir.join("README.txt"))
        .unwrap()
        .contains("Donors are pseudonyms"));
    let (ok, said) = check_totals(&dir);
    assert!(ok, "{said}");
}

#[test]
fn an_existing_directory_is_never_written_into() {
    let l = TempLedger::new();
    let dir = l.dir.path().join("taken");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let message = l.reject(&["export", "audit", dir.to_str().unwrap()]);
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(listing(&dir), ["notes.txt"]);
    let missing = l.dir.path().join("no/such/parent/audit");
    let message = l.reject(&["export", "audit", missing.to_str().unwrap()]);
    assert!(
        message.starts_with("error: cannot create a directory in"),
        "{message}"
    );
    // Nothing half-made is left beside the ledger.
    assert_eq!(listing(l.dir.path()), ["ledger.db", "taken"]);
}

#[test]
#[cfg_attr(
    not(has_python3),
    ignore = "needs python3 to run the pack's script; .ci/run installs it"
)]
fn a_pack_with_voids_moves_and_an_erased_donor_still_re_adds() {
    let l = sample();
    l.run(&["void", "741", "--reason", "charge back"]);
    l.run(&["fund", "move", "10", "--from", "general", "--to", "tires"]);
    l.run(&["donor", "forget", "Zoe Ríos", "--yes"]);
    for anonymize in [false, true] {
        let dir = l.dir.path().join(format!("pack-{anonymize}"));
        let mut args = vec!["export", "audit", dir.to_str().unwrap()];
        if anonymize {
            args.push("--anonymize");
        }
        l.run(&args);
        let (ok, said) = check_totals(&dir);
        assert!(ok && said.ends_with(" 0 differ\n"), "{said}");
    }
}

/// The reports a rebuilt ledger must print exactly as the original did.
const REPORTS: [&[&str]; 7] = [
    &["report", "balance", "--by-fund"],
    &["report", "funds"],
    &["report", "union", "--to", "2026-11-29"],
    &["report", "communes"],
    &["report", "campaign"],
    &["report", "donors"],
    &["reconcile", "--list", "assets:bank"],
];

#[test]
#[cfg_attr(
    not(has_python3),
    ignore = "needs python3 to run the pack's script; .ci/run installs it"
)]
fn a_ledger_rebuilt_from_its_pack_reports_the_same_books() {
    let l = sample();
    // Every kind of entry: a void, a fund move, a confirmation, an import of gifts without
    // references (dedupe keys), a saved reconciliation and an erased donor.
    l.run(&["void", "741", "--reason", "charge back"]);
    l.run(&["fund", "move", "10", "--from", "general", "--to", "tires"]);
    let gifts = l.file(
        "late.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-11-20,gift,assets:bank,income:donations,10.00,,,Eva Luna,\n\
         2026-11-21,gift,assets:bank,income:donations,12.00,,tires,Fede Gil,\n",
    );
    l.run(&["import", &gifts]);
    let statement = l.file("nov.csv", "date,description,amount\n2026-11-20,DEPOSIT,10.00\n");
    l.run(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--mark",
        "--force",
    ]);
    l.run(&["donor", "forget", "Zoe Ríos", "--yes"]);
    let grant = l.json(&["report", "communes"]).as_array().unwrap().len();
    assert!(grant > 5);

    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    let (ok, said) = check_totals(&pack);
    assert!(ok && said.contains(" 0 differ"), "{said}");
    let rebuilt = TempLedger::uninitialized();
    let said = rebuilt.run(&["rebuild", pack.to_str().unwrap()]);
    assert!(
        said.starts_with(&format!("rebuilt {} from", rebuilt.path.display())),
        "{said}"
    );
    for report in REPORTS {
        let mut args = vec!["--format", "csv"];
        args.extend_from_slice(report);
        assert_eq!(rebuilt.run(&args), l.run(&args), "{report:?}");
    }
    assert_eq!(rebuilt.json(&["verify"])["ok"], true);
    // The same confirmations and batches; the erasures as records (the journal already
    // holds the erased text, so the rebuilt ones changed no transaction). A re-import of the
    // same file adds nothing.
    for list in ["confirmations.csv", "import_batches.csv"] {
        let again = rebuilt.dir.path().join("again");
        let _ = std::fs::remove_dir_all(&again);
        rebuilt.run(&["export", "audit", again.to_str().unwrap()]);
        let strip_hashes = |text: String| -> Vec<String> {
            text.lines()
                .map(|line| line.rsplit_once(',').map_or(line, |(rest, _)| rest).to_string())
                .collect()
        };
        let original = std::fs::read_to_string(pack.join(list)).unwrap();
        let copy = std::fs::read_to_string(again.join(list)).unwrap();
        if list == "import_batches.csv" {
            assert_eq!(copy, original, "{list}");
        } else {
            assert_eq!(strip_hashes(copy), strip_hashes(original), "{list}");
        }
    }
    let erasures = rebuilt.json(&["verify"])["entries"].clone();
    assert!(erasures.as_i64().unwrap() > 40, "{erasures}");
    let rebuilt_erasures = std::fs::read_to_string(rebuilt.dir.path().join("again/erasures.csv")).unwrap();
    assert!(
        rebuilt_erasures.contains("\n1,forgotten donor 1,0,"),
        "{rebuilt_erasures}"
    );
    let import = rebuilt.json(&["import", &gifts]);
    assert_eq!(
        (import["added"].as_i64(), import["skipped_duplicates"].as_i64()),
        (Some(0), Some(2))
    );
}

#[test]
fn a_rebuild_refuses_an_anonymized_pack_a_damaged_one_and_an_existing_ledger() {
    let l = sample();
    let public = l.dir.path().join("public");
    l.run(&["export", "audit", public.to_str().unwrap(), "--anonymize"]);
    let target = TempLedger::uninitialized();
    let message = target.reject(&["rebuild", public.to_str().unwrap()]);
    assert!(
        message.contains("has no entries.csv: only an audit pack made without --anonymize"),
        "{message}"
    );
    assert!(!target.path.exists());

    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    let entries = std::fs::read_to_string(pack.join("entries.csv")).unwrap();
    std::fs::write(
        pack.join("entries.csv"),
        entries.replacen("fund_added", "fund_grown", 1),
    )
    .unwrap();
    let message = target.reject(&["rebuild", pack.to_str().unwrap()]);
    assert!(
        message.contains("entries.csv:") && message.contains("body: "),
        "{message}"
    );
    assert!(!target.path.exists());
    std::fs::write(pack.join("entries.csv"), entries).unwrap();

    // A journal with a transaction missing cannot rebuild the same books.
    let journal = std::fs::read_to_string(pack.join("journal.csv")).unwrap();
    let without_7: String = journal
        .lines()
        .filter(|l| !l.starts_with("7,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(pack.join("journal.csv"), without_7).unwrap();
    let message = target.reject(&["rebuild", pack.to_str().unwrap()]);
    assert!(message.contains("from #6 to #8"), "{message}");
    assert!(!target.path.exists());

    // The target must be new: the ledger in use is never written over.
    let message = l.reject(&["rebuild", pack.to_str().unwrap()]);
    assert!(message.contains("already exists"), "{message}");
}

#[test]
fn a_rebuild_keeps_forced_and_future_dates_and_refuses_a_pack_edited_after_it_was_made() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", "Ana", "--date", "2026-01-01"]);
    l.run(&["close", "--through", "2026-01-05"]);
    l.run(&[
        "donation",
        "5",
        "--donor",
        "Bo",
        "--date",
        "2026-01-03",
        "--force",
        "--reason",
        "late",
    ]);
    l.run(&[
        "donation",
        "7",
        "--donor",
        "Cy",
        "--date",
        "2099-01-01",
        "--future",
    ]);
    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    let rebuilt = TempLedger::uninitialized();
    rebuilt.run(&["rebuild", pack.to_str().unwrap()]);
    let reason: String = rebuilt
        .raw()
        .query_row("SELECT reason FROM lock_overrides WHERE txn_id = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(reason, "late");
    assert_eq!(
        rebuilt.run(&["--format", "csv", "report", "donors"]),
        l.run(&["--format", "csv", "report", "donors"])
    );

    // A journal edited after the pack was made no longer matches the pack's own reports.
    let journal = std::fs::read_to_string(pack.join("journal.csv")).unwrap();
    let edited = journal.replace(",Ana,", ",Mallory,");
    assert_ne!(edited, journal);
    std::fs::write(pack.join("journal.csv"), edited).unwrap();
    let target = TempLedger::uninitialized();
    let message = target.reject(&["rebuild", pack.to_str().unwrap()]);
    assert!(
        message.contains("are not the ones the pack reports (its report_donors.csv differs)"),
        "{message}"
    );
    assert!(!target.path.exists());
}
