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
        preview.contains("donor `Ana P.` would be merged into `Ana Pérez`: 2 transaction(s) (#1, #2); 2 counterparty field(s), 2 description(s), 1 memo(s)"),
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
    // Her reference and Bea's memo still name her: the treasurer is told, and how to erase it.
    let note = String::from_utf8_lossy(&merged.stderr);
    assert!(
        note.contains("`Ana P.` still stands in the text of 2 other record(s)")
            && note.contains("fondo donor forget \"Ana P.\""),
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
    // What the merge did not reach is as recorded.
    assert!(journal.contains("card of Ana P.") && journal.contains("friend of Ana P."));

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
    l.run(&["donor", "forget", "Ana P.", "--yes"]);
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
        let conn = l.raw();
        let saved = crate::tamper::triggers(&conn);
        for (name, _) in &saved {
            conn.execute_batch(&format!("DROP TRIGGER \"{name}\"")).unwrap();
        }
        conn.execute_batch(edit).unwrap();
        crate::tamper::put_back(&conn, &saved);
        drop(conn);
        let out = l
            .cmd()
            .args(["--format", "json", "verify", "--head", &kept])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "verify passed after `{edit}`");
        let problems = String::from_utf8_lossy(&out.stdout).to_string();
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
