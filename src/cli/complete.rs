//! Completion of the names a ledger knows — funds, communes, accounts, donors — and of
//! `--format`, as the shell asks for them (`COMPLETE=bash fondo …`, set up by
//! `fondo completions SHELL`). The ledger named by `--db` on the line being completed, else
//! `FONDO_DB`, else the default, is opened read-only; any problem completes nothing.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::store::known::{self, Known};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::EnvCompleter;

/// The ledger of the command line being completed: `--db`, else `FONDO_DB`, else the default.
fn ledger() -> Option<PathBuf> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let given = args
        .iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .or_else(|| {
            args.iter()
                .filter_map(|a| a.to_str()?.strip_prefix("--db=").map(PathBuf::from))
                .next()
        });
    super::ledger_path(given).ok().map(|(path, _)| path)
}

/// The ledger's names of `what`, as candidates.
fn names(what: Known) -> Vec<CompletionCandidate> {
    ledger()
        .map(|path| known::names(&path, what))
        .unwrap_or_default()
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

pub fn funds() -> ArgValueCandidates {
    ArgValueCandidates::new(|| names(Known::Funds))
}

pub fn accounts() -> ArgValueCandidates {
    ArgValueCandidates::new(|| names(Known::Accounts))
}

/// A grant's recipient: `union` or a commune's slug.
pub fn recipients() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let mut all = vec![CompletionCandidate::new(crate::domain::names::UNION_SLUG)];
        all.extend(names(Known::Communes));
        all
    })
}

pub fn communes() -> ArgValueCandidates {
    ArgValueCandidates::new(|| names(Known::Communes))
}

pub fn donors() -> ArgValueCandidates {
    ArgValueCandidates::new(|| names(Known::Donors))
}

/// The formats the command being completed takes: a report's, the public page's, or an
/// import's input formats too.
pub fn formats() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let args: Vec<String> = std::env::args().collect();
        let has = |word: &str| args.iter().any(|a| a == word);
        let formats: &[&str] = if has("transparency") {
            &["html", "md"]
        } else if has("import") {
            &["table", "csv", "json", "simple", "journal", "statement"]
        } else if ["export", "man", "completions", "demo"].iter().any(|c| has(c)) {
            // What these write has one form of its own.
            &[]
        } else {
            &["table", "csv", "json"]
        };
        formats.iter().copied().map(CompletionCandidate::new).collect()
    })
}

/// The ledger's currencies: its own and those it has recorded.
pub fn currencies() -> ArgValueCandidates {
    ArgValueCandidates::new(|| names(Known::Currencies))
}

/// The script that sets `shell` up to ask fondo for completions as you type — the names
/// come from the ledger then, so a fund added today completes today.
pub fn registration(shell: clap_complete::Shell, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &clap_complete::env::Bash,
        clap_complete::Shell::Zsh => &clap_complete::env::Zsh,
        clap_complete::Shell::Fish => &clap_complete::env::Fish,
        clap_complete::Shell::Elvish => &clap_complete::env::Elvish,
        clap_complete::Shell::PowerShell => &clap_complete::env::Powershell,
        _ => &clap_complete::env::Bash,
    };
    if shell != clap_complete::Shell::Bash {
        return completer.write_registration("COMPLETE", "fondo", "fondo", "fondo", out);
    }
    let mut script = Vec::new();
    completer.write_registration("COMPLETE", "fondo", "fondo", "fondo", &mut script)?;
    let script = String::from_utf8_lossy(&script)
        // bash inserts a completion as it is unless told it is a file name: then it quotes
        // a space or a quote in it (`Ana Pérez`), and not inside quotes the user opened.
        .replace("complete -o nospace", "complete -o filenames -o nospace");
    // bash splits the word being completed at `:` (COMP_WORDBREAKS), so `assets:ba`
    // reached fondo as three words and completed nothing; account names hold colons.
    writeln!(out, "COMP_WORDBREAKS=${{COMP_WORDBREAKS//:/}}")?;
    out.write_all(script.as_bytes())
}
