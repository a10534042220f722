//! Helpers: a temporary ledger driven through the real `fondo` binary.

use std::path::PathBuf;

use assert_cmd::Command;
use rusqlite::Connection;
use serde_json::Value;
use tempfile::TempDir;

pub struct TempLedger {
    pub dir: TempDir,
    pub path: PathBuf,
}

/// The binary with a clean environment: no FONDO_DB, a fixed user.
pub fn fondo() -> Command {
    let mut cmd = Command::cargo_bin("fondo").expect("binary built");
    cmd.env_remove("FONDO_DB")
        .env_remove("COLUMNS")
        .env("FONDO_USER", "tester")
        .env("NO_COLOR", "1");
    cmd
}

impl TempLedger {
    /// A new ledger made with `fondo init`.
    pub fn new() -> TempLedger {
        let ledger = TempLedger::uninitialized();
        ledger.run(&["init", "--org", "Test Fund"]);
        ledger
    }

    /// A path in a fresh directory, with no file at it yet.
    pub fn uninitialized() -> TempLedger {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ledger.db");
        TempLedger { dir, path }
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = fondo();
        cmd.arg("--db").arg(&self.path);
        cmd
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let output = self.cmd().args(args).output().expect("fondo runs");
        assert!(
            output.status.success(),
            "fondo {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 output")
    }

    /// Runs a command with `--format json` and parses its output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.run(&all)).expect("valid json")
    }

    /// Runs a command that must be rejected with exit 1 and only `error: ` lines (one, or for
    /// an import one per bad row and a summary), leaving the ledger exactly as it was.
    /// Returns the message.
    pub fn reject(&self, args: &[&str]) -> String {
        let before = self.snapshot();
        let output = self.cmd().args(args).output().expect("fondo runs");
        let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
        assert_eq!(output.status.code(), Some(1), "fondo {args:?}: {stderr}");
        assert!(
            stderr.lines().all(|l| l.starts_with("error: ")),
            "fondo {args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(self.snapshot(), before, "fondo {args:?} changed the ledger");
        stderr
    }

    /// Every row of every table, plus the header fields: the ledger's whole logical content.
    pub fn snapshot(&self) -> String {
        if !self.path.is_file() {
            return "(no ledger file)".into();
        }
        let conn = Connection::open(&self.path).expect("open");
        let mut text = String::new();
        for pragma in ["user_version", "application_id"] {
            let v: i64 = conn
                .pragma_query_value(None, pragma, |r| r.get(0))
                .expect("pragma");
            text.push_str(&format!("{pragma}={v}\n"));
        }
        let tables: Vec<String> = {
            let mut stmt = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .expect("tables");
            let rows = stmt.query_map([], |r| r.get(0)).expect("query");
            rows.map(|r| r.expect("row")).collect()
        };
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{table}\""))
                .expect("select");
            let columns = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    let cells: Vec<String> = (0..columns)
                        .map(|i| format!("{:?}", r.get_ref(i).expect("cell")))
                        .collect();
                    Ok(cells.join("|"))
                })
                .expect("query")
                .map(|r| r.expect("row"))
                .collect();
            rows.sort();
            text.push_str(&format!("[{table}]\n{}\n", rows.join("\n")));
        }
        text
    }

    /// Opens the file directly, as an attacker with write access would.
    /// Writes a file named `name` beside the ledger; returns its path as text.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write a file beside the ledger");
        path.to_str().expect("a UTF-8 temp path").to_string()
    }

    pub fn raw(&self) -> Connection {
        Connection::open(&self.path).expect("open")
    }
}

/// The given keys of each object of a JSON array, as text (numbers and booleans too).
pub fn pick(report: &Value, keys: &[&str]) -> Vec<Vec<String>> {
    report
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            keys.iter()
                .map(|k| match &r[*k] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The `(account, debit, credit, balance)` rows of a balance report in JSON.
pub fn balance_rows(report: &Value) -> Vec<(String, String, String, String)> {
    report
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("account"), s("debit"), s("credit"), s("balance"))
        })
        .collect()
}

/// The names in a directory, sorted.
pub fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read the directory")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Splits a command line the way a shell would for the simple quoting the README uses.
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in `{line}`");
    if in_word {
        words.push(word);
    }
    words
}
