//! `fondo export audit DIR`: the whole pack, its permissions, and an auditor re-adding
//! its totals with the pack's own script and nothing but Python's standard library.

use std::path::Path;
use std::process::Command;

use crate::common::TempLedger;
use crate::export::sample;

const FILES: [&str; 16] = [
    "README.txt",
    "accounts.csv",
    "check_totals.py",
    "communes.csv",
    "funds.csv",
    "import_batches.csv",
    "journal.csv",
    "reconciliations.csv",
    "report_balance.csv",
    "report_balance_by_fund.csv",
    "report_campaign.csv",
    "report_communes.csv",
    "report_donors.csv",
    "report_funds.csv",
    "report_union.csv",
    "verify.json",
];

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs the pack's script as an auditor would; returns (success, stdout).
fn check_totals(dir: &Path) -> (bool, String) {
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
fn the_pack_holds_everything_and_its_totals_re_add() {
    let l = sample();
    let dir = l.dir.path().join("audit");
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    let said = l.run(&["export", "audit", dir.to_str().unwrap()]);
    assert!(
        said.contains(&format!(
            "wrote 16 files to {}; chain head #752 {head}",
            dir.display()
        )),
        "{said}"
    );
    assert_eq!(listing(&dir), FILES);
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
        for file in FILES {
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
fn an_anonymized_pack_names_no_donor_and_is_readable_by_others() {
    let l = sample();
    let donors: Vec<String> =
        csv::Reader::from_reader(l.run(&["--format", "csv", "report", "donors"]).as_bytes())
            .records()
            .map(|r| r.unwrap()[1].to_string())
            .filter(|name| name != "total")
            .collect();
    assert!(donors.len() > 20);
    let dir = l.dir.path().join("public-audit");
    l.run(&["export", "audit", dir.to_str().unwrap(), "--anonymize"]);
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
fn a_pack_with_voids_moves_and_an_erased_donor_still_re_adds() {
    let l = sample();
    l.run(&["void", "4", "--reason", "charge back"]);
    l.run(&["fund", "move", "10", "--from", "general", "--to", "tires"]);
    l.run(&["donor", "forget", "Zoe Ríos"]);
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
