//! Every user-facing error, one case file each in `tests/errors/` (as hledger's test/errors):
//! the command, its exit code and its whole message, exactly. A reworded, misplaced or
//! missing message fails here; so does a rejected command that changed the ledger.
//!
//! A case file:
//!
//! ```text
//! # What the case shows.
//! ledger: books           (books — see `books` below —, new, or none; books if left out)
//! file gifts.csv:         (a file the commands can read; its lines follow, each indented
//!   date,description,…     by two spaces)
//! $ fondo donation 12.345 --donor A
//! ? 1
//! error: invalid amount `12.345`: …
//! ```
//!
//! Each `$ fondo …` runs in a fresh directory holding the ledger as `ledger.db` (`FONDO_DB`
//! points at it). A command followed by `? N` must exit with N; the lines after are its
//! standard error, exactly, and the ledger must be exactly as before it. A command without
//! `? N` must succeed (its output is not compared). `\u{1b}` in a word stands for that
//! character. `FONDO_BLESS=1 cargo test error_cases` rewrites the expected codes and messages
//! from what fondo prints now: read the diff before committing it.

use std::path::{Path, PathBuf};

use crate::common::{fondo, shell_words, TempLedger};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/errors");

/// The ledger most cases start from: #1 100.00 general into the bank (ref D-1); #2 50.00 to
/// the restricted fund tires; #3 30.00 of tires sent to the union; #4 the union passes 10.00
/// of tires to El Maizal, confirmed; #5 a 5.00 donation, #6 its void.
fn books() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["fund", "add", "tires", "--target", "250"]);
    l.run(&[
        "donation",
        "100",
        "--donor",
        "Ana",
        "--ref",
        "D-1",
        "--date",
        "2026-03-01",
    ]);
    l.run(&[
        "donation",
        "50",
        "--donor",
        "Bo",
        "--fund",
        "tires",
        "--date",
        "2026-03-02",
    ]);
    l.run(&[
        "send",
        "30",
        "--to",
        "union",
        "--fund",
        "tires",
        "--date",
        "2026-03-03",
    ]);
    l.run(&[
        "allocate",
        "10",
        "--to",
        "el-maizal",
        "--fund",
        "tires",
        "--date",
        "2026-03-04",
    ]);
    l.run(&["confirm", "4", "--ref", "R-1", "--date", "2026-03-05"]);
    l.run(&["donation", "5", "--donor", "Cy", "--date", "2026-03-06"]);
    l.run(&["void", "5", "--reason", "test", "--date", "2026-03-06"]);
    l
}

/// One command of a case, with what it must do.
struct Step {
    line: String,
    /// `Some(code)`: it must fail so, printing `stderr`.
    expected: Option<(i32, Vec<String>)>,
}

struct Case {
    path: PathBuf,
    ledger: String,
    files: Vec<(String, String)>,
    steps: Vec<Step>,
}

fn parse(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let mut case = Case {
        path: path.to_path_buf(),
        ledger: "books".into(),
        files: Vec::new(),
        steps: Vec::new(),
    };
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(kind) = line.strip_prefix("ledger: ") {
            case.ledger = kind.trim().to_string();
        } else if let Some(name) = line.strip_prefix("file ").and_then(|l| l.strip_suffix(':')) {
            let mut content = String::new();
            while let Some(l) = lines.next_if(|l| l.starts_with("  ")) {
                content.push_str(&l[2..]);
                content.push('\n');
            }
            case.files.push((name.to_string(), content));
        } else if let Some(command) = line.strip_prefix("$ ") {
            let mut expected = None;
            if let Some(code) = lines.next_if(|l| l.starts_with("? ")) {
                let code: i32 = code[2..].trim().parse().unwrap();
                let mut stderr = Vec::new();
                while let Some(l) = lines.next_if(|l| !l.starts_with("$ ")) {
                    stderr.push(l.to_string());
                }
                while stderr.last().is_some_and(|l| l.is_empty()) {
                    stderr.pop();
                }
                expected = Some((code, stderr));
            }
            case.steps.push(Step {
                line: command.to_string(),
                expected,
            });
        } else {
            assert!(
                line.is_empty() || line.starts_with('#'),
                "{}: cannot read `{line}`",
                path.display()
            );
        }
    }
    assert!(
        case.steps.iter().any(|s| s.expected.is_some()),
        "{}: no failing command",
        path.display()
    );
    case
}

/// `\u{XX}` in a word of a case file stands for that character.
fn unescape(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map(|e| at + e).expect("a closed \\u{…}");
        let code = u32::from_str_radix(&rest[at + 3..end], 16).expect("hex");
        out.push(char::from_u32(code).expect("a character"));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Runs a case; returns it as it should read now (for blessing) and what went wrong.
fn run(case: &Case, books: &Path) -> (String, Vec<String>) {
    let l = match case.ledger.as_str() {
        "books" => {
            let l = TempLedger::uninitialized();
            std::fs::copy(books, &l.path).unwrap();
            l
        }
        "new" => TempLedger::new(),
        "none" => TempLedger::uninitialized(),
        other => panic!("{}: unknown ledger `{other}`", case.path.display()),
    };
    for (name, content) in &case.files {
        std::fs::write(l.dir.path().join(name), content).unwrap();
    }
    let today = chrono::Local::now().date_naive().to_string();
    let mut problems = Vec::new();
    let mut blessed = String::new();
    let original = std::fs::read_to_string(&case.path).unwrap();
    for line in original.lines() {
        if line.starts_with("$ ") {
            break;
        }
        blessed.push_str(line);
        blessed.push('\n');
    }
    for step in &case.steps {
        let mut words: Vec<String> = shell_words(&step.line).iter().map(|w| unescape(w)).collect();
        assert_eq!(words[0], "fondo", "{}: `{}`", case.path.display(), step.line);
        // `< FILE` feeds the file to standard input, as a script would.
        let stdin = match words.iter().position(|w| w == "<") {
            Some(at) => {
                let file = words.split_off(at).pop().expect("a file after <");
                std::fs::read(l.dir.path().join(file)).unwrap()
            }
            None => Vec::new(),
        };
        let before = state(&l);
        let out = fondo()
            .current_dir(l.dir.path())
            .env("FONDO_DB", &l.path)
            .env("COLUMNS", "100")
            .args(&words[1..])
            .write_stdin(stdin)
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr)
            .replace(&*l.dir.path().to_string_lossy(), "$DIR")
            .replace(&today, "$TODAY");
        let stderr: Vec<String> = stderr.lines().map(|s| s.trim_end().to_string()).collect();
        blessed.push_str(&format!("$ {}\n", step.line));
        match &step.expected {
            None => {
                if code != 0 {
                    problems.push(format!("`{}` failed: {}", step.line, stderr.join("\n")));
                }
            }
            Some((want_code, want)) => {
                blessed.push_str(&format!("? {code}\n"));
                for line in &stderr {
                    blessed.push_str(line);
                    blessed.push('\n');
                }
                if code != *want_code || &stderr != want {
                    problems.push(format!(
                        "`{}`\n  exit {code}, wanted {want_code}\n  said:\n{}\n  wanted:\n{}",
                        step.line,
                        stderr.join("\n"),
                        want.join("\n")
                    ));
                }
                if code != 0 && state(&l) != before {
                    problems.push(format!("`{}` failed but changed the ledger", step.line));
                }
                if stderr
                    .iter()
                    .any(|s| s.contains("panicked") || s.contains("RUST_BACKTRACE"))
                {
                    problems.push(format!("`{}` panicked", step.line));
                }
            }
        }
    }
    (blessed, problems)
}

/// The ledger's whole content, or the bytes of a file at its path that is not a ledger.
fn state(l: &TempLedger) -> String {
    let bytes = std::fs::read(&l.path).unwrap_or_default();
    if bytes.starts_with(b"SQLite format 3\0") {
        l.snapshot()
    } else {
        format!("{bytes:?}")
    }
}

#[test]
fn error_cases() {
    let books = books();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 100, "only {} error cases", paths.len());
    let bless = std::env::var_os("FONDO_BLESS").is_some();
    let mut failures = Vec::new();
    for path in &paths {
        let case = parse(path);
        let (blessed, problems) = run(&case, &books.path);
        if bless {
            std::fs::write(path, blessed).unwrap();
        } else if !problems.is_empty() {
            failures.push(format!("{}:\n{}", path.display(), problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} error cases differ (FONDO_BLESS=1 rewrites them):\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}

/// Every kind of error a user can meet from the command line (each variant of fondo's
/// `Error` but those only a damaged file, a busy ledger or a bug produce, which tests of
/// their own cover) is shown by some case: found by the words its message is made of.
#[test]
fn every_kind_of_error_has_a_case() {
    let all: String = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for (variant, words) in [
        ("Invalid", "error: invalid "),
        ("UnknownAccount", "error: unknown account"),
        ("UnknownFund", "error: unknown fund"),
        ("UnknownCommune", "error: unknown commune"),
        ("UnknownTransaction", "error: no transaction #"),
        ("LookAlike: same key", "looks like the existing donor"),
        ("LookAlike: confusable", "can be mistaken for the existing"),
        ("AlreadyExists", "already exists\n"),
        ("Unbalanced", "error: transaction does not balance"),
        ("InsufficientFunds", "this would take it to"),
        ("DuplicateReference", "is already used by transaction"),
        ("Overflow", "error: amount overflow"),
        ("Refused", "nothing was erased"),
        ("LedgerMissing", "error: no ledger at"),
        ("LedgerExists", "`fondo init` never overwrites a file"),
        ("NotALedger", "is not a fondo ledger"),
        ("OutputRefused", "pass --force to replace it"),
        ("Io", "error: cannot open"),
        ("RowsRejected", "was rejected: "),
        ("Usage", "Usage: fondo"),
        ("CheckFailed", "for its confirmation, more than --days"),
    ] {
        assert!(all.contains(words), "no error case shows {variant} (`{words}`)");
    }
}
