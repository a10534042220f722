//! What the treasurer sees at the terminal: help, completions, the man page, tables, colour,
//! and the example programs.

use crate::common::{fondo, TempLedger};

/// Every command path (`donation`, `report funds`, ...) of the command line.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(&fondo::cli::command(&[]), &[], &mut out);
    out
}

#[test]
fn the_help_groups_every_command_and_each_has_an_example() {
    let out = fondo()
        .arg("--help")
        .env("FONDO_DB", "/tmp/somewhere/books.db")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for heading in [
        "Record:",
        "Review:",
        "Reconcile and check:",
        "Import and export:",
        "Maintain:",
    ] {
        assert!(help.contains(heading), "{heading} missing from\n{help}");
    }
    let paths = command_paths();
    assert!(paths.len() > 30, "{paths:?}");
    for top in paths.iter().filter(|p| p.len() == 1) {
        let shown = help
            .lines()
            .filter(|l| l.starts_with(&format!("  {} ", top[0])))
            .count();
        assert_eq!(shown, 1, "`{}` should be listed once in\n{help}", top[0]);
    }
    assert!(
        help.contains("The ledger in use: /tmp/somewhere/books.db (from FONDO_DB)"),
        "{help}"
    );
    let with_db = fondo().args(["--db", "mine.db", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&with_db.stdout).contains("The ledger in use: mine.db (from --db)"));
    for path in &paths {
        let out = fondo().args(path).arg("--help").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{path:?}");
        assert!(
            text.contains("Example:\n  fondo ") || text.contains("Example:\n  printf"),
            "{path:?} has no example:\n{text}"
        );
    }
    // Each report kind says what it is (a doc comment on the wrong variant once described
    // the public page as "Private: per donor…" and donors as "The period and fund…").
    let reports =
        String::from_utf8_lossy(&fondo().args(["report", "--help"]).output().unwrap().stdout).to_string();
    for (kind, says) in [
        ("transparency", "The public page"),
        ("donors", "Private: per donor"),
        ("balance", "Trial balance"),
    ] {
        let line = reports
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{kind} ")))
            .unwrap_or_else(|| panic!("no `{kind}` in\n{reports}"));
        assert!(line.contains(says), "{line}");
    }
    assert!(reports.starts_with("Reports: the trial balance"));
    // Global options under their own heading, after the command's own; the page formats named.
    let send =
        String::from_utf8_lossy(&fondo().args(["send", "--help"]).output().unwrap().stdout).to_string();
    let (own, global) = send
        .split_once("Global options:")
        .expect("a Global options heading");
    assert!(own.contains("--fund") && !own.contains("--db <PATH>"), "{send}");
    assert!(
        global.contains("--db <PATH>") && global.contains("report transparency, html"),
        "{send}"
    );
    // No arguments at all: the same grouped help, and exit 2 (a usage error).
    let bare = fondo().output().unwrap();
    assert_eq!(bare.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bare.stderr).contains("Record:"));
}

#[test]
fn completions_load_in_bash_and_the_man_page_renders() {
    let dir = tempfile::tempdir().unwrap();
    let bash = fondo().args(["completions", "bash"]).output().unwrap();
    assert!(bash.status.success());
    let script = dir.path().join("fondo.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -e; bash -n '{0}'; source '{0}'; complete -p fondo",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("fondo"));
    for shell in ["zsh", "fish", "powershell"] {
        let out = fondo().args(["completions", shell]).output().unwrap();
        // Each shell's script asks fondo for the names as you type.
        let script = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success() && script.contains("COMPLETE"),
            "{shell}: {script}"
        );
    }
    let man = fondo()
        .env("FONDO_DB", "/home/someone/private/books.db")
        .arg("man")
        .output()
        .unwrap();
    let text = String::from_utf8(man.stdout).unwrap();
    // The page is the same for everyone: no ledger of the machine that made it.
    assert!(
        !text.contains("private") && !text.contains("ledger in use"),
        "{text}"
    );
    assert!(
        text.starts_with(".ie") || text.contains(".TH fondo"),
        "{}",
        &text[..200.min(text.len())]
    );
    assert!(text.contains("donation"));
    // Its NAME is not "fondo - fondo: …", it says what fondo reads from the environment and
    // what its exit statuses mean, and every page it refers to exists with `--dir`.
    assert!(
        text.contains("fondo \\- A double\\-ledger") || text.contains("fondo \\- A double\\-entry ledger"),
        "{text}"
    );
    for section in [
        ".SH ENVIRONMENT",
        "FONDO_DB",
        "FONDO_USER",
        "NO_COLOR",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(text.contains(section), "no {section}");
    }
    let pages = dir.path().join("man");
    let out = fondo()
        .args(["man", "--dir", pages.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let referred: std::collections::BTreeSet<String> = text
        .split("fondo\\-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name.replace("\\-", "-")))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .collect();
    assert!(referred.len() > 20, "{referred:?}");
    for name in referred {
        assert!(
            pages.join(format!("fondo-{name}.1")).is_file(),
            "no page fondo-{name}.1"
        );
    }
    assert!(pages.join("fondo-report-funds.1").is_file());
}

#[test]
fn tables_group_thousands_and_escape_control_characters() {
    let l = TempLedger::new();
    l.run(&[
        "donation",
        "1234567.89",
        "--donor",
        "Big Donor",
        "--date",
        "2026-01-02",
    ]);
    l.run(&[
        "entry",
        "--desc",
        "two\nlines\tand a tab",
        "--date",
        "2026-01-03",
        "-p",
        "assets:cash 1",
        "-p",
        "equity:opening -1",
    ]);
    let table = l.run(&["report", "balance"]);
    assert!(
        table.contains("1,234,567.89") && table.contains("-1,234,567.89"),
        "{table}"
    );
    assert!(
        !table.contains("\u{1b}"),
        "no colour when output is not a terminal: {table}"
    );
    let csv = l.run(&["--format", "csv", "report", "balance"]);
    assert!(
        csv.contains(",1234567.89,") && !csv.contains("1,234,567"),
        "{csv}"
    );
    let json = l.run(&["--format", "json", "report", "balance"]);
    assert!(json.contains("\"1234567.89\""), "{json}");
    let register = l.run(&["report", "register", "assets:cash"]);
    assert!(register.contains("two\\nlines\\tand a tab"), "{register}");
}

/// Colour appears only on a terminal, and never with NO_COLOR.
#[cfg(unix)]
#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", "Ana", "--date", "2026-01-02"]);
    let run_in_terminal = |no_color: bool| -> String {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("fondo"));
        cmd.arg("--db")
            .arg(&l.path)
            .args(["report", "balance"])
            .env("TERM", "xterm")
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
        p.exp_eof().unwrap()
    };
    let coloured = run_in_terminal(false);
    assert!(
        coloured.contains("\u{1b}[") && coloured.contains("-10.00"),
        "{coloured:?}"
    );
    let plain = run_in_terminal(true);
    assert!(!plain.contains("\u{1b}["), "{plain:?}");
}

#[test]
fn the_custom_report_example_runs() {
    let examples = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples");
    let out = std::process::Command::new(examples.join("custom_report"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Anzoátegui") && text.contains("Lara"), "{text}");
    assert!(
        text.contains("tie-out USD: states 9775.00 = communes' grants accounts 9775.00: ok"),
        "{text}"
    );
}

/// Tables fit 80 and 120 columns: no line is wider, no cell is wrapped onto a second line
/// (each row of the CSV is one line of the table), no number or date is cut, and what was
/// hidden is said. (The funds report needed 153 columns and amounts wrapped as `1,3` / `00`.)
#[test]
fn tables_fit_the_terminal_without_breaking_a_number() {
    let l = crate::export::sample();
    for width in [80_usize, 120] {
        for report in [
            "balance",
            "register",
            "funds",
            "communes",
            "campaign",
            "donors",
            "activities",
            "position",
            "aging",
            "budget",
            "pledges",
        ] {
            let out = l
                .cmd()
                .env("COLUMNS", width.to_string())
                .args(["report", report])
                .output()
                .unwrap();
            assert!(out.status.success(), "{report}");
            let table = String::from_utf8(out.stdout).unwrap();
            // The lines under the table fit too (the chain head is one word: a hash).
            for line in table.lines().filter(|l| !l.starts_with("chain head")) {
                assert!(
                    line.chars().count() <= width,
                    "report {report} at {width}: {line}"
                );
            }
            let lines: Vec<&str> = table
                .lines()
                .filter(|l| l.starts_with(['│', '┌', '╞', '└']))
                .collect();
            for line in &lines {
                assert!(
                    line.chars().count() <= width,
                    "report {report} at {width}: {line}"
                );
                for cell in line.split(['│', '┆']).map(str::trim) {
                    assert!(
                        !(cell.contains('…')
                            && cell.chars().any(|c| c.is_ascii_digit())
                            && !cell.contains(' ')),
                        "report {report} at {width}: a cut number or date `{cell}`"
                    );
                }
            }
            let csv = l.run(&["--format", "csv", "report", report]);
            assert_eq!(
                body_rows(lines.iter().copied()),
                csv.lines().count() - 1,
                "report {report} at {width}: rows wrapped\n{table}"
            );
            if report == "funds" && width == 80 {
                assert!(table.contains("column(s) hidden to fit: "), "{table}");
            }
        }
    }
    // --wide: the whole table, whatever the terminal.
    let wide = l
        .cmd()
        .env("COLUMNS", "80")
        .args(["--wide", "report", "funds"])
        .output()
        .unwrap();
    let wide = String::from_utf8(wide.stdout).unwrap();
    assert!(!wide.contains("hidden"), "{wide}");
    assert!(wide.lines().any(|line| line.chars().count() > 80));
}

/// Tab after `--fund`, `--to`, `--donor`, `--into` or `--format` offers the ledger's own
/// names (it offered file names), read from the ledger on the line being completed, which
/// is left untouched.
#[test]
fn completion_offers_the_ledger_s_names() {
    let l = crate::export::sample();
    let before = l.snapshot();
    let complete = |words: &[&str]| -> Vec<String> {
        let out = fondo()
            .env("COMPLETE", "fish")
            .arg("--")
            .arg("fondo")
            .arg("--db")
            .arg(&l.path)
            .args(words)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect()
    };
    assert!(complete(&["send", "10", "--fund", "ti"]).contains(&"tires".to_string()));
    let to = complete(&["send", "10", "--to", ""]);
    assert!(
        to.contains(&"union".to_string()) && to.contains(&"el-maizal".to_string()),
        "{to:?}"
    );
    let into = complete(&["donation", "10", "--into", "assets:p"]);
    assert_eq!(into, ["assets:processor"]);
    let donors = complete(&["donation", "10", "--donor", "Ana"]);
    assert!(donors.iter().any(|d| d.starts_with("Ana ")), "{donors:?}");
    // Each command's own formats: a report's are not an import's or the page's.
    assert_eq!(
        complete(&["report", "funds", "--format", ""]),
        ["table", "csv", "json"]
    );
    assert_eq!(
        complete(&["report", "transparency", "--format", ""]),
        ["html", "md"]
    );
    assert!(complete(&["import", "x.csv", "--format", ""]).contains(&"statement".to_string()));
    // Names wherever a command takes one.
    assert!(
        complete(&["fund", "move", "5", "--from", "general", "--to", "ti"]).contains(&"tires".to_string())
    );
    assert_eq!(complete(&["reconcile", "assets:pr"]), ["assets:processor"]);
    assert_eq!(
        complete(&["report", "register", "assets:pr"]),
        ["assets:processor"]
    );
    assert!(complete(&["donor", "forget", "Ana"])
        .iter()
        .any(|d| d.starts_with("Ana ")));
    assert!(complete(&["entry", "--counterparty", "Ana"])
        .iter()
        .any(|d| d.starts_with("Ana ")));
    assert!(
        complete(&["donation", "5", "--fee", "1", "--fee-account", "expenses:fees:p"])
            .contains(&"expenses:fees:processor".to_string())
    );
    assert!(complete(&["donation", "5", "--currency", ""]).contains(&"USD".to_string()));
    // Account names hold colons, which bash would split a word at.
    let script = String::from_utf8(fondo().args(["completions", "bash"]).output().unwrap().stdout).unwrap();
    assert!(
        script.contains("COMP_WORDBREAKS=${COMP_WORDBREAKS//:/}"),
        "{script}"
    );
    // bash quotes a name with a space as it quotes a file name.
    assert!(script.contains("complete -o filenames -o nospace"), "{script}");
    // A command whose output has one form of its own is offered no format.
    assert!(complete(&["export", "journal", "--format", ""]).is_empty());
    assert_eq!(l.snapshot(), before);
}

/// The same through a real terminal (a pty that `script` opens, sized with `stty`), where
/// fondo asks the terminal its width rather than reading `COLUMNS`.
#[cfg(unix)]
#[test]
#[cfg_attr(
    not(has_script),
    ignore = "needs script (util-linux) for a real terminal; .ci/run installs it"
)]
fn tables_fit_a_real_terminal_at_80_and_120_columns() {
    let l = crate::export::sample();
    let fondo = assert_cmd::cargo::cargo_bin("fondo");
    for width in [80_usize, 120] {
        for report in [
            "balance", "register", "funds", "union", "communes", "campaign", "donors",
        ] {
            let line = format!(
                "stty cols {width} rows 50; '{}' --db '{}' report {report}",
                fondo.display(),
                l.path.display()
            );
            let out = std::process::Command::new("script")
                .args(["-qec", &line, "/dev/null"])
                .env_remove("COLUMNS")
                .env("NO_COLOR", "1")
                .env("FONDO_USER", "tester")
                .output()
                .expect("script (util-linux) is needed; .ci/run installs it");
            assert!(
                out.status.success(),
                "{report} at {width}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            for table_line in text.lines().filter(|l| l.starts_with(['│', '┌', '╞', '└'])) {
                let shown = table_line.trim_end_matches('\r');
                assert!(shown.chars().count() <= width, "{report} at {width}: {shown}");
            }
            // One line per row: nothing wrapped inside a cell (the union report prints two tables).
            if report != "union" {
                let csv = l.run(&["--format", "csv", "report", report]);
                assert_eq!(
                    body_rows(text.lines()),
                    csv.lines().count() - 1,
                    "{report} at {width}: rows wrapped\n{text}"
                );
            }
        }
    }
}

/// Every `--help`, as a golden file: a help text that changes — a doc comment moved to the
/// wrong command, a description lost — fails here until the change is looked at and the
/// file regenerated with `FONDO_BLESS=1 cargo test help_golden`.
#[test]
fn help_golden() {
    let mut paths = vec![Vec::new()];
    paths.extend(command_paths());
    let mut all = String::new();
    for path in &paths {
        let out = fondo()
            .env("FONDO_DB", "/ledger.db")
            .args(path)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{path:?}");
        all.push_str(&format!("## fondo {} --help\n", path.join(" ")));
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push('\n');
    }
    let golden = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/help.txt"));
    if std::env::var_os("FONDO_BLESS").is_some() {
        std::fs::write(golden, &all).unwrap();
    }
    let expected = std::fs::read_to_string(golden).expect("tests/golden/help.txt (FONDO_BLESS=1 writes it)");
    if expected != all {
        let first = expected
            .lines()
            .zip(all.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(all.lines().count()));
        panic!(
            "help differs from tests/golden/help.txt at line {}:\n  golden: {:?}\n  now:    {:?}\n(FONDO_BLESS=1 cargo test help_golden regenerates it)",
            first + 1,
            expected.lines().nth(first),
            all.lines().nth(first)
        );
    }
}

/// The rows of a printed table below its header (which may take two lines: a long title
/// breaks rather than widening its column).
fn body_rows<'a>(lines: impl Iterator<Item = &'a str>) -> usize {
    lines
        .skip_while(|l| !l.starts_with('╞'))
        .filter(|l| l.starts_with('│'))
        .count()
}
