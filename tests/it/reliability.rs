//! Whatever happens — a killed process, a full disk, two terminals at once, a damaged file —
//! no transaction is lost or half-written, and nothing changes without `verify` noticing.
//! Trial counts can be raised with FONDO_RELIABILITY_TRIALS (the defaults keep CI short).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{fondo, TempLedger};
use crate::export::sample;
use crate::outputs::{temporaries, HANG_GUARD};
use crate::workflow::worked_example;

/// A small deterministic random number generator (xorshift), so a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn trials(default: u64) -> u64 {
    std::env::var("FONDO_RELIABILITY_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("fondo")
}

/// `verify` as JSON: whether it passed, and how many transactions the ledger holds.
fn verified(l: &TempLedger) -> (bool, i64) {
    let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        report["ok"] == true,
        report["transactions"].as_i64().unwrap_or(-1),
    )
}

/// A simple file of `rows` gifts that imports cleanly.
fn gifts_file(l: &TempLedger, rows: usize) -> std::path::PathBuf {
    let path = l.dir.path().join("gifts.csv");
    let mut text =
        String::from("date,description,debit,credit,amount,currency,fund,counterparty,reference\n");
    for i in 0..rows {
        text.push_str(&format!(
            "2025-{:02}-{:02},Gift,assets:bank,income:donations,{}.{:02},,,Donor {i},G-{i}\n",
            1 + i % 12,
            1 + i % 28,
            1 + i % 500,
            i % 100
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts `args` against the ledger and kills it (SIGKILL) after `delay` if still running.
/// Returns whether it finished on its own, and successfully.
fn run_and_kill(l: &TempLedger, args: &[&str], delay: Duration) -> Option<bool> {
    let mut child = Command::new(bin())
        .arg("--db")
        .arg(&l.path)
        .args(args)
        .env("FONDO_USER", "tester")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    match child.try_wait().unwrap() {
        Some(status) => Some(status.success()),
        None => {
            child.kill().unwrap();
            child.wait().unwrap();
            None
        }
    }
}

#[test]
fn killed_imports_leave_all_or_nothing() {
    let l = TempLedger::new();
    l.run(&["donation", "5", "--donor", "Before", "--date", "2026-01-01"]);
    let rows = 2_000;
    let file = gifts_file(&l, rows);
    let mut random = Random(0x5eed_f0d0);
    let mut killed = 0;
    for trial in 0..trials(50) {
        let before = verified(&l).1;
        // Delays up to about the time a whole import takes, so kills land everywhere in it.
        let delay = Duration::from_millis(random.below(700));
        let outcome = run_and_kill(&l, &["import", file.to_str().unwrap()], delay);
        killed += u64::from(outcome.is_none());
        let (ok, after) = verified(&l);
        assert!(ok, "trial {trial}: verify failed after a kill at {delay:?}");
        let added = after - before;
        assert!(
            added == 0 || added == rows as i64,
            "trial {trial}: {added} of {rows} rows recorded"
        );
        if added > 0 {
            // Start again from one gift, so later kills meet a new import each time.
            let fresh = TempLedger::new();
            std::fs::copy(&fresh.path, &l.path).unwrap();
            l.run(&["donation", "5", "--donor", "Before", "--date", "2026-01-01"]);
        }
    }
    assert!(killed > 0, "no import was ever killed; lengthen the file");
}

#[test]
fn killed_recording_commands_and_backups_leave_all_or_nothing() {
    let l = TempLedger::new();
    let mut random = Random(0xbac_c0de);
    for trial in 0..trials(20) {
        let before = verified(&l).1;
        let delay = Duration::from_millis(random.below(40));
        let reference = format!("K-{trial}");
        run_and_kill(
            &l,
            &["donation", "7.50", "--donor", "Kill", "--ref", &reference],
            delay,
        );
        let (ok, after) = verified(&l);
        assert!(ok, "trial {trial}");
        assert!(
            after == before || after == before + 1,
            "trial {trial}: {before} -> {after}"
        );
    }
    for trial in 0..trials(10) {
        let dest = l.dir.path().join(format!("backup-{trial}.db"));
        let delay = Duration::from_millis(random.below(60));
        run_and_kill(&l, &["backup", dest.to_str().unwrap()], delay);
        assert!(verified(&l).0, "the ledger after a killed backup {trial}");
        // A backup exists under its name only when it is whole.
        if dest.exists() {
            let copy = TempLedger {
                dir: tempfile::tempdir().unwrap(),
                path: dest,
            };
            assert!(verified(&copy).0, "backup {trial} exists but does not verify");
        }
    }
}

/// Fails every write to the ledger's files from the Nth on, as a full disk would,
/// and every sync, as a dying disk would (strace's fault injection).
#[cfg(target_os = "linux")]
#[test]
#[cfg_attr(not(has_strace), ignore = "needs strace to fail writes; .ci/run installs it")]
fn a_full_disk_fails_cleanly_and_changes_nothing() {
    let rows = 300;
    let mut failures = 0;
    for n in [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256] {
        for (calls, error) in [("pwrite64", "ENOSPC"), ("fsync,fdatasync", "EIO")] {
            let fault = format!("{calls}:{error}:{n}");
            let l = TempLedger::new();
            l.run(&["donation", "5", "--donor", "Before", "--date", "2026-01-01"]);
            let file = gifts_file(&l, rows);
            let before = l.snapshot();
            let out = Command::new("strace")
                .args([
                    "-f",
                    "-o",
                    "/dev/null",
                    "-e",
                    "trace=pwrite64,fsync,fdatasync",
                    "-e",
                ])
                .arg(format!("inject={calls}:error={error}:when={n}+"))
                .arg(bin())
                .arg("--db")
                .arg(&l.path)
                .args(["import", file.to_str().unwrap()])
                .env("FONDO_USER", "tester")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("bug"), "{fault}: {stderr}");
            let (ok, count) = verified(&l);
            assert!(ok, "{fault}: verify failed after the fault");
            if out.status.success() {
                assert_eq!(count, 1 + rows as i64, "{fault} succeeded but lost rows");
            } else {
                failures += 1;
                assert!(
                    stderr.lines().any(|line| line.starts_with("error: ")),
                    "{fault}: {stderr}"
                );
                assert_eq!(l.snapshot(), before, "{fault} failed but changed the ledger");
            }
        }
    }
    assert!(failures > 5, "the faults never made an import fail");
}

/// `verify` while donations, voids and imports are recorded beside it finds nothing wrong:
/// every check it runs (the walk, SQLite's, the import keys', the donors' totals) reads the
/// same state of the ledger. Each of them read its own, and an honest ledger was reported
/// as changed outside fondo.
#[test]
fn verify_while_others_record_sees_one_state_of_the_ledger() {
    let l = TempLedger::new();
    let gifts = gifts_file(&l, 3_000);
    l.run(&["import", gifts.to_str().unwrap()]);
    let path = l.path.clone();
    let dir = l.dir.path().to_path_buf();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let done = done.clone();
        std::thread::spawn(move || {
            let run = |args: &[&str]| -> Value {
                let out = Command::new(bin())
                    .arg("--db")
                    .arg(&path)
                    .args(["--format", "json"])
                    .args(args)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
            };
            let mut k = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let file = dir.join(format!("more-{k}.csv"));
                std::fs::write(
                    &file,
                    format!("date,description,debit,credit,amount,currency,fund,counterparty,reference\n2026-01-02,Gift,assets:bank,income:donations,2.00,,,Importer {k},I-{k}\n"),
                )
                .unwrap();
                run(&["import", file.to_str().unwrap()]);
                let gift = run(&["donation", "3", "--donor", &format!("Writer {k}")]);
                run(&["void", &gift["txn"].to_string(), "--reason", "test"]);
                k += 1;
            }
        })
    };
    for run in 0..trials(4) {
        let out = l.cmd().args(["verify"]).output().unwrap();
        assert!(
            out.status.success(),
            "verify {run} while others record: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert!(verified(&l).0);
}

#[test]
fn four_writers_at_once_record_everything_once() {
    let l = TempLedger::new();
    let per_writer = trials(250) as usize;
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let path = l.path.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    let out = Command::new(bin())
                        .arg("--db")
                        .arg(&path)
                        .args([
                            "donation",
                            "1.00",
                            "--donor",
                            &format!("Writer {w}"),
                            "--ref",
                            &format!("W{w}-{i}"),
                        ])
                        .env("FONDO_USER", format!("writer-{w}"))
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let (ok, count) = verified(&l);
    assert!(ok);
    assert_eq!(count, 4 * per_writer as i64);
    let report = l.json(&["report", "donors"]);
    let counts: Vec<i64> = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["row"] == "donor")
        .map(|r| r["count"].as_i64().unwrap())
        .collect();
    assert_eq!(
        counts,
        vec![per_writer as i64; 4],
        "each writer's gifts, each once"
    );
}

#[test]
fn an_import_and_a_recording_at_the_same_time_both_succeed() {
    let l = TempLedger::new();
    let rows = 3_000;
    let file = gifts_file(&l, rows);
    let import = Command::new(bin())
        .arg("--db")
        .arg(&l.path)
        .args(["import", file.to_str().unwrap()])
        .output();
    let importer = std::thread::spawn(move || import.unwrap());
    let mut recorded = 0;
    for i in 0..20 {
        let out = l
            .cmd()
            .args([
                "donation",
                "2",
                "--donor",
                "Meanwhile",
                "--ref",
                &format!("M-{i}"),
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a recording while an import runs: {stderr}");
        recorded += 1;
    }
    let import = importer.join().unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert_eq!(verified(&l), (true, rows as i64 + recorded));
}

/// Random byte flips in copies of a ledger: an error or a failed verify, never a panic, and
/// never "ok" with different data.
#[test]
fn flipped_bytes_are_noticed() {
    let original = worked_example();
    let bytes = std::fs::read(&original.path).unwrap();
    let reference = original.snapshot();
    let mut random = Random(0xf11b_5eed);
    let (mut errors, mut failed, mut unchanged) = (0, 0, 0);
    let copy = TempLedger::uninitialized();
    for trial in 0..trials(200) {
        let mut damaged = bytes.clone();
        let at = random.below(damaged.len() as u64) as usize;
        damaged[at] ^= 1 << random.below(8);
        std::fs::write(&copy.path, &damaged).unwrap();
        let _ = std::fs::remove_file(copy.path.with_extension("db-wal"));
        let out = fondo()
            .arg("--db")
            .arg(&copy.path)
            .args(["--format", "json", "verify"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "trial {trial} (byte {at}): {stderr}"
        );
        match out.status.code() {
            Some(0) => {
                // Verify passed: then the flip touched nothing the ledger holds.
                let now = copy.snapshot();
                let changed: Vec<(&str, &str)> = now
                    .lines()
                    .zip(reference.lines())
                    .filter(|(a, b)| a != b)
                    .collect();
                assert!(
                    now == reference,
                    "trial {trial}: verify passed on changed data (byte {at}): {changed:?}"
                );
                unchanged += 1;
            }
            Some(1) if out.stdout.is_empty() => errors += 1,
            Some(1) => failed += 1,
            other => panic!("trial {trial}: exit {other:?}: {stderr}"),
        }
    }
    assert!(
        errors + failed > 0 && unchanged > 0,
        "{errors} errors, {failed} failed verifies, {unchanged} harmless"
    );
}

#[test]
fn a_backup_is_private_verified_and_never_overwrites() {
    let l = worked_example();
    let dest = l.dir.path().join("backup.db");
    let said = l.run(&["backup", dest.to_str().unwrap()]);
    assert!(
        said.starts_with(&format!(
            "backup written to {}: 9 transactions verified, head ",
            dest.display()
        )),
        "{said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let copy = TempLedger {
        dir: tempfile::tempdir().unwrap(),
        path: dest.clone(),
    };
    assert_eq!(copy.json(&["report", "balance"]), l.json(&["report", "balance"]));
    assert!(l
        .reject(&["backup", dest.to_str().unwrap()])
        .contains("never overwrites"));
    // Nothing else is left beside it: no temporary copy with donor data.
    let names: Vec<String> = std::fs::read_dir(l.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("ledger.db"))
        .collect();
    assert_eq!(names, ["backup.db"]);
    // A restored backup is a working ledger.
    copy.run(&["donation", "1", "--donor", "After restore"]);
    assert_eq!(verified(&copy), (true, 10));
}

/// `verify` of the file at `path` as JSON: whether it passed, and how many transactions.
fn verified_file(path: &Path) -> (bool, i64) {
    let copy = TempLedger {
        dir: tempfile::tempdir().unwrap(),
        path: path.to_path_buf(),
    };
    verified(&copy)
}

/// Kills `backup`, `export audit` and `export journal -o` at random points of their work on
/// the sample ledger, 20 times each, half of the packs and exports replacing an earlier one
/// with --force: the destination is then absent or whole, and the next run in the directory
/// succeeds and leaves no temporary behind.
#[test]
fn killed_backups_audit_packs_and_exports_leave_nothing_behind() {
    let l = sample();
    let out = l.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let journal = l.run(&["export", "journal"]);
    let transactions = verified(&l).1;
    let whole = |dest: &Path| match dest.extension().and_then(|e| e.to_str()) {
        Some("db") => assert_eq!(verified_file(dest), (true, transactions), "{dest:?}"),
        Some("csv") => assert!(std::fs::read_to_string(dest).unwrap() == journal, "{dest:?}"),
        _ => {
            assert_eq!(std::fs::read_dir(dest).unwrap().count(), 27, "{dest:?}");
            assert!(std::fs::read_to_string(dest.join("journal.csv")).unwrap() == journal);
            let verify = std::fs::read_to_string(dest.join("verify.json")).unwrap();
            assert!(verify.contains("\"ok\": true"), "{verify}");
        }
    };
    let mut random = Random(0xdead_f11e);
    let mut killed = 0;
    for (name, command) in [
        ("backup.db", &["backup"][..]),
        ("pack", &["export", "audit"][..]),
        ("journal.csv", &["export", "journal", "-o"][..]),
    ] {
        let dest = out.join(name);
        let args = |force: bool| {
            let mut args: Vec<&str> = command.to_vec();
            args.push(dest.to_str().unwrap());
            if force {
                args.push("--force");
            }
            args
        };
        // How long one whole run takes here, so that the kills land all through one.
        let started = Instant::now();
        l.run(&args(false));
        let whole_run = started.elapsed();
        for trial in 0..trials(20) {
            let replacing = trial % 2 == 1 && name != "backup.db";
            if !replacing {
                let _ = std::fs::remove_file(&dest);
                let _ = std::fs::remove_dir_all(&dest);
            } else if !dest.exists() {
                l.run(&args(false));
            }
            let delay = Duration::from_micros(random.below(whole_run.as_micros() as u64 * 5 / 4 + 1));
            killed += u64::from(run_and_kill(&l, &args(replacing), delay).is_none());
            if dest.exists() {
                whole(&dest);
            }
            // The next run in the directory succeeds and clears what the killed one left.
            if name == "backup.db" {
                let _ = std::fs::remove_file(&dest);
            }
            l.run(&args(dest.exists()));
            assert_eq!(temporaries(&out), Vec::<String>::new(), "{name} trial {trial}");
            whole(&dest);
        }
    }
    assert!(killed > 0, "no run was ever killed");
    assert!(verified(&l).0);
}

/// A backup finishes while another process records a donation every 100 ms: the online
/// backup API restarted whenever the ledger changed between two of its steps. The copy is
/// one self-contained file, private, and verifies.
#[test]
fn a_backup_finishes_while_donations_keep_arriving() {
    let l = TempLedger::new();
    let file = gifts_file(&l, 1_000);
    l.run(&["import", file.to_str().unwrap()]);
    let stop = Arc::new(AtomicBool::new(false));
    let recorded = Arc::new(AtomicU64::new(0));
    let writer = {
        let (stop, recorded, path) = (stop.clone(), recorded.clone(), l.path.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let i = recorded.load(Ordering::SeqCst);
                let out = Command::new(bin())
                    .arg("--db")
                    .arg(&path)
                    .args(["donation", "1", "--donor", "Meanwhile", "--ref"])
                    .arg(format!("L-{i}"))
                    .env("FONDO_USER", "writer")
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                recorded.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let started = Instant::now();
    while recorded.load(Ordering::SeqCst) < 2 && started.elapsed() < HANG_GUARD {
        std::thread::sleep(Duration::from_millis(10));
    }
    let dest = l.dir.path().join("backup.db");
    let mut backup = Command::new(bin())
        .arg("--db")
        .arg(&l.path)
        .args(["backup", dest.to_str().unwrap()])
        .env("FONDO_USER", "tester")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while backup.try_wait().unwrap().is_none() && started.elapsed() < HANG_GUARD {
        std::thread::sleep(Duration::from_millis(20));
    }
    let finished = backup.try_wait().unwrap().is_some();
    if !finished {
        backup.kill().unwrap();
    }
    let output = backup.wait_with_output().unwrap();
    let during = recorded.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(
        finished,
        "the backup never finished while donations kept arriving"
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(during >= 2, "the writer was not writing");
    // One file in rollback-journal mode (header bytes 18 and 19 are 2 in WAL mode).
    let header = std::fs::read(&dest).unwrap();
    assert_eq!((header[18], header[19]), (1, 1));
    #[cfg(unix)]
    assert_eq!(crate::outputs::mode(&dest), 0o600);
    let (ok, count) = verified_file(&dest);
    assert!(ok, "the backup does not verify");
    assert!(
        (1_002..=1_000 + recorded.load(Ordering::SeqCst) as i64).contains(&count),
        "{count} transactions in the backup"
    );
    assert_eq!(temporaries(l.dir.path()), Vec::<String>::new());
}
