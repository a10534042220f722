//! `fondo refund`: a gift returned in part or in full, linked to it in the chain; the donors,
//! funds and balance reports follow it, a void of the refund gives the amount back, and a
//! forgotten donor's refund names no one.

use serde_json::Value;

use crate::common::{fondo, pick, TempLedger};
use crate::erasure::{holds, ledger_bytes};
use crate::tamper::{edit_without_triggers, verify_fails};

/// #1 Ana gives 100.00 to tires through the processor (3.20 fee); #2 Bo gives 250.00 and
/// #3 Cy 50.00, both general, into the bank.
fn gifts() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires", "--target", "250"]);
    l.run(&[
        "donation",
        "100",
        "--donor",
        "Ana Pérez",
        "--fund",
        "tires",
        "--into",
        "assets:processor",
        "--fee",
        "3.20",
        "--date",
        "2026-03-02",
    ]);
    l.run(&["donation", "250", "--donor", "Bo", "--date", "2026-03-03"]);
    l.run(&["donation", "50", "--donor", "Cy", "--date", "2026-03-03"]);
    l
}

/// Each posting of transaction `id`: account, fund and amount.
fn postings(l: &TempLedger, id: &str) -> Vec<Vec<String>> {
    pick(&l.json(&["show", id])["postings"], &["account", "fund", "amount"])
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn report(l: &TempLedger, name: &str, keys: &[&str]) -> Vec<Vec<String>> {
    pick(&l.json(&["report", name]), keys)
}

#[test]
fn a_partial_and_a_full_refund_follow_through_donors_funds_and_balance() {
    let l = gifts();
    let said = l.run(&["refund", "1", "40", "--fee", "1.50", "--date", "2026-03-04"]);
    assert!(
        said.starts_with("recorded #4 2026-03-04 refund of #1\n"),
        "{said}"
    );
    assert_eq!(
        postings(&l, "4"),
        [
            row(&["income:donations", "tires", "40.00"]),
            row(&["expenses:fees:processor", "tires", "1.50"]),
            row(&["assets:processor", "tires", "-41.50"]),
        ]
    );
    let said = l.run(&[
        "refund",
        "2",
        "--chargeback",
        "--fee",
        "15",
        "--date",
        "2026-03-05",
    ]);
    assert!(
        said.starts_with("recorded #5 2026-03-05 chargeback of #2\n"),
        "{said}"
    );
    assert_eq!(
        postings(&l, "5"),
        [
            row(&["income:donations", "general", "250.00"]),
            row(&["expenses:fees:bank", "general", "15.00"]),
            row(&["assets:bank", "general", "-265.00"]),
        ]
    );
    let show = l.json(&["show", "5"]);
    assert_eq!(
        (&show["counterparty"], &show["refund_of"]),
        (&Value::from("Bo"), &Value::from(2))
    );
    assert_eq!(l.json(&["show", "1"])["refunded_by"], serde_json::json!([4]));
    // The donors' totals are net of refunds; a refund is not a gift of its own.
    assert_eq!(
        report(&l, "donors", &["donor", "count", "total", "tied_out"]),
        [
            row(&["Ana Pérez", "1", "60.00", "null"]),
            row(&["Cy", "1", "50.00", "null"]),
            row(&["Bo", "1", "0.00", "null"]),
            row(&["total", "null", "110.00", "true"]),
        ]
    );
    assert_eq!(
        report(
            &l,
            "funds",
            &["fund", "raised", "fees", "closing", "at_bank", "at_processor"]
        ),
        [
            row(&["general", "50.00", "15.00", "35.00", "35.00", "0.00"]),
            row(&["tires", "60.00", "4.70", "55.30", "0.00", "55.30"]),
            row(&["total", "110.00", "19.70", "90.30", "35.00", "55.30"]),
        ]
    );
    assert_eq!(
        report(&l, "balance", &["account", "debit", "credit", "balance"])[..6],
        [
            row(&["assets:bank", "300.00", "265.00", "35.00"]),
            row(&["assets:processor", "96.80", "41.50", "55.30"]),
            row(&["expenses:fees:bank", "15.00", "0.00", "15.00"]),
            row(&["expenses:fees:processor", "4.70", "0.00", "4.70"]),
            row(&["income:donations", "290.00", "400.00", "-110.00"]),
            row(&["total", "706.50", "706.50", "0.00"]),
        ]
    );
    // The rest of Ana's gift, 60.00, is what a refund without an amount returns.
    l.run(&[
        "donation",
        "10",
        "--donor",
        "Dee",
        "--fund",
        "tires",
        "--into",
        "assets:processor",
        "--date",
        "2026-03-06",
    ]);
    l.run(&["refund", "1", "--date", "2026-03-06"]);
    assert_eq!(postings(&l, "7")[0], row(&["income:donations", "tires", "60.00"]));
    let message = l.reject(&["refund", "1", "0.01", "--date", "2026-03-07"]);
    assert!(message.contains("refunded in full already"), "{message}");
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_void_of_a_refund_gives_its_amount_back_and_then_the_gift_can_be_voided() {
    let l = gifts();
    l.run(&["refund", "3", "20", "--date", "2026-03-04"]);
    l.run(&["refund", "3", "30", "--date", "2026-03-05"]);
    let message = l.reject(&["void", "3", "--reason", "entered twice"]);
    assert_eq!(
        message,
        "error: #3 was refunded by #4, #5; void the refunds first (`fondo void 4`), or the donor's money would be returned twice\n"
    );
    l.run(&["void", "5", "--reason", "the donor changed their mind"]);
    // `show` lists the refunds that stand; the voided one still names its gift.
    assert_eq!(l.json(&["show", "3"])["refunded_by"], serde_json::json!([4]));
    assert_eq!(l.json(&["show", "5"])["refund_of"], serde_json::json!(3));
    assert_eq!(
        report(&l, "donors", &["donor", "total"])[2],
        row(&["Cy", "30.00"])
    );
    let message = l.reject(&["refund", "3", "31", "--date", "2026-03-06"]);
    assert!(message.contains("must be at most 30.00 USD"), "{message}");
    // A void of a refund is a void, not a refund: it cannot be refunded either.
    let message = l.reject(&["refund", "6"]);
    assert!(message.contains("#6 is the void of #5, not a gift"), "{message}");
    l.run(&["void", "4", "--reason", "sent back by mistake"]);
    l.run(&["void", "3", "--reason", "entered twice"]);
    assert_eq!(l.json(&["show", "3"])["refunded_by"], serde_json::json!([]));
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn the_chain_covers_the_link_between_a_refund_and_its_gift() {
    let l = gifts();
    l.run(&["refund", "3", "20", "--date", "2026-03-04"]);
    // Pointed at another gift, the refund would leave Cy's whole gift to refund again.
    edit_without_triggers(&l, "UPDATE refunds SET gift_id = 2 WHERE txn_id = 4", true);
    let report = verify_fails(&l, None, "UPDATE refunds SET gift_id = 2");
    assert!(
        report.contains("refunds (txn_id 4): changed outside fondo: gift_id is 2 but the chain recorded 3"),
        "{report}"
    );
    let l = gifts();
    l.run(&["refund", "3", "20", "--date", "2026-03-04"]);
    edit_without_triggers(&l, "DELETE FROM refunds", true);
    let report = verify_fails(&l, None, "DELETE FROM refunds");
    assert!(report.contains("refunds"), "{report}");
}

#[test]
fn a_forgotten_donors_refund_keeps_no_name() {
    let l = gifts();
    l.run(&[
        "refund",
        "1",
        "10",
        "--date",
        "2026-03-04",
        "--memo",
        "Ana Pérez asked for it back",
    ]);
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let refund = l.json(&["show", "4"]);
    assert_eq!(refund["counterparty"], "forgotten donor 1");
    assert_eq!(refund["refund_of"], 1);
    // Her gift can still be refunded: to the placeholder, which names no one.
    l.run(&["refund", "1", "5", "--date", "2026-03-05"]);
    assert_eq!(l.json(&["show", "5"])["counterparty"], "forgotten donor 1");
    assert_eq!(
        report(&l, "donors", &["donor", "count", "total"])[1],
        row(&["forgotten donor 1", "1", "85.00"])
    );
    let bytes = ledger_bytes(&l);
    assert!(!holds(&bytes, "Ana Pérez".as_bytes()), "the name is in the file");
    assert!(
        !holds(&bytes, "Ana P".as_bytes()),
        "part of the name is in the file"
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_renamed_donors_refunds_follow_the_name() {
    let l = gifts();
    l.run(&["refund", "3", "20", "--date", "2026-03-04"]);
    l.run(&["donor", "rename", "Cy", "Cyril"]);
    assert_eq!(l.json(&["show", "4"])["counterparty"], "Cyril");
    assert_eq!(
        report(&l, "donors", &["donor", "count", "total"])[2],
        row(&["Cyril", "1", "30.00"])
    );
}

#[test]
fn the_public_page_raises_what_is_left_after_refunds_and_still_adds_up() {
    let l = crate::export::sample();
    // Gabriela Vargas's gift #8 of 20.00 into the bank, on 2025-01-02.
    l.run(&["refund", "8", "5", "--date", "2025-01-10"]);
    // Lucía Hidalgo's gift #187 of 2025-06-13, partly returned in a month she gave nothing:
    // the month raises less, and she is not one of its donors.
    l.run(&["refund", "187", "10", "--date", "2026-10-20"]);
    let page = l.run(&["--format", "md", "report", "transparency"]);
    assert!(page.contains("| Raised from donors | 19,785.00 USD |"), "{page}");
    assert!(page.contains("| 2025-01 | 17 | 17 | 1,070.00 USD |"), "{page}");
    assert!(page.contains("| 2026-10 | 17 | 17 | 915.00 USD |"), "{page}");
    assert!(
        !page.contains("Gabriela") && !page.contains("Lucía") && !page.contains("refund"),
        "{page}"
    );
    let donors = l.json(&["report", "donors"]);
    let gabriela = donors
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["donor"] == "Gabriela Vargas")
        .unwrap();
    assert_eq!(
        (&gabriela["count"], &gabriela["total"]),
        (&Value::from(22), &Value::from("505.00"))
    );
}

#[test]
#[cfg_attr(
    not(has_python3),
    ignore = "needs python3 to run the pack's script; .ci/run installs it"
)]
fn an_audit_pack_with_refunds_re_adds_and_rebuilds_the_same_books() {
    let l = gifts();
    l.run(&["refund", "1", "40", "--fee", "1.50", "--date", "2026-03-04"]);
    l.run(&["refund", "3", "20", "--chargeback", "--date", "2026-03-05"]);
    l.run(&["void", "5", "--reason", "the bank undid it"]);
    let dir = l.dir.path().join("audit");
    l.run(&["export", "audit", dir.to_str().unwrap()]);
    let refunds = std::fs::read_to_string(dir.join("refunds.csv")).unwrap();
    let links: Vec<&str> = refunds
        .lines()
        .map(|line| &line[..line.match_indices(',').nth(2).unwrap().0])
        .collect();
    assert_eq!(
        links,
        ["txn,gift,chargeback", "4,1,false", "5,3,true"],
        "{refunds}"
    );
    let (ok, said) = crate::audit::check_totals(&dir);
    assert!(ok, "{said}");
    let rebuilt = l.dir.path().join("rebuilt.db");
    let on = |db: &std::path::Path, args: &[&str]| {
        let out = fondo().arg("--db").arg(db).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    on(&rebuilt, &["rebuild", dir.to_str().unwrap()]);
    let donors = ["--format", "csv", "report", "donors"];
    assert_eq!(on(&rebuilt, &donors), on(&l.path, &donors));
    // The voided chargeback still names its gift in the rebuilt books.
    let shown: Value = serde_json::from_str(&on(&rebuilt, &["--format", "json", "show", "5"])).unwrap();
    assert_eq!(shown["refund_of"], serde_json::json!(3));
}

#[test]
fn verify_re_checks_that_refunds_return_no_more_than_the_gift() {
    use crate::tamper::{put_back, recompute_chain, triggers, DROP_TRIGGERS, RECOMPUTE_TOTALS};
    let l = gifts();
    l.run(&["refund", "3", "20", "--date", "2026-03-04"]);
    // A forger who rewrites the refund to 60.00 of Cy's 50.00 and recomputes the whole chain
    // passes the chain's checks without the head an auditor kept; the rules of refund do not.
    let conn = l.raw();
    let saved = triggers(&conn);
    conn.execute_batch(&format!("{DROP_TRIGGERS} DROP TRIGGER entries_immutable_update;"))
        .unwrap();
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         UPDATE postings SET amount_minor = 6000 WHERE txn_id = 4 AND line = 1;
         UPDATE postings SET amount_minor = -6000 WHERE txn_id = 4 AND line = 2;
         {RECOMPUTE_TOTALS}"
    ))
    .unwrap();
    recompute_chain(&conn, false);
    put_back(&conn, &saved);
    drop(conn);
    let report = verify_fails(&l, None, "a refund of more than the gift");
    assert!(
        report.contains("gift #3: its live refunds return 6000 minor units, more than the 5000 it gave"),
        "{report}"
    );
}

/// A refund is not a gift: the donors report's first and last dates are the gifts', empty
/// when a donor has nothing but refunds in the period.
#[test]
fn a_refund_moves_no_donors_first_or_last_gift() {
    let l = gifts();
    l.run(&["refund", "3", "20", "--date", "2026-04-10"]);
    let keys = ["donor", "count", "total", "first_date", "last_date"];
    let cy = |args: &[&str]| {
        let mut all = vec!["report", "donors"];
        all.extend_from_slice(args);
        pick(&l.json(&all), &keys)
            .into_iter()
            .find(|r| r[0] == "Cy")
            .unwrap()
    };
    assert_eq!(cy(&[]), row(&["Cy", "1", "30.00", "2026-03-03", "2026-03-03"]));
    assert_eq!(
        cy(&["--from", "2026-04-01"]),
        row(&["Cy", "0", "-20.00", "null", "null"])
    );
}

/// A refund in a year of an earlier year's gift thanks no one: `--donor` says the donor gave
/// nothing that year and where the refund is counted; `--all` writes no letter for it and
/// still ties out with the donors report.
#[test]
fn a_refund_alone_in_a_year_gets_no_letter() {
    let l = gifts();
    l.run(&["donation", "60", "--donor", "Dee", "--date", "2025-06-01"]);
    l.run(&["refund", "4", "20", "--date", "2026-04-10"]);
    let out = l
        .cmd()
        .args(["report", "statement", "--donor", "Dee", "--year", "2026"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`Dee` gave nothing in 2026: the refund of an earlier year's gift is in `fondo report donors --from 2026-01-01 --to 2026-12-31`"),
        "{err}"
    );
    let dir = l.dir.path().join("letters");
    let dir_arg = dir.to_str().unwrap();
    let out = l.run(&["report", "statement", "--all", "--year", "2026", "-o", dir_arg]);
    assert!(out.contains("wrote 3 letter(s) for 3 gift(s) in 2026"), "{out}");
    assert!(
        out.contains(
            "no letter for refunds of earlier years' gifts to donors who gave nothing in 2026: -20.00 USD"
        ),
        "{out}"
    );
    assert!(
        out.contains("ties out: the letters, the refunds without a letter"),
        "{out}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ana-perez-2026.md", "bo-2026.md", "cy-2026.md"]);
}
