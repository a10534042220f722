//! `donor rename` and `donor merge`: the mess of several spellings put right in the chain,
//! every report following, and nothing that would stop a later `donor forget` from erasing
//! every spelling. Also: two donors named in one transaction, forgotten one after the other.

use crate::common::TempLedger;
use crate::erasure::{holds, ledger_bytes};

fn head(l: &TempLedger) -> String {
    l.json(&["verify"])["head"].as_str().unwrap().to_string()
}

/// "Ana P." gives twice (her reference names her), "Ana Pérez" once, Bea once.
fn books() -> TempLedger {
    let l = TempLedger::new();
    l.run(&[
        "donation",
        "20",
        "--donor",
        "Ana P.",
        "--ref",
        "card of Ana P.",
        "--memo",
        "Ana P. asked for a receipt",
        "--date",
        "2026-03-01",
    ]);
    l.run(&["donation", "30", "--donor", "Ana P.", "--date", "2026-03-02"]);
    l.run(&["donation", "15", "--donor", "Ana Pérez", "--date", "2026-03-03"]);
    l.run(&[
        "donation",
        "40",
        "--donor",
        "Bea Ruiz",
        "--memo",
        "friend of Ana P.",
        "--date",
        "2026-03-04",
    ]);
    l
}

fn donors(l: &TempLedger) -> Vec<(String, String)> {
    l.json(&["report", "donors"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["donor"].as_str().unwrap().to_string(),
                d["total"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_merge_joins_two_spellings_and_every_report_follows() {
    let l = books();
    let kept = head(&l);
    let balance = l.run(&["--format", "csv", "report", "balance"]);
    let campaign = l.run(&["--format", "csv", "report", "campaign"]);
    assert!(donors(&l).contains(&("Ana P.".into(), "50.00".into())));

    // A look first, then a refusal without a terminal's yes: nothing changes either way.
    let before = l.snapshot();
    let preview = l.run(&["donor", "merge", "Ana P.", "Ana Pérez", "--dry-run"]);
    assert!(
        preview.contains("donor `Ana P.` would be merged into `Ana Pérez`: 3 transaction(s) (#1, #2, #4); 2 counterparty field(s), 2 description(s), 2 memo(s)"),
        "{preview}"
    );
    assert_eq!(l.snapshot(), before, "a dry run changed the ledger");
    let refused = l
        .cmd()
        .args(["donor", "merge", "Ana P.", "Ana Pérez"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was merged"));
    assert_eq!(l.snapshot(), before, "a refused merge changed the ledger");

    let merged = l
        .cmd()
        .args(["donor", "merge", "Ana P.", "Ana Pérez", "--yes"])
        .output()
        .unwrap();
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    // Her reference still names her: the treasurer is told, and how to erase it.
    let note = String::from_utf8_lossy(&merged.stderr);
    assert!(
        note.contains("`Ana P.` still stands in the text of 1 other record(s)")
            && note.contains("fondo donor forget \"Ana P.\" --former-name"),
        "{note}"
    );

    // One donor now, with all three gifts; amounts everywhere are as they were.
    let now = donors(&l);
    assert!(now.contains(&("Ana Pérez".into(), "65.00".into())), "{now:?}");
    assert!(!now.iter().any(|(d, _)| d == "Ana P."), "{now:?}");
    assert_eq!(l.run(&["--format", "csv", "report", "balance"]), balance);
    assert_eq!(l.run(&["--format", "csv", "report", "campaign"]), campaign);
    let journal = l.run(&["export", "journal"]);
    assert!(journal.contains("donation from Ana Pérez"), "{journal}");
    assert!(journal.contains("Ana Pérez asked for a receipt"), "{journal}");
    // Bea's memo names her by the new name; a reference is as recorded.
    assert!(journal.contains("card of Ana P.") && journal.contains("friend of Ana Pérez"));

    // Recorded in the chain: the auditor's old head still verifies, and sees the entry.
    let verified = l.json(&["verify", "--head", &kept]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(
        verified["since_head"]["entries"]["donor_renamed"], 1,
        "{verified}"
    );
    // Its record names no one.
    let bodies: Vec<String> = l
        .raw()
        .prepare("SELECT body FROM entries")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(bodies.iter().all(|b| !b.contains("Ana")), "{bodies:?}");

    // The old spelling left in other text is erased where it stands; then it is nowhere.
    l.run(&["donor", "forget", "Ana P.", "--former-name", "--yes"]);
    assert!(!holds(&ledger_bytes(&l), b"Ana P."));
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);
    assert!(donors(&l).contains(&("Ana Pérez".into(), "65.00".into())));
}

#[test]
fn a_renamed_donor_can_still_be_forgotten_completely() {
    let l = books();
    let kept = head(&l);
    let renamed = l.run(&["donor", "rename", "Bea Ruiz", "Beatriz Ruiz"]);
    assert!(
        renamed.contains("donor `Bea Ruiz` is now `Beatriz Ruiz`: 1 transaction(s) (#4)"),
        "{renamed}"
    );
    // Renamed twice: the second rename starts from what the first left.
    l.run(&["donor", "rename", "Beatriz Ruiz", "Beatriz Ruiz-Soto"]);
    assert!(donors(&l).contains(&("Beatriz Ruiz-Soto".into(), "40.00".into())));
    let bytes = ledger_bytes(&l);
    assert!(holds(&bytes, "Beatriz Ruiz-Soto".as_bytes()));
    assert!(
        !holds(&bytes, b"Bea Ruiz"),
        "the first spelling is still in the file"
    );
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);

    l.run(&["donor", "forget", "Beatriz Ruiz-Soto", "--yes"]);
    let bytes = ledger_bytes(&l);
    for spelling in ["Bea Ruiz", "Beatriz", "Ruiz-Soto", "Ruiz"] {
        assert!(
            !holds(&bytes, spelling.as_bytes()),
            "{spelling} is still in the file"
        );
    }
    let verified = l.json(&["verify", "--head", &kept]);
    assert_eq!(verified["ok"], true, "{verified}");
    // Nothing the rename kept apart survives: no salt of a renamed field is left.
    let salts: i64 = l
        .raw()
        .query_row("SELECT count(*) FROM revision_salts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(salts, 0);
}

#[test]
fn names_a_rename_or_merge_would_get_wrong_are_refused_and_nothing_changes() {
    let l = books();
    l.run(&["donation", "5", "--donor", "Carla Gómez", "--date", "2026-03-05"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["donor", "rename", "Ana P.", "Ana Pérez"],
            "invalid NEW `Ana Pérez`: is another donor's name already; if both are one person, use `fondo donor merge \"Ana P.\" \"Ana Pérez\"`",
        ),
        (
            &["donor", "rename", "Nobody", "Somebody"],
            "invalid OLD `Nobody`: no donor has exactly this name",
        ),
        (
            &["donor", "rename", "Ana P.", "forgotten donor 7"],
            "names of the form `forgotten donor N`",
        ),
        (
            &["donor", "rename", "Ana P.", "Ana\u{200b} P"],
            "U+200B",
        ),
        (
            &["donor", "rename", "Ana P.", "Ana P."],
            "is the name the donor has already",
        ),
        // A new spelling of someone else, or a name mistaken for theirs.
        (&["donor", "rename", "Ana P.", "carla gomez"], "--new-donor"),
        (&["donor", "rename", "Ana P.", "Bea Ru\u{456}z"], "--allow-confusable"),
        (
            &["donor", "merge", "Ana P.", "Ana Perez-Lopez", "--yes"],
            "invalid B `Ana Perez-Lopez`: no donor has exactly this name; to give the donor a new name, use `fondo donor rename`",
        ),
        (
            &["donor", "merge", "Nobody", "Ana Pérez", "--yes"],
            "invalid A `Nobody`",
        ),
    ];
    for (args, expected) in cases {
        let message = l.reject(args);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    // The flags say the treasurer means it.
    l.run(&[
        "donor",
        "rename",
        "Ana P.",
        "carla gomez",
        "--new-donor",
        "--dry-run",
    ]);
    // A forgotten donor keeps its placeholder.
    l.run(&["donor", "forget", "Carla Gómez", "--yes"]);
    let message = l.reject(&["donor", "rename", "forgotten donor 1", "Carla"]);
    assert!(
        message.contains("a forgotten donor keeps its placeholder"),
        "{message}"
    );
}

#[test]
fn a_renamed_name_edited_in_the_file_is_caught() {
    let cases = [
        (
            "UPDATE transactions SET counterparty = 'Someone' WHERE id = 4",
            "its counterparty is not the text its rename (entry",
        ),
        (
            "DELETE FROM revision_salts",
            "its counterparty is not the text its rename (entry",
        ),
        (
            "UPDATE revision_salts SET salt = randomblob(16)",
            "its counterparty is not the text its rename (entry",
        ),
        (
            "UPDATE text_revisions SET new_digest = printf('%064d', 0)",
            "text_revisions (txn_id 4, field `counterparty`",
        ),
        (
            "DELETE FROM revision_salts; DELETE FROM text_revisions",
            "transaction #4: stored content no longer matches its hash",
        ),
    ];
    for (edit, expected) in cases {
        let l = books();
        let kept = head(&l);
        l.run(&["donor", "rename", "Bea Ruiz", "Beatriz Ruiz"]);
        crate::tamper::edit_without_triggers(&l, edit, true);
        let problems = crate::tamper::verify_fails(&l, Some(&kept), edit);
        assert!(problems.contains(expected), "after `{edit}`: {problems}");
    }
}

/// An erasure keeps no copy of the text it leaves: a transaction that names two donors, one
/// in its description and one in its memo, loses both names when both are forgotten, one
/// after the other (an erasure once kept the memo it left in its own record).
#[test]
fn two_donors_named_in_one_transaction_are_both_erased() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", "Ana Smith"]);
    l.run(&["donation", "5", "--donor", "Bobby Tables"]);
    l.run(&[
        "donation",
        "7",
        "--donor",
        "Carl",
        "--desc",
        "with Ana Smith",
        "--memo",
        "and Bobby Tables",
    ]);
    let kept = head(&l);
    l.run(&["donor", "forget", "Ana Smith", "--yes"]);
    l.run(&["donor", "forget", "Bobby Tables", "--yes"]);
    let bytes = ledger_bytes(&l);
    for name in ["Ana Smith", "Bobby", "Tables"] {
        assert!(!holds(&bytes, name.as_bytes()), "{name} is still in the file");
    }
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);
    let journal = l.run(&["export", "journal"]);
    assert!(journal.contains("Carl"), "{journal}");
}

/// What a stranger found trying to defeat erasure after renames, merges and odd names.
mod found {
    use super::*;

    fn bytes_hold(l: &TempLedger, text: &str) -> bool {
        holds(&ledger_bytes(l), text.as_bytes())
    }

    #[test]
    fn a_merge_and_a_rename_leave_no_old_spelling_in_the_files_free_space() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "Maria Gomez", "--date", "2026-01-01"]);
        l.run(&[
            "donation",
            "10",
            "--donor",
            "María Gómez",
            "--new-donor",
            "--date",
            "2026-01-02",
        ]);
        l.run(&["donor", "merge", "Maria Gomez", "María Gómez", "--yes"]);
        l.run(&["donor", "rename", "María Gómez", "M. G."]);
        for old in ["Maria Gomez", "María Gómez"] {
            assert!(!bytes_hold(&l, old), "{old} is still in the file");
        }
        assert_eq!(l.json(&["verify"])["ok"], true);
    }

    #[test]
    fn only_the_latest_spelling_of_a_renamed_field_keeps_a_salt() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "A One", "--date", "2026-01-01"]);
        l.run(&["donor", "rename", "A One", "Bee Two"]);
        l.run(&["donor", "rename", "Bee Two", "Cee Three"]);
        // Every salt left proves today's text, not the middle spelling.
        let conn = l.raw();
        let salts: Vec<(String, Vec<u8>)> = conn
            .prepare("SELECT field, salt FROM revision_salts")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let digests: Vec<String> = conn
            .prepare("SELECT new_digest FROM text_revisions WHERE new_digest IS NOT NULL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(!salts.is_empty());
        for (field, salt) in &salts {
            for guess in ["Bee Two", "A One", "donation from Bee Two", "donation from A One"] {
                let digest = fondo::store::hash::private_digest(salt, field, Some(guess)).unwrap();
                assert!(
                    !digests.contains(&digest),
                    "`{guess}` is confirmed by a salt left in the file"
                );
            }
        }
        assert_eq!(l.json(&["verify"])["ok"], true);
    }

    #[test]
    fn who_erases_is_not_named_when_it_is_the_donor() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "Tess Ode", "--date", "2026-01-01"]);
        let out = l
            .cmd()
            .env("FONDO_USER", "Tess Ode")
            .args(["donor", "forget", "Tess Ode", "--yes"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!bytes_hold(&l, "Tess"));
        assert_eq!(l.json(&["verify"])["ok"], true);
    }

    #[test]
    fn an_import_named_surname_first_is_erased_with_its_donor() {
        let l = TempLedger::new();
        let file = l.file(
            "Pérez, Ana - gifts.csv",
            "date,description,debit,credit,amount,currency,fund,counterparty\n\
             2026-01-11,Gift,assets:bank,income:donations,12.00,USD,general,Ana Pérez\n",
        );
        l.run(&["import", &file]);
        l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
        assert!(!bytes_hold(&l, "Pérez"), "the file name is still in the ledger");
        assert_eq!(l.json(&["verify"])["ok"], true);
    }

    #[test]
    fn names_written_without_spaces_and_overlapping_names_are_erased() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "王伟", "--date", "2026-01-01"]);
        l.run(&[
            "donation",
            "10",
            "--donor",
            "李娜",
            "--memo",
            "感谢王伟的介绍",
            "--date",
            "2026-01-02",
        ]);
        l.run(&["donation", "10", "--donor", "Ana Ruiz", "--date", "2026-01-03"]);
        l.run(&["donation", "10", "--donor", "Luis A", "--date", "2026-01-04"]);
        l.run(&[
            "donation",
            "10",
            "--donor",
            "Bo",
            "--desc",
            "Gift from Bo, friend of Luis Ana Ruiz",
            "--date",
            "2026-01-05",
        ]);
        let anonymized = l.run(&["export", "journal", "--anonymize"]);
        assert!(
            !anonymized.contains("Ruiz") && !anonymized.contains("王伟"),
            "{anonymized}"
        );
        l.run(&["donor", "forget", "王伟", "--yes"]);
        l.run(&["donor", "forget", "Ana Ruiz", "--yes"]);
        assert!(!bytes_hold(&l, "王伟") && !bytes_hold(&l, "Ana Ruiz"));
        assert!(bytes_hold(&l, "李娜") && bytes_hold(&l, "Luis A"));
        assert_eq!(l.json(&["verify"])["ok"], true);
    }

    #[test]
    fn a_name_typed_decomposed_finds_the_donor() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "José Peña", "--date", "2026-01-01"]);
        let decomposed = "Jose\u{301} Pen\u{303}a";
        l.run(&["donor", "forget", decomposed, "--yes"]);
        assert!(!bytes_hold(&l, "Peña"));
        let message = l.reject(&["donor", "rename", "jose pena", "J. P."]);
        assert!(message.contains("no donor has exactly this name"), "{message}");
    }

    #[test]
    fn a_rename_rewrites_the_old_name_wherever_it_stands_as_a_word() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "Ana Pérez", "--date", "2026-01-01"]);
        l.run(&[
            "fee",
            "1",
            "--from",
            "assets:bank",
            "--memo",
            "refund fee Ana Pérez",
            "--date",
            "2026-01-02",
        ]);
        l.run(&["donation", "10", "--donor", "Rosa", "--date", "2026-01-03"]);
        l.run(&[
            "fee",
            "1",
            "--from",
            "assets:bank",
            "--memo",
            "Rosa left early",
            "--date",
            "2026-01-04",
        ]);
        let out = l.run(&["donor", "rename", "Ana Pérez", "Ana Gómez"]);
        assert!(out.contains("2 transaction(s) (#1, #2)"), "{out}");
        let out = l.run(&["donor", "rename", "Rosa", "Rosa Díaz"]);
        assert!(out.contains("2 transaction(s) (#3, #4)"), "{out}");
        let journal = l.run(&["export", "journal"]);
        assert!(
            journal.contains("refund fee Ana Gómez") && !journal.contains("Pérez"),
            "{journal}"
        );
        assert!(
            journal.contains("donation from Rosa Díaz") && journal.contains("Rosa Díaz left early"),
            "{journal}"
        );
        // Anonymised, no former spelling shows.
        let anonymized = l.run(&["export", "journal", "--anonymize"]);
        assert!(
            !anonymized.contains("Pérez") && !anonymized.contains("from Rosa"),
            "{anonymized}"
        );
        assert!(!bytes_hold(&l, "Ana Pérez"));
    }

    #[test]
    fn an_eraser_named_in_another_spelling_is_not_recorded_either() {
        let l = TempLedger::new();
        l.run(&[
            "donation",
            "10",
            "--donor",
            "Zoë Quintana",
            "--date",
            "2026-01-01",
        ]);
        let out = l
            .cmd()
            .args([
                "--by",
                "ZOË  QUINTANA",
                "donor",
                "forget",
                "Zoë Quintana",
                "--yes",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!bytes_hold(&l, "QUINTANA") && !bytes_hold(&l, "Quintana"));
        // A login made of the name: `anaperez`.
        l.run(&["donation", "10", "--donor", "Ana Pérez", "--date", "2026-01-02"]);
        let out = l
            .cmd()
            .env("FONDO_USER", "anaperez")
            .args(["donor", "forget", "Ana Pérez", "--yes"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!bytes_hold(&l, "anaperez"));
    }

    #[test]
    fn a_word_no_gift_records_is_erased_only_as_a_former_name() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "Bob K", "--date", "2026-01-02"]);
        for name in [" ", "donation"] {
            l.reject(&["donor", "forget", name, "--yes"]);
        }
        // A former spelling, said to be one, is erased where text holds it.
        l.run(&[
            "fee",
            "1",
            "--from",
            "assets:bank",
            "--memo",
            "for Bobby K",
            "--date",
            "2026-01-03",
        ]);
        l.run(&["donor", "forget", "Bobby K", "--former-name", "--yes"]);
        assert!(!bytes_hold(&l, "Bobby"));
    }

    #[cfg(unix)]
    #[test]
    fn an_export_replaced_by_a_pipe_or_a_link_loop_does_not_stop_an_erasure() {
        let l = TempLedger::new();
        l.run(&["donation", "10", "--donor", "Ana Pérez", "--date", "2026-01-01"]);
        let out = tempfile::tempdir().unwrap();
        let at = |name: &str| out.path().join(name);
        l.run(&["export", "journal", "-o", at("j.csv").to_str().unwrap()]);
        l.run(&["export", "audit", at("pack").to_str().unwrap()]);
        std::fs::remove_file(at("j.csv")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(at("fifo"))
            .status()
            .unwrap();
        assert!(made.success());
        // A link in an export's place, to a pipe that would block a reader.
        std::os::unix::fs::symlink(at("fifo"), at("j.csv")).unwrap();
        // And a directory on an export's path replaced by a link to one holding a pipe.
        std::fs::create_dir(at("sub")).unwrap();
        l.run(&[
            "export",
            "journal",
            "-o",
            at("sub").join("k.csv").to_str().unwrap(),
        ]);
        std::fs::remove_dir_all(at("sub")).unwrap();
        std::fs::create_dir(at("elsewhere")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(at("elsewhere").join("k.csv"))
            .status()
            .unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink(at("elsewhere"), at("sub")).unwrap();
        std::os::unix::fs::symlink(".", at("pack").join("loop")).unwrap();
        let forgot = l
            .cmd()
            .args(["donor", "forget", "Ana Pérez", "--yes"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(
            forgot.status.success(),
            "{}",
            String::from_utf8_lossy(&forgot.stderr)
        );
        // The pack still holds her name, and says so; the pipe is not read.
        let warning = String::from_utf8_lossy(&forgot.stderr);
        assert!(
            warning.contains("1 earlier export(s)") && warning.contains("pack ("),
            "{warning}"
        );
    }
}
