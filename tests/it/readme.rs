//! Runs the `console` blocks of the README and the pages under docs/ and compares what fondo
//! prints with what they show, so the documentation cannot drift from the program.
//!
//! In a block, `$ export NAME=VALUE` sets a variable and `$ fondo ...` runs the binary in a
//! fresh directory. The lines up to the next `$` are the expected output: stdout, or stderr
//! when they start with `error: ` (the command must then exit 1). A command with no lines
//! after it must succeed. An expected line ending in `…` matches any line that starts with
//! the text before it. The sample ledger and the statement fixtures are copied into the
//! directory first, so the README can import them.

use crate::common::{fondo, shell_words};

fn matches(expected: &[String], actual: &str) -> bool {
    let actual: Vec<&str> = actual.lines().map(str::trim_end).collect();
    actual.len() == expected.len()
        && expected
            .iter()
            .zip(&actual)
            .all(|(e, a)| match e.strip_suffix('…') {
                Some(prefix) => a.starts_with(prefix.trim_end()) && a.len() > prefix.trim_end().len(),
                None => e == a,
            })
}

/// The README, then the pages under docs/ it links to, in the order their sections once
/// stood in it: their examples continue the README's, on the same ledgers.
const PAGES: [&str; 6] = [
    "README.md",
    "docs/statement-mappings.md",
    "docs/transparency.md",
    "docs/trust.md",
    "docs/privacy.md",
    "docs/decisions.md",
];

fn documentation() -> String {
    PAGES
        .iter()
        .map(|page| {
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(page)).unwrap()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn readme_console_blocks_run_as_shown() {
    let readme = documentation();
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("ledger.sample.csv"),
        dir.path().join("ledger.sample.csv"),
    )
    .unwrap();
    for name in STATEMENT_FIXTURES {
        std::fs::copy(
            root.join("tests/fixtures/import/statement").join(name),
            dir.path().join(name),
        )
        .unwrap();
    }
    for name in EVIDENCE_FIXTURES {
        std::fs::copy(
            root.join("tests/fixtures/evidence").join(name),
            dir.path().join(name),
        )
        .unwrap();
    }
    let mut env: Vec<(String, String)> = Vec::new();
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        match (in_block, line.trim_end()) {
            (false, "```console") => in_block = true,
            (true, "```") => in_block = false,
            (true, l) => match l.strip_prefix("$ ") {
                Some(command) => commands.push((command.to_string(), Vec::new())),
                None => commands
                    .last_mut()
                    .expect("output before any command")
                    .1
                    .push(l.to_string()),
            },
            _ => {}
        }
    }
    assert!(
        commands.len() >= 15,
        "found only {} README commands",
        commands.len()
    );
    for (command, expected) in &commands {
        if let Some(assignment) = command.strip_prefix("export ") {
            let (name, value) = assignment.split_once('=').expect("NAME=VALUE");
            env.push((name.into(), value.into()));
            continue;
        }
        let words = shell_words(command);
        assert_eq!(words[0], "fondo", "README commands run fondo: `{command}`");
        let out = fondo()
            .current_dir(dir.path())
            .envs(env.iter().cloned())
            .args(&words[1..])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expects_error = expected.first().is_some_and(|l| l.starts_with("error: "));
        if expects_error {
            assert_eq!(out.status.code(), Some(1), "`{command}` should fail: {stdout}");
            assert!(
                matches(expected, &stderr),
                "`{command}`\n--- README ---\n{}\n--- fondo ---\n{stderr}",
                expected.join("\n")
            );
        } else {
            assert!(out.status.success(), "`{command}` failed: {stderr}");
            if !expected.is_empty() {
                assert!(
                    matches(expected, &stdout),
                    "`{command}`\n--- README ---\n{}\n--- fondo ---\n{stdout}",
                    expected.join("\n")
                );
            }
        }
    }
}

/// The receipt the README's Evidence section attaches to a sample grant.
const EVIDENCE_FIXTURES: [&str; 1] = ["receipt-sn-031.txt"];

const STATEMENT_FIXTURES: [&str; 5] = [
    "bank.csv",
    "bank.toml",
    "platform.csv",
    "platform.toml",
    "march-bank.csv",
];

/// The mapping examples in the documentation are the files the tests import.
#[test]
fn readme_shows_the_statement_fixtures_as_they_are() {
    let readme = documentation();
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/import/statement"
    ));
    for name in STATEMENT_FIXTURES {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        // The bank's file is Windows-1252 with CRLF; the README shows it decoded.
        let text = match name {
            "bank.csv" => encoding_rs::WINDOWS_1252.decode(&bytes).0.replace("\r\n", "\n"),
            _ => String::from_utf8(bytes)
                .unwrap()
                .trim_start_matches('\u{feff}')
                .to_string(),
        };
        assert!(
            readme.contains(&text),
            "README does not show {name} as it is:\n{text}"
        );
    }
}

#[test]
fn shell_words_handles_the_readme_quoting() {
    assert_eq!(
        shell_words(r#"fondo fund add tires --name "Tires for the union's transport" --target 250"#),
        [
            "fondo",
            "fund",
            "add",
            "tires",
            "--name",
            "Tires for the union's transport",
            "--target",
            "250"
        ]
    );
    assert_eq!(shell_words("a 'b c' \"\""), ["a", "b c", ""]);
}
