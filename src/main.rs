//! The `fondo` binary: parse the command line, run it, map errors to exit codes
//! (0 success, 1 rejected input or failed check, 2 command-line usage).

use std::io::{BufWriter, ErrorKind, IsTerminal, Write};
use std::process::ExitCode;

use fondo::cli;
use fondo::domain::names::{escape_controls, escape_controls_by_line};
use fondo::Error;

fn main() -> ExitCode {
    // A shell asking for completions (`COMPLETE=bash fondo …`) is answered, and fondo exits.
    clap_complete::CompleteEnv::with_factory(|| cli::command(&[])).complete();
    std::panic::set_hook(Box::new(|info| {
        say(&format!(
            "fondo hit a bug ({info}); the ledger was left as it was. Please report this."
        ));
    }));
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(e) = cli::check_lengths(&args) {
        say(&e.to_string());
        return ExitCode::from(1);
    }
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() {
                // A usage error quotes what was typed: plain, with its controls escaped.
                let text = escape_controls_by_line(&e.render().to_string());
                let _ = write!(std::io::stderr().lock(), "{text}");
            } else {
                // --help and --version.
                let _ = e.print();
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    fondo::render::set_colour(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let mut out = BufWriter::new(std::io::stdout().lock());
    let result = cli::run(cli, &mut out).and_then(|()| out.flush().map_err(Error::Output));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `fondo report register | head` closes the pipe early: that is success.
        Err(Error::Output(e)) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = out.flush();
            if let Error::RowsRejected { errors, .. } = &e {
                for line in errors {
                    say(line);
                }
            }
            say(&e.to_string());
            ExitCode::from(if matches!(e, Error::Usage(_)) { 2 } else { 1 })
        }
    }
}

/// One `error:` line on stderr, whatever the message held. A stderr that cannot
/// be written to (a full disk, a closed pipe) must not turn a clean failure
/// into a crash, so the write's own error is dropped.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {}", escape_controls(message));
}
