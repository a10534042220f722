//! Evidence (issue 16, item 8): files attached to transactions and confirmations, kept in the
//! ledger by their SHA-256, listed by `show`, written back out, re-hashed by `verify`, and
//! erased with the donor they are about.

use crate::common::TempLedger;
use crate::erasure::{holds, ledger_bytes};
use crate::tamper::{edit_without_triggers, verify_fails};
use crate::workflow::worked_example;

const RECEIPT: &str = "RECEIPT EM-2026-014\nComuna El Maizal received 150.00 USD\n";

/// The worked example (#8 a grant to El Maizal, confirmation 1 of it) with a receipt attached
/// to the grant and a wire confirmation to its confirmation.
fn with_evidence() -> TempLedger {
    let l = worked_example();
    let receipt = l.file("receipt-em-014.pdf", RECEIPT);
    let wire = l.file("wire.txt", "wire 150.00 to the union, ref W-77\n");
    l.run(&["attach", "8", &receipt, "--note", "signed by the commune"]);
    l.run(&["attach", "--confirmation", "1", &wire]);
    l
}

fn count(l: &TempLedger, table: &str) -> i64 {
    l.raw()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn show_lists_a_grants_attachments_and_its_confirmations() {
    let l = with_evidence();
    let shown = l.json(&["show", "8"]);
    let attachments = shown["attachments"].as_array().unwrap();
    let rows: Vec<(String, String, String, i64)> = attachments
        .iter()
        .map(|a| {
            (
                a["on"].as_str().unwrap().to_string(),
                a["file"].as_str().unwrap().to_string(),
                a["media_type"].as_str().unwrap_or("").to_string(),
                a["bytes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "#8".into(),
                "receipt-em-014.pdf".into(),
                "application/pdf".into(),
                RECEIPT.len() as i64
            ),
            (
                "confirmation 1".into(),
                "wire.txt".into(),
                "text/plain".into(),
                35
            ),
        ]
    );
    assert_eq!(attachments[0]["note"], "signed by the commune");
    let digest = attachments[0]["sha256"].as_str().unwrap();
    assert_eq!(digest.len(), 64);
    let table = l.run(&["show", "8"]);
    assert!(table.contains("attachments:"), "{table}");
    assert!(table.contains(&digest[..12]), "{table}");
    // A transaction without any shows none.
    assert!(l.json(&["show", "1"])["attachments"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!l.run(&["show", "1"]).contains("attachments:"));
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn the_same_file_is_stored_once_and_comes_back_out_byte_for_byte_0600() {
    let l = with_evidence();
    let receipt = l.file("copy-of-receipt.pdf", RECEIPT);
    l.run(&["attach", "9", &receipt]);
    assert_eq!(count(&l, "attachments"), 3);
    assert_eq!(count(&l, "blobs"), 2, "the same bytes were stored twice");
    let refused = l.reject(&["attach", "8", &receipt]);
    assert_eq!(
        refused,
        "error: copy-of-receipt.pdf is already attached to #8 (attachment 1, the same bytes)\n"
    );
    let out = l.dir.path().join("back.pdf");
    let said = l.run(&["attachment", "get", "3", "-o", out.to_str().unwrap()]);
    assert!(said.contains("attachment 3 of #9"), "{said}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), RECEIPT);
    // `-o -` is standard output, byte for byte, and writes no file named `-`.
    assert_eq!(l.run(&["attachment", "get", "3", "-o", "-"]), RECEIPT);
    assert!(!l.dir.path().join("-").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // An existing file is not replaced without --force.
    l.reject(&["attachment", "get", "1", "-o", out.to_str().unwrap()]);
    l.run(&["attachment", "get", "2", "-o", out.to_str().unwrap(), "--force"]);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("wire"));
    let listed = l.json(&["attachment", "list", "9"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(l.json(&["attachment", "list"]).as_array().unwrap().len(), 3);
}

#[test]
fn a_dry_run_attaches_nothing() {
    let l = worked_example();
    let receipt = l.file("r.pdf", RECEIPT);
    let before = l.snapshot();
    let said = l.run(&["attach", "8", &receipt, "--dry-run"]);
    assert!(
        said.starts_with("dry run, nothing written: would attach r.pdf"),
        "{said}"
    );
    assert_eq!(l.snapshot(), before);
}

#[test]
fn bad_attachments_are_refused_and_leave_the_ledger_unchanged() {
    let l = worked_example();
    let receipt = l.file("r.pdf", RECEIPT);
    let empty = l.file("empty.pdf", "");
    let big = l.dir.path().join("scan.pdf");
    // 23.4 MiB, sparse: the size is refused before a byte is read.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(23 * 1024 * 1024 + 450 * 1024)
        .unwrap();
    let at_limit = l.dir.path().join("limit.pdf");
    std::fs::File::create(&at_limit)
        .unwrap()
        .set_len(20 * 1024 * 1024 + 1)
        .unwrap();
    let dir = l.dir.path().to_str().unwrap().to_string();
    let missing = format!("{dir}/nowhere.pdf");
    let cases: [(Vec<&str>, String); 7] = [
        (
            vec!["attach", "8", big.to_str().unwrap()],
            format!("error: {} is 23.4 MiB; an attachment may be at most 20 MiB\n", big.display()),
        ),
        (
            vec!["attach", "8", at_limit.to_str().unwrap()],
            format!(
                "error: {} is 20,971,521 bytes; an attachment may be at most 20 MiB (20,971,520 bytes)\n",
                at_limit.display()
            ),
        ),
        (
            vec!["attach", "8", &empty],
            "error: empty.pdf is empty; an attachment is a file with something in it\n".into(),
        ),
        (
            vec!["attach", "8", &missing],
            format!("error: cannot open {missing}: No such file or directory (os error 2)\n"),
        ),
        (
            vec!["attach", "8", &dir],
            format!("error: {dir} is a directory; attach a file\n"),
        ),
        (
            vec!["attach", "99", &receipt],
            "error: no transaction #99 in this ledger (transactions run from #1 to #9)\n".into(),
        ),
        (
            vec!["attach", "--confirmation", "2", &receipt],
            "error: no confirmation 2 in this ledger (confirmations run from 1 to 1; `fondo show TXN` names a grant's)\n"
                .into(),
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(l.reject(&args), expected, "{args:?}");
    }
    // Regression (issue 16): a FIFO blocked `attach`, and /proc and device files were read.
    #[cfg(unix)]
    {
        let fifo = l.dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let not_a_file = "is not a regular file (a pipe, a device, a socket or a /proc file); attach a file";
        for path in [
            fifo.to_str().unwrap(),
            "/proc/self/status",
            "/dev/zero",
            "/dev/null",
        ] {
            assert_eq!(
                l.reject(&["attach", "8", path]),
                format!("error: {path} {not_a_file}\n")
            );
        }
    }
    let refused = l.reject(&["attach", "8", &receipt, "--note", "bad\u{1b}[2J"]);
    assert!(refused.starts_with("error: invalid --note"), "{refused}");
    assert_eq!(
        l.reject(&["attachment", "get", "1", "-o", "x.pdf"]),
        "error: no attachment 1 in this ledger (it has none yet; `fondo attach TXN FILE` adds one)\n"
    );
}

#[test]
fn a_changed_byte_of_a_stored_file_is_named_by_verify() {
    let l = with_evidence();
    edit_without_triggers(
        &l,
        "UPDATE blobs SET bytes = CAST(replace(CAST(bytes AS TEXT), '150.00', '950.00') AS BLOB)
         WHERE sha256 = (SELECT sha256 FROM attachments WHERE id = 1)",
        true,
    );
    let out = verify_fails(&l, None, "a changed byte");
    assert!(
        out.contains("attachment 1 (of #8): its file's bytes changed since it was attached"),
        "{out}"
    );
}

#[test]
fn a_deleted_stored_file_is_named_by_verify() {
    let l = with_evidence();
    edit_without_triggers(
        &l,
        "DELETE FROM blobs WHERE sha256 = (SELECT sha256 FROM attachments WHERE id = 2)",
        true,
    );
    let out = verify_fails(&l, None, "a deleted blob");
    assert!(
        out.contains("attachment 2 (of confirmation 1): its file is missing (SHA-256 "),
        "{out}"
    );
    assert!(out.contains("and no erasure deleted it"), "{out}");
}

#[test]
fn an_edit_of_the_attachments_table_is_caught() {
    for edit in [
        "UPDATE attachments SET file_name = 'other.pdf' WHERE id = 1",
        "UPDATE attachments SET target_id = 9 WHERE id = 1",
        "DELETE FROM attachments WHERE id = 2",
    ] {
        let l = with_evidence();
        edit_without_triggers(&l, edit, true);
        let out = verify_fails(&l, None, edit);
        assert!(out.contains("attachments"), "{edit}: {out}");
    }
    // A file swapped for another, with its digest moved along, is caught by the chain.
    let l = with_evidence();
    let other = l.file("other.txt", "not the receipt\n");
    l.run(&["attach", "9", &other]);
    edit_without_triggers(
        &l,
        "UPDATE attachments SET sha256 = (SELECT sha256 FROM attachments WHERE id = 3) WHERE id = 1",
        true,
    );
    let out = verify_fails(&l, None, "a swapped digest");
    assert!(out.contains("attachments"), "{out}");
}

#[test]
fn the_attachments_table_refuses_writes_outside_the_chain() {
    let l = with_evidence();
    let conn = l.raw();
    for sql in [
        "UPDATE attachments SET note = 'x' WHERE id = 1",
        "DELETE FROM attachments WHERE id = 1",
        "UPDATE blobs SET bytes = x'00'",
        "DELETE FROM blobs",
    ] {
        assert!(conn.execute_batch(sql).is_err(), "{sql} was allowed");
    }
}

#[test]
fn forgetting_a_donor_erases_their_receipts_name_note_and_bytes() {
    let l = with_evidence();
    let gift_receipt = l.file(
        "gift-receipt.pdf",
        "Thank you, Ana Pérez, for your gift ZEBRA-7731 of 100.00\n",
    );
    l.run(&["attach", "1", &gift_receipt, "--note", "mailed to Ana Pérez"]);
    let grant_receipt = l.json(&["show", "8"])["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(holds(&ledger_bytes(&l), b"ZEBRA-7731"));
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let bytes = ledger_bytes(&l);
    for needle in ["Ana Pérez", "ZEBRA-7731", "gift-receipt", "mailed to"] {
        assert!(
            !holds(&bytes, needle.as_bytes()),
            "`{needle}` is still in the ledger's files"
        );
    }
    let verified = l.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(
        verified["notes"][0],
        "attachment 3 (of #1): its file was deleted by erasure 1"
    );
    let shown = l.json(&["show", "1"]);
    assert_eq!(shown["attachments"][0]["file"], "forgotten donor 1");
    assert_eq!(shown["attachments"][0]["note"], "forgotten donor 1");
    assert_eq!(
        l.reject(&["attachment", "get", "3", "-o", "x.pdf"]),
        "error: attachment 3's file was deleted by erasure 1\n"
    );
    // The grant's receipt names no donor: it stays, whole.
    let shown = l.json(&["show", "8"]);
    assert_eq!(shown["attachments"][0]["sha256"], grant_receipt.as_str());
    assert_eq!(shown["attachments"][0]["file"], "receipt-em-014.pdf");
    let out = l.dir.path().join("grant.pdf");
    l.run(&["attachment", "get", "1", "-o", out.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(out).unwrap(), RECEIPT);
    assert!(l
        .run(&["verify"])
        .contains("note: attachment 3 (of #1): its file was deleted"));
}

#[test]
fn the_audit_pack_carries_the_files_and_a_rebuild_restores_them() {
    let l = with_evidence();
    let gift_receipt = l.file("gift.txt", "Thank you, Ana Pérez ZEBRA-7731\n");
    l.run(&["attach", "1", &gift_receipt]);
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    let listed = l.json(&["attachment", "list"]);
    // The erased gift receipt is listed without its digest.
    let digests: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["sha256"].as_str())
        .collect();
    assert_eq!(digests.len(), 2, "{listed}");
    let mut held: Vec<String> = std::fs::read_dir(pack.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    held.sort();
    let mut expected = vec![digests[0].to_string(), digests[1].to_string()];
    expected.sort();
    assert_eq!(held, expected, "the erased gift receipt must not be in the pack");
    let index = std::fs::read_to_string(pack.join("attachments.csv")).unwrap();
    assert!(index.contains("receipt-em-014.pdf"), "{index}");
    assert!(!index.contains("gift.txt"), "{index}");

    let rebuilt = TempLedger::uninitialized();
    rebuilt.run(&["rebuild", pack.to_str().unwrap()]);
    let verified = rebuilt.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(rebuilt.json(&["attachment", "list"]), listed);
    let out = rebuilt.dir.path().join("receipt.pdf");
    rebuilt.run(&["attachment", "get", "1", "-o", out.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(out).unwrap(), RECEIPT);

    // A pack whose file was changed after the export is refused.
    std::fs::write(pack.join("evidence").join(digests[0]), "forged").unwrap();
    let again = TempLedger::uninitialized();
    let refused = again.reject(&["rebuild", pack.to_str().unwrap()]);
    assert!(refused.contains("does not hash to its name"), "{refused}");
}

#[test]
fn an_anonymized_pack_counts_attachments_and_holds_no_file_or_name() {
    let l = with_evidence();
    let pack = l.dir.path().join("anon");
    l.run(&[
        "export",
        "audit",
        pack.to_str().unwrap(),
        "--anonymize",
        "--public",
    ]);
    assert!(!pack.join("evidence").exists());
    let index = std::fs::read_to_string(pack.join("attachments.csv")).unwrap();
    assert_eq!(index, "on,attachments\n#8,1\nconfirmation 1,1\n");
    for entry in std::fs::read_dir(&pack).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for needle in ["receipt-em-014", "signed by the commune", "EM-2026-014\nComuna"] {
            assert!(!holds(&bytes, needle.as_bytes()), "{needle}");
        }
    }
}

#[test]
fn the_public_page_counts_a_communes_evidence_and_publishes_only_grants_files_when_asked() {
    let l = with_evidence();
    let gift = l.file("gift-ana.txt", "Thank you, Ana Pérez\n");
    l.run(&["attach", "1", &gift, "--note", "for Ana"]);
    let md = l.run(&["--format", "md", "report", "transparency"]);
    assert!(md.contains("## Evidence per commune"), "{md}");
    assert!(md.contains("| El Maizal (Lara) | 2 receipts |"), "{md}");
    for private in ["receipt-em-014", "wire.txt", "gift-ana", "signed by", "for Ana"] {
        assert!(!md.contains(private), "{private} on the public page");
    }
    // Grants dated outside the period bring no evidence.
    let before = l.run(&["--format", "md", "report", "transparency", "--to", "2026-02-28"]);
    assert!(!before.contains("Evidence per commune"), "{before}");

    let page = l.dir.path().join("page.html");
    let said = l.run(&[
        "report",
        "transparency",
        "-o",
        page.to_str().unwrap(),
        "--public-evidence",
    ]);
    assert!(said.contains("page-evidence (2 files)"), "{said}");
    let published = l.dir.path().join("page-evidence");
    let mut names: Vec<String> = std::fs::read_dir(&published)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["attachment-1.pdf", "attachment-2.txt"]);
    assert_eq!(
        std::fs::read_to_string(published.join("attachment-1.pdf")).unwrap(),
        RECEIPT
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<a href=\"page-evidence/attachment-1.pdf\">attachment 1</a>"),
        "{html}"
    );
    assert!(!html.contains("attachment-3"), "a donation's receipt was linked");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(published.join("attachment-2.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    // Without --force an earlier publication is kept; --public-evidence needs -o.
    let again = l
        .cmd()
        .args([
            "report",
            "transparency",
            "-o",
            page.to_str().unwrap(),
            "--public-evidence",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    l.run(&[
        "report",
        "transparency",
        "-o",
        page.to_str().unwrap(),
        "--public-evidence",
        "--force",
    ]);
    let usage = l
        .cmd()
        .args(["report", "transparency", "--public-evidence"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn force_replaces_a_pack_with_its_evidence_but_not_one_holding_anything_else() {
    let l = with_evidence();
    let pack = l.dir.path().join("pack");
    let dir = pack.to_str().unwrap();
    l.run(&["export", "audit", dir]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&pack.join("evidence")), 0o700);
        let file = std::fs::read_dir(pack.join("evidence"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(mode(&file.path()), 0o600);
    }
    l.run(&["export", "audit", dir, "--force"]);
    std::fs::create_dir(pack.join("evidence").join("mine")).unwrap();
    let refused = l.reject(&["export", "audit", dir, "--force"]);
    assert!(refused.contains("holds `evidence/mine`"), "{refused}");
}

/// Regression (issue 16): a gift in kind booked straight to a commune's account, with its
/// donor as counterparty, counted as a grant and its receipt was published; and `--fund`
/// published other funds' grants' files.
#[test]
fn only_grants_of_the_fund_asked_for_bring_evidence_never_a_gift_in_kind() {
    let l = with_evidence();
    l.run(&[
        "entry",
        "-p",
        "expenses:grants:el-maizal 40",
        "-p",
        "income:donations -40",
        "--counterparty",
        "Zoe Ríos",
        "--desc",
        "tools given in kind",
        "--date",
        "2026-03-15",
    ]);
    let gift = l.file("zoe-receipt.txt", "Thank you, Zoe Ríos\n");
    l.run(&["attach", "10", &gift]);
    // Nor a payment to a commune in a donor's name, without a gift posting.
    l.run(&[
        "entry",
        "-p",
        "expenses:grants:el-maizal 10",
        "-p",
        "assets:bank -10",
        "--counterparty",
        "Bruno Díaz",
        "--desc",
        "paid on behalf of a donor",
        "--date",
        "2026-03-16",
    ]);
    let note = l.file("bruno.txt", "Paid for Bruno Díaz\n");
    l.run(&["attach", "11", &note]);
    let md = l.run(&["--format", "md", "report", "transparency"]);
    assert!(md.contains("| El Maizal (Lara) | 2 receipts |"), "{md}");
    let (_, published) = publish_with_evidence(&l);
    for donors in ["attachment-3.txt", "attachment-4.txt"] {
        assert!(!published.contains(&donors.to_string()), "{published:?}");
    }

    // Enough donors in each fund for a page narrowed to it (the disclosure rule).
    for (i, fund) in ["tires", "general"].iter().enumerate() {
        for n in 0..5 {
            let donor = format!("Donor {i}{n}");
            l.run(&[
                "donation",
                "250",
                "--donor",
                &donor,
                "--fund",
                fund,
                "--date",
                "2026-03-20",
            ]);
        }
    }
    // #8 is the general fund's grant: the tires fund has no commune evidence.
    let tires = l.run(&["--format", "md", "report", "transparency", "--fund", "tires"]);
    assert!(!tires.contains("Evidence per commune"), "{tires}");
    let general = l.run(&["--format", "md", "report", "transparency", "--fund", "general"]);
    assert!(general.contains("| El Maizal (Lara) | 2 receipts |"), "{general}");
}

/// Regression (issue 16): an attached `evil.html` was published as `attachment-N.html`, a
/// page a browser runs on the public site.
#[test]
fn a_file_a_browser_would_run_is_published_as_bin_and_linked_for_download() {
    let l = worked_example();
    let evil = l.file("evil.html", "<script>alert(1)</script>\n");
    l.run(&["attach", "8", &evil]);
    let (page, published) = publish_with_evidence(&l);
    assert!(
        !published.contains(&"attachment-1.html".to_string()),
        "{published:?}"
    );
    assert!(
        published.contains(&"attachment-1.bin".to_string()),
        "{published:?}"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<a href=\"page-evidence/attachment-1.bin\" download>attachment 1</a>"),
        "{html}"
    );
}

/// Regression (issue 16): a file whose note named the donor kept its bytes (only the note was
/// erased) and was then published; and bytes shared with a grant's attachment were deleted
/// without a word.
#[test]
fn forgetting_a_donor_deletes_files_naming_them_and_says_which_other_attachments_lose_theirs() {
    let l = with_evidence();
    // The grant's receipt, attached to Ana's gift too: the same bytes, stored once.
    let copy = l.file("copy.pdf", RECEIPT);
    l.run(&["attach", "1", &copy]);
    let photo = l.file("photo.jpg", "PHOTO-QX-5521\n");
    l.run(&["attach", "8", &photo, "--note", "handed over by Ana Pérez"]);
    let dry = l.run(&["donor", "forget", "Ana Pérez", "--dry-run"]);
    let deletes = dry
        .lines()
        .find(|l| l.starts_with("deletes 2 stored file(s), of "))
        .unwrap_or_else(|| panic!("{dry}"));
    for about in [
        "attachment 3 (of #1: of their gift)",
        "attachment 4 (of #8: its name or note names them)",
    ] {
        assert!(deletes.contains(about), "{dry}");
    }
    assert!(!deletes.contains("attachment 1 "), "{dry}");
    let shared = "also deletes the file of attachment 1 (of #8): the same bytes are attached there too (a file is stored once per content), and privacy wins";
    assert!(dry.contains(shared), "{dry}");
    // With --yes the same is said as notes, before it erases.
    let output = l
        .cmd()
        .args(["donor", "forget", "Ana Pérez", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&format!("note: {shared}")), "{stderr}");
    assert!(!holds(&ledger_bytes(&l), b"PHOTO-QX-5521"));
    let (_, names) = publish_with_evidence(&l);
    assert_eq!(names, ["attachment-2.txt"]);
    assert_eq!(l.json(&["verify"])["ok"], true);
}

/// Regression (issue 16): after `donor forget` deleted a receipt, its SHA-256 stayed in the
/// `attached` entry, `attachments`, the erasure's entry and `erased_blobs`, so anyone who
/// could rebuild a short text receipt from a guessed name could confirm the guess.
#[test]
fn forgetting_a_donor_leaves_no_digest_of_their_files_anywhere_in_the_ledger() {
    let l = with_evidence();
    let gift_receipt = "Receipt for Ana Pérez, 20.00 USD\n";
    let about = l.file("gift.txt", gift_receipt);
    l.run(&["attach", "1", &about]);
    // A receipt attached to a grant, whose note names her, and a copy of the same bytes on a
    // transaction that has nothing to do with her: both lose the file and its digest.
    let named = l.file("thanks.txt", "Thanks sent, 20.00 USD\n");
    l.run(&["attach", "8", &named, "--note", "thank-you for Ana Pérez"]);
    let copy = l.file("copy.txt", "Thanks sent, 20.00 USD\n");
    l.run(&["attach", "9", &copy]);
    let digest = |text: &str| -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes()).into()
    };
    let erased = [digest(gift_receipt), digest("Thanks sent, 20.00 USD\n")];
    let bytes = ledger_bytes(&l);
    for d in &erased {
        assert!(holds(&bytes, hex(d).as_bytes()), "the digest is there before");
    }
    let preview = l.run(&["donor", "forget", "Ana Pérez", "--dry-run"]);
    assert!(preview.contains("deletes 2 stored file(s)"), "{preview}");
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let bytes = ledger_bytes(&l);
    for d in &erased {
        assert!(
            !holds(&bytes, hex(d).as_bytes()),
            "a digest's hex is still in the ledger's files"
        );
        assert!(
            !holds(&bytes, d),
            "a digest's raw bytes are still in the ledger's files"
        );
    }
    // The grant's own receipt is kept, with its digest.
    assert!(holds(&bytes, hex(&digest(RECEIPT)).as_bytes()));
    let verified = l.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    let listed = l.json(&["attachment", "list"]);
    let erased_by: Vec<(i64, serde_json::Value, serde_json::Value)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["attachment"].as_i64().unwrap(),
                a["sha256"].clone(),
                a["erased_by"].clone(),
            )
        })
        .collect();
    for (id, sha256, by) in &erased_by[2..] {
        assert_eq!(sha256, &serde_json::Value::Null, "attachment {id}: {listed}");
        assert_eq!(by, "erasure 1", "attachment {id}: {listed}");
    }
    assert_eq!(erased_by[0].2, serde_json::Value::Null, "{listed}");
    let table = l.run(&["attachment", "list"]);
    assert!(table.contains("(erased by erasure 1)"), "{table}");
    assert_eq!(
        l.reject(&["attachment", "get", "5", "-o", "x.txt"]),
        "error: attachment 5's file was deleted by erasure 1\n"
    );
    // The public page publishes only the grant's kept files, and names no digest.
    let (page, published) = publish_with_evidence(&l);
    // The grant's receipt and its confirmation's wire; not the thank-you (attachment 4).
    assert_eq!(published, ["attachment-1.pdf", "attachment-2.txt"]);
    let html = std::fs::read(&page).unwrap();
    for d in &erased {
        assert!(!holds(&html, hex(d).as_bytes()));
    }
    // The same bytes attached again are stored and listed again, under a new attachment.
    let again = l.file("again.txt", "Thanks sent, 20.00 USD\n");
    l.run(&["attach", "9", &again]);
    assert_eq!(l.json(&["verify"])["ok"], true);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_erased_attachments_table_and_the_blob_trigger_refuse_edits_and_verify_names_them() {
    let l = with_evidence();
    let about = l.file("gift.txt", "Receipt for Ana Pérez\n");
    l.run(&["attach", "1", &about]);
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let conn = l.raw();
    for sql in [
        // A stored file still named by an attachment, outside an erasure.
        "DELETE FROM blobs",
        "DELETE FROM erased_attachments",
        "UPDATE erased_attachments SET attachment_id = 2",
    ] {
        assert!(conn.execute_batch(sql).is_err(), "{sql} was allowed");
    }
    drop(conn);
    for (edit, said) in [
        ("DELETE FROM erased_attachments", "erased_attachments"),
        (
            "INSERT INTO erased_attachments VALUES (1, 1, (SELECT max(id) FROM entries))",
            "erased_attachments",
        ),
        (
            "UPDATE attachments SET sha256 = (SELECT sha256 FROM attachments WHERE id = 1) WHERE id = 3",
            "attachments",
        ),
    ] {
        let t = with_evidence();
        let about = t.file("gift.txt", "Receipt for Ana Pérez\n");
        t.run(&["attach", "1", &about]);
        t.run(&["donor", "forget", "Ana Pérez", "--yes"]);
        edit_without_triggers(&t, edit, true);
        let out = verify_fails(&t, None, edit);
        assert!(out.contains(said), "{edit}: {out}");
    }
}

/// Regression (issue 16): a file whose content named the donor (a bank wire "funded by the
/// gift of …"), under a name and note that did not, was kept by `donor forget`, then
/// published by `--public-evidence` and carried by the audit pack. Now its bytes are searched
/// as UTF-8 and UTF-16LE, ASCII letters in any case.
#[test]
fn forgetting_a_donor_deletes_files_whose_content_names_them() {
    let l = with_evidence();
    let wire = l.file(
        "wire-8.txt",
        "Wire to El Maizal, funded by the gift of ANA Pérez\n",
    );
    l.run(&["attach", "8", &wire, "--note", "bank wire"]);
    let utf16: Vec<u8> = "Nota: donación de Ana Pérez, MEMO-U16"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let letter = l.dir.path().join("letter.txt");
    std::fs::write(&letter, &utf16).unwrap();
    l.run(&["attach", "8", letter.to_str().unwrap()]);
    let dry = l.run(&["donor", "forget", "Ana Pérez", "--dry-run"]);
    let deletes = dry
        .lines()
        .find(|l| l.starts_with("deletes 2 stored file(s), of "))
        .unwrap_or_else(|| panic!("{dry}"));
    for about in [
        "attachment 3 (of #8: its content holds the name)",
        "attachment 4 (of #8: its content holds the name)",
    ] {
        assert!(deletes.contains(about), "{dry}");
    }
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let file = ledger_bytes(&l);
    assert!(!holds(&file, b"funded by the gift"));
    assert!(!holds(&file, &utf16[..20]));
    let (_, names) = publish_with_evidence(&l);
    // The grant's receipt and the confirmation's wire, which name no donor.
    assert_eq!(names, ["attachment-1.pdf", "attachment-2.txt"]);
    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    for f in walk(&pack) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!holds(&bytes, b"funded by the gift"), "{}", f.display());
    }
    assert_eq!(l.json(&["verify"])["ok"], true);
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// A grant's file published with `--public-evidence` may name a donor: `donor forget` cannot
/// reach the published copy, so it names the directory among the earlier outputs.
#[test]
fn forget_names_a_published_evidence_directory_that_holds_the_name() {
    let l = with_evidence();
    let wire = l.file("wire-8.txt", "Wire to El Maizal, ordered by Ana Pérez\n");
    l.run(&["attach", "8", &wire]);
    let (_, published) = publish_with_evidence(&l);
    assert!(!published.is_empty());
    let dry = l.run(&["donor", "forget", "Ana Pérez", "--dry-run"]);
    let earlier = dry
        .lines()
        .find(|line| line.contains("earlier export(s) still contain this name"))
        .unwrap_or_else(|| panic!("{dry}"));
    assert!(earlier.contains("page-evidence"), "{earlier}");
    assert!(earlier.contains("--public-evidence"), "{earlier}");
}

/// A rename cannot rewrite a stored file, so one whose content holds the old spelling keeps
/// it: the rename says so, and `donor forget OLD --former-name` deletes it.
#[test]
fn a_rename_names_the_files_that_keep_the_old_spelling() {
    let l = with_evidence();
    let wire = l.file("wire-8.txt", "Grant funded by the gift of Ana Pérez\n");
    l.run(&["attach", "8", &wire]);
    let output = l
        .cmd()
        .args(["donor", "rename", "Ana Pérez", "Ana P. Soto"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("in 1 stored file(s) (their names, notes or content)"),
        "{stderr}"
    );
    l.run(&["donor", "forget", "Ana Pérez", "--former-name", "--yes"]);
    assert!(!holds(&ledger_bytes(&l), b"Grant funded by the gift of"));
    assert_eq!(l.json(&["verify"])["ok"], true);
}

/// Publishes the public page with `--public-evidence` as page.html: its path, and the names
/// of the files published beside it, sorted.
fn publish_with_evidence(l: &TempLedger) -> (std::path::PathBuf, Vec<String>) {
    let page = l.dir.path().join("page.html");
    l.run(&[
        "report",
        "transparency",
        "-o",
        page.to_str().unwrap(),
        "--public-evidence",
    ]);
    let mut names: Vec<String> = std::fs::read_dir(l.dir.path().join("page-evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    (page, names)
}
