//! The paths fondo writes (`export journal -o`, `report transparency -o`, `export audit DIR`,
//! `backup DEST`): nothing there is destroyed without `--force`, and even `--force` never
//! replaces the ledger, an SQLite file or a directory given for a file; a write in progress
//! is readable by its owner only; what a killed writer leaves is cleared by the next run,
//! while a running writer's temporary is left alone.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{listing, TempLedger};
use crate::export::sample;

/// How long a test waits for a fondo run before it calls it hung (a guard, not a timing).
pub(crate) const HANG_GUARD: Duration = Duration::from_secs(60);

#[cfg(unix)]
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

/// The fondo temporaries in `dir`.
pub(crate) fn temporaries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".fondo-tmp") || n.starts_with(".tmp"))
        .collect();
    names.sort();
    names
}

/// The commands that write one file at `-o`, and the mode each gives it.
fn file_writers(out: &Path) -> Vec<(Vec<String>, u32)> {
    let out = out.to_str().unwrap().to_string();
    vec![
        (
            vec!["export".into(), "journal".into(), "-o".into(), out.clone()],
            0o600,
        ),
        (
            vec!["report".into(), "transparency".into(), "-o".into(), out],
            0o644,
        ),
    ]
}

fn with<'a>(args: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    args.iter()
        .map(String::as_str)
        .chain(more.iter().copied())
        .collect()
}

#[test]
fn an_existing_file_is_kept_unless_force_which_replaces_it() {
    let l = TempLedger::new();
    l.run(&["donation", "5", "--donor", "Ana"]);
    let path = l.dir.path().join("out.txt");
    for (args, final_mode) in file_writers(&path) {
        std::fs::write(&path, "mine").unwrap();
        let message = l.reject(&with(&args, &[]));
        assert_eq!(
            message,
            format!(
                "error: {} already exists; pass --force to replace it\n",
                path.display()
            )
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine", "{args:?}");
        l.run(&with(&args, &["--force"]));
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.len() > 100 && !written.contains("mine"), "{args:?}");
        #[cfg(unix)]
        assert_eq!(mode(&path), final_mode, "{args:?}");
        let _ = final_mode;
        assert_eq!(temporaries(l.dir.path()), Vec::<String>::new());
    }
    // --force means nothing without a file to replace: a usage error.
    let out = l.cmd().args(["export", "journal", "--force"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn force_replaces_an_earlier_audit_pack_and_nothing_else() {
    let l = TempLedger::new();
    l.run(&["donation", "5", "--donor", "Ana"]);
    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    let message = l.reject(&["export", "audit", pack.to_str().unwrap()]);
    assert_eq!(
        message,
        format!(
            "error: {} already exists; pass --force to replace it\n",
            pack.display()
        )
    );
    l.run(&["donation", "7", "--donor", "Berta"]);
    l.run(&[
        "export",
        "audit",
        pack.to_str().unwrap(),
        "--force",
        "--anonymize",
    ]);
    let journal = std::fs::read_to_string(pack.join("journal.csv")).unwrap();
    assert!(
        journal.contains("7.00") && !journal.contains("Berta"),
        "{journal}"
    );
    // An anonymized pack leaves out entries.csv and import_keys.csv.
    assert_eq!(listing(&pack).len(), 25);
    #[cfg(unix)]
    {
        assert_eq!(mode(&pack), 0o700);
        assert_eq!(mode(&pack.join("journal.csv")), 0o600);
    }
    assert_eq!(listing(l.dir.path()), ["ledger.db", "pack"]);

    // A directory holding anything a pack does not is never replaced, not even with --force.
    std::fs::write(pack.join("notes.txt"), "mine").unwrap();
    let message = l.reject(&["export", "audit", pack.to_str().unwrap(), "--force"]);
    assert!(
        message.contains("already exists and holds `notes.txt`, which fondo did not write there"),
        "{message}"
    );
    assert_eq!(listing(&pack).len(), 26);
}

#[test]
fn force_never_replaces_the_ledger_a_database_or_a_directory() {
    let l = TempLedger::new();
    l.run(&["donation", "5", "--donor", "Ana"]);
    let dir = l.dir.path();
    let database = dir.join("other.db");
    l.run(&["backup", database.to_str().unwrap()]);
    let database_bytes = std::fs::read(&database).unwrap();
    let folder = dir.join("folder");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("notes.txt"), "mine").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&l.path, dir.join("link.db")).unwrap();
    std::fs::hard_link(&l.path, dir.join("hard.db")).unwrap();
    let ledger = [
        "ledger.db",
        "link.db",
        "hard.db",
        "ledger.db-wal",
        "ledger.db-shm",
    ];
    let message = |name: &str, why: &str| format!("error: {} {why}", dir.join(name).display());
    let in_use = "is the ledger in use; fondo never writes over it, not even with --force";
    let sqlite =
        "is an SQLite database (a ledger or a backup?); fondo never replaces one, not even with --force";

    for force in [&[][..], &["--force"][..]] {
        for (args, _) in file_writers(Path::new("PATH")) {
            let run = |name: &str| {
                let path = dir.join(name);
                let args: Vec<&str> = args
                    .iter()
                    .map(|a| if a == "PATH" { path.to_str().unwrap() } else { a })
                    .chain(force.iter().copied())
                    .collect();
                l.reject(&args)
            };
            for name in ledger {
                if cfg!(unix) || name != "link.db" {
                    let said = run(name);
                    assert!(said.starts_with(&message(name, in_use)), "{said}");
                }
            }
            let said = run("other.db");
            assert!(said.starts_with(&message("other.db", sqlite)), "{said}");
            let said = run("folder");
            assert!(
                said.starts_with(&message(
                    "folder",
                    "is a directory; name a file to write (--force never replaces a directory)"
                )),
                "{said}"
            );
        }
        // The audit pack's directory: not the ledger, a database, a file, or a folder of
        // someone else's files.
        let audit = |name: &str| {
            let path = dir.join(name);
            let mut args = vec!["export", "audit", path.to_str().unwrap()];
            args.extend_from_slice(force);
            l.reject(&args)
        };
        let said = audit("ledger.db");
        assert!(said.starts_with(&message("ledger.db", in_use)), "{said}");
        let said = audit("hard.db");
        assert!(said.starts_with(&message("hard.db", in_use)), "{said}");
        let said = audit("other.db");
        assert!(said.starts_with(&message("other.db", sqlite)), "{said}");
        std::fs::write(dir.join("plain.txt"), "mine").unwrap();
        let said = audit("plain.txt");
        assert!(
            said.starts_with(&message(
                "plain.txt",
                "already exists and is not a directory; --force replaces only a directory fondo wrote"
            )),
            "{said}"
        );
        let said = audit("folder");
        assert!(
            said.starts_with(&message("folder", "already exists and holds `notes.txt`")),
            "{said}"
        );
    }
    // backup has no --force, and says which file it would not touch.
    let said = l.reject(&["backup", l.path.to_str().unwrap()]);
    assert!(said.starts_with(&message("ledger.db", in_use)), "{said}");
    let said = l.reject(&["backup", database.to_str().unwrap()]);
    assert!(said.contains("a backup never overwrites a file"), "{said}");

    // Everything is as it was: the database, the folder, the links.
    assert_eq!(std::fs::read(&database).unwrap(), database_bytes);
    assert_eq!(listing(&folder), ["notes.txt"]);
    #[cfg(unix)]
    assert!(std::fs::symlink_metadata(dir.join("link.db"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(dir.join("plain.txt")).unwrap(), "mine");
    assert_eq!(temporaries(dir), Vec::<String>::new());
    assert_eq!(l.json(&["verify"])["ok"], true);
}

/// A fondo run paused by the test hook with its temporary on disk, not yet in place.
pub(crate) struct Paused {
    child: Child,
    marker: PathBuf,
    _marker_dir: tempfile::TempDir,
}

impl Paused {
    /// Starts `args` against the ledger and waits until it pauses.
    pub(crate) fn start(l: &TempLedger, args: &[&str]) -> Paused {
        let marker_dir = tempfile::tempdir().unwrap();
        let marker = marker_dir.path().join("paused");
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("fondo"))
            .arg("--db")
            .arg(&l.path)
            .args(args)
            .env("FONDO_USER", "tester")
            .env("FONDO_TEST_PAUSE_WRITE", &marker)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !marker.exists() {
            if let Some(status) = child.try_wait().unwrap() {
                let output = child.wait_with_output().unwrap();
                panic!(
                    "fondo {args:?} ended ({status}) before pausing: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            if started.elapsed() > HANG_GUARD {
                let _ = child.kill();
                panic!("fondo {args:?} never paused");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Paused {
            child,
            marker,
            _marker_dir: marker_dir,
        }
    }

    /// The paused run's temporaries in `dir`: named for its pid.
    pub(crate) fn temporaries(&self, dir: &Path) -> Vec<PathBuf> {
        let prefix = format!(".fondo-tmp-{}-", self.child.id());
        temporaries(dir)
            .into_iter()
            .filter(|n| n.starts_with(&prefix))
            .map(|n| dir.join(n))
            .collect()
    }

    /// Lets the run finish; returns its output.
    pub(crate) fn resume(mut self) -> Output {
        std::fs::remove_file(&self.marker).unwrap();
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if started.elapsed() > HANG_GUARD {
                let _ = self.child.kill();
                panic!("fondo never finished after its pause");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.child.wait_with_output().unwrap()
    }

    /// Kills the run (SIGKILL) where it paused.
    pub(crate) fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// While a write is in progress its temporary is private (a file 0600, a directory 0700
/// with files 0600), and nothing else in the directory is readable by others; afterwards
/// the output has its final mode.
#[cfg(unix)]
#[test]
fn a_write_in_progress_is_readable_by_its_owner_only() {
    let l = sample();
    let out = l.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = |name: &str| out.join(name).to_str().unwrap().to_string();
    let cases: [(Vec<String>, &str, u32); 5] = [
        (
            vec![
                "export".into(),
                "journal".into(),
                "-o".into(),
                path("journal.csv"),
            ],
            "journal.csv",
            0o600,
        ),
        (
            vec![
                "report".into(),
                "transparency".into(),
                "-o".into(),
                path("page.html"),
            ],
            "page.html",
            0o644,
        ),
        (vec!["export".into(), "audit".into(), path("pack")], "pack", 0o700),
        (
            vec![
                "export".into(),
                "audit".into(),
                path("public"),
                "--anonymize".into(),
                "--public".into(),
            ],
            "public",
            0o755,
        ),
        (vec!["backup".into(), path("backup.db")], "backup.db", 0o600),
    ];
    for (args, name, final_mode) in cases {
        let args = with(&args, &[]);
        let paused = Paused::start(&l, &args);
        let temps = paused.temporaries(&out);
        assert_eq!(temps.len(), 1, "{args:?}: {:?}", listing(&out));
        let temp = &temps[0];
        if temp.is_dir() {
            assert_eq!(mode(temp), 0o700, "{args:?}");
            let files = listing(temp);
            let anonymized = args.contains(&"--anonymize");
            assert_eq!(files.len(), if anonymized { 25 } else { 27 }, "{args:?}");
            for file in files {
                assert_eq!(mode(&temp.join(&file)), 0o600, "{args:?}: {file}");
            }
        } else {
            assert_eq!(mode(temp), 0o600, "{args:?}");
            assert!(std::fs::metadata(temp).unwrap().len() > 0, "{args:?}");
        }
        // Beside it, only what earlier cases made public on purpose.
        for other in listing(&out) {
            let other_path = out.join(&other);
            if other_path != *temp && !["page.html", "public"].contains(&other.as_str()) {
                assert_eq!(mode(&other_path) & 0o077, 0, "{args:?}: {other}");
            }
        }
        assert!(!out.join(name).exists(), "{args:?}: in place before it was whole");
        let output = paused.resume();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(mode(&out.join(name)), final_mode, "{args:?}");
        assert_eq!(temporaries(&out), Vec::<String>::new(), "{args:?}");
    }
    assert_eq!(mode(&out.join("public/journal.csv")), 0o644);
    assert_eq!(mode(&out.join("pack/journal.csv")), 0o600);
}

/// A killed writer's temporary is cleared by the next run of any writing command in the
/// directory; a running writer's is not, though it sits in the same directory.
#[test]
fn a_killed_writers_temporary_is_cleared_and_a_running_ones_is_not() {
    let l = sample();
    let out = l.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let path = |name: &str| out.join(name).to_str().unwrap().to_string();

    let pack = Paused::start(&l, &["export", "audit", &path("pack")]);
    let journal = Paused::start(&l, &["export", "journal", "-o", &path("journal.csv")]);
    let (pack_temp, journal_temp) = (pack.temporaries(&out), journal.temporaries(&out));
    assert_eq!((pack_temp.len(), journal_temp.len()), (1, 1));
    // Another writer in the same directory while both run: it leaves their temporaries be.
    l.run(&["backup", &path("one.db")]);
    assert!(pack_temp[0].exists() && journal_temp[0].exists());

    // Killed, they leave their temporaries behind, until the next writer clears them.
    pack.kill();
    journal.kill();
    assert!(pack_temp[0].exists() && journal_temp[0].exists());
    l.run(&["report", "transparency", "-o", &path("page.html")]);
    assert_eq!(temporaries(&out), Vec::<String>::new());
    assert_eq!(listing(&out), ["one.db", "page.html"]);

    // A running backup's temporary survives a writer that clears a killed one's.
    let stale = Paused::start(&l, &["backup", &path("two.db")]);
    let stale_temp = stale.temporaries(&out);
    stale.kill();
    let running = Paused::start(&l, &["backup", &path("three.db")]);
    let running_temp = running.temporaries(&out);
    l.run(&["export", "journal", "-o", &path("journal.csv")]);
    assert!(!stale_temp[0].exists());
    assert!(running_temp[0].exists());
    let output = running.resume();
    assert!(output.status.success());
    assert_eq!(temporaries(&out), Vec::<String>::new());
    assert_eq!(listing(&out), ["journal.csv", "one.db", "page.html", "three.db"]);
}

#[test]
fn clearing_leftovers_never_removes_the_ledger_in_use() {
    // A ledger whose name looks like a leftover temporary of a process long gone.
    let l = TempLedger::new();
    let dir = l.dir.path().join("sw");
    std::fs::create_dir(&dir).unwrap();
    let odd = dir.join(".fondo-tmp-999999-ledger.db");
    std::fs::copy(&l.path, &odd).unwrap();
    let out = dir.join("out.csv");
    crate::common::fondo()
        .arg("--db")
        .arg(&odd)
        .args(["export", "journal", "-o", out.to_str().unwrap()])
        .assert()
        .success();
    assert!(odd.exists(), "the ledger in use was removed as a leftover");
    assert!(out.exists());
}

/// A reader that stops early (`fondo … | head -1`) is the reader's choice, not a failure:
/// every command that writes to standard output exits 0 and says nothing when the pipe is
/// closed before it writes. (`fondo completions bash | head -1` panicked with exit 101.)
#[test]
fn a_closed_pipe_is_success_for_every_command_that_prints() {
    let l = crate::export::sample();
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["completions", "elvish"],
        vec!["completions", "powershell"],
        vec!["man"],
        vec!["--help"],
        vec!["export", "journal"],
        vec!["verify"],
        vec!["show", "1"],
        vec!["account", "list"],
        vec!["fund", "list"],
        vec!["commune", "list"],
        vec!["settings"],
        vec!["report", "transparency"],
        vec!["--format", "md", "report", "transparency"],
    ];
    for format in ["table", "csv", "json"] {
        for report in [
            "balance", "register", "funds", "union", "communes", "campaign", "donors",
        ] {
            commands.push(vec!["--format", format, "report", report]);
        }
    }
    for args in commands {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("fondo"))
            .env_remove("FONDO_DB")
            .env("FONDO_USER", "tester")
            .arg("--db")
            .arg(&l.path)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the command writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).to_string()
            ),
            (Some(0), String::new()),
            "fondo {args:?}"
        );
    }
}

/// `-o -` is standard output for every command that writes one file, as for most tools; no
/// file named `-` appears.
#[test]
fn dash_as_the_output_file_is_standard_output() {
    let l = TempLedger::new();
    l.run(&["donation", "50", "--donor", "Ana Pérez", "--date", "2026-03-02"]);
    let dir = l.dir.path();
    let to_stdout = |args: &[&str]| {
        let output = l.cmd().current_dir(dir).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!dir.join("-").exists(), "{args:?} wrote a file named -");
        String::from_utf8(output.stdout).unwrap()
    };
    let journal = to_stdout(&["export", "journal", "-o", "-"]);
    assert_eq!(journal, l.run(&["export", "journal"]));
    assert!(journal.contains("income:donations"), "{journal}");
    let page = to_stdout(&["--format", "md", "report", "transparency", "-o", "-"]);
    assert_eq!(page, l.run(&["--format", "md", "report", "transparency"]));
    let letter = to_stdout(&[
        "report",
        "statement",
        "--donor",
        "Ana Pérez",
        "--year",
        "2026",
        "-o",
        "-",
    ]);
    assert!(
        letter.contains("Ana Pérez") && letter.contains("50.00"),
        "{letter}"
    );
    let bytes = "paid 50.00\n";
    std::fs::write(dir.join("receipt.txt"), bytes).unwrap();
    l.run(&["attach", "1", dir.join("receipt.txt").to_str().unwrap()]);
    assert_eq!(to_stdout(&["attachment", "get", "1", "-o", "-"]), bytes);
}

/// Where `-` cannot stand for standard output (a directory of letters, a page with its
/// evidence beside it, an audit pack, a backup, manual pages), it is refused, and nothing is
/// written.
#[test]
fn dash_is_refused_where_a_directory_is_written() {
    let l = TempLedger::new();
    l.run(&["donation", "50", "--donor", "Ana Pérez", "--date", "2026-03-02"]);
    let dir = l.dir.path();
    for (args, says) in [
        (
            &["report", "statement", "--all", "--year", "2026", "-o", "-"][..],
            "give -o a directory",
        ),
        (
            &["report", "transparency", "-o", "-", "--public-evidence"][..],
            "give -o a file name",
        ),
        (&["export", "audit", "-"][..], "DIR cannot be `-`"),
        (&["backup", "-"][..], "DEST cannot be `-`"),
        (&["man", "--dir", "-"][..], "--dir cannot be `-`"),
    ] {
        let before = listing(dir);
        let output = l.cmd().current_dir(dir).args(args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            !output.status.success() && stderr.starts_with("error: "),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert_eq!(listing(dir), before, "{args:?}");
    }
}

/// `--db -` (or `FONDO_DB=-`) is refused: a ledger is no stream, and a file named `-` would
/// be made in the current directory.
#[test]
fn dash_is_no_ledger() {
    let dir = tempfile::tempdir().unwrap();
    for (args, env) in [(&["--db", "-", "init"][..], None), (&["init"][..], Some("-"))] {
        let mut cmd = crate::common::fondo();
        cmd.current_dir(dir.path()).args(args);
        if let Some(value) = env {
            cmd.env("FONDO_DB", value);
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            !output.status.success() && stderr.starts_with("error: "),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("cannot be `-`"), "{stderr}");
        assert!(listing(dir.path()).is_empty(), "{args:?}");
    }
}
