//! The files fondo writes at paths it is given: `export journal -o FILE`,
//! `report transparency -o FILE`, `export audit DIR` and `backup DEST`. One place decides
//! what may be replaced and how a file comes into being:
//!
//! - what is already at the path is refused unless the command was given `--force`, and even
//!   then the ledger in use, any SQLite file and a directory given for a file never are;
//! - the new content is written into a temporary file (or directory) beside the path, named
//!   `.fondo-tmp-<pid>-<random>`, readable by its owner only from its first byte, synced, and
//!   renamed into place only when whole, so a reader never sees half of it;
//! - a temporary that a killed run left behind is removed by the next run that writes in the
//!   same directory, and one that a running fondo is still writing is never touched.
//!
//! It holds no knowledge of what is written: callers hand it a closure that writes.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, OutputRefusal, Result};

/// Readable by the owner only: anything that may name donors.
pub const PRIVATE: u32 = 0o600;
/// Readable by anyone: pages meant to be shared.
pub const PUBLIC: u32 = 0o644;
/// A directory only its owner may enter.
pub const PRIVATE_DIR: u32 = 0o700;
/// A directory anyone may list and enter.
pub const PUBLIC_DIR: u32 = 0o755;

/// What every temporary fondo makes starts with, so the next run can recognise its own.
pub const TEMP_PREFIX: &str = ".fondo-tmp-";

/// Test hook: when set to a path, a writer whose temporary is complete but not yet renamed
/// into place creates that file (holding the temporary's path) and waits until it is
/// removed, so that a test can look at what is on disk mid-write. Unset, it does nothing.
pub const PAUSE_WRITE_ENV: &str = "FONDO_TEST_PAUSE_WRITE";

/// What may happen to something already at a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Never replaced, and there is no `--force` to ask (`backup`).
    Keep,
    /// Refused, with a message naming `--force`.
    Refuse,
    /// `--force`: replaced, unless it is the ledger, an SQLite file or not of the kind written.
    Replace,
}

impl Existing {
    /// From a command's `--force` flag.
    pub fn from_force(force: bool) -> Existing {
        if force {
            Existing::Replace
        } else {
            Existing::Refuse
        }
    }
}

/// Where a command writes, and the ledger it must never write over.
#[derive(Clone, Copy, Debug)]
pub struct Destination<'a> {
    pub path: &'a Path,
    /// The ledger in use.
    pub ledger: &'a Path,
    pub existing: Existing,
}

/// What is written at a destination.
#[derive(Clone, Copy, Debug)]
enum Kind<'a> {
    File,
    /// A directory of these files: with `--force`, only a directory holding nothing but some
    /// of them (an earlier run's output) is replaced.
    Directory(&'a [&'a str]),
}

/// Whether an output path means standard output: `-o -`, as for most tools
/// (`fondo export journal -o - | sha256sum`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuses `-` where standard output cannot stand in (a ledger, a backup, a directory):
/// `what` names the argument.
pub fn refuse_stdout(path: &Path, what: &str) -> Result<()> {
    if is_stdout(path) {
        return Err(Error::Usage(format!(
            "{what} cannot be `-` (standard output): give a path, or `./-` for a file named -"
        )));
    }
    Ok(())
}

/// A file name as a message shows it: not valid Unicode replaced, control and format
/// characters escaped, so that a file named with escape sequences cannot retitle or clear
/// the terminal when fondo names it.
pub fn shown(path: &Path) -> String {
    crate::domain::names::escape_controls(&path.to_string_lossy())
}

/// The directory `path` is in: where a temporary is made before it is renamed to `path`,
/// so that the rename stays on one file system.
pub fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `dest` with `mode`, whole or not at all (see the module's documentation).
pub fn write_file<T>(
    dest: &Destination,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    let mut temp = TempFile::beside(dest)?;
    let value = {
        let mut buffered = BufWriter::new(temp.file.as_file_mut());
        let value = write(&mut buffered).map_err(|e| e.written_to(dest.path))?;
        buffered.flush().map_err(Error::io("write", dest.path))?;
        value
    };
    temp.persist(dest, mode)?;
    Ok(value)
}

/// A new, empty temporary file beside a destination: mode 0600 from its creation, locked
/// while this process lives, removed if dropped before [`TempFile::persist`].
pub struct TempFile {
    file: tempfile::NamedTempFile,
}

impl TempFile {
    /// Checks that `dest` may be written, clears what killed runs left beside it, and makes
    /// the temporary.
    pub fn beside(dest: &Destination) -> Result<TempFile> {
        check(dest, Kind::File)?;
        let dir = directory_of(dest.path);
        sweep(dir, dest.ledger);
        let file = new_temp_file(dir)
            .map_err(without_temp_name)
            .map_err(Error::io("create a file in", dir))?;
        lock(file.as_file()).map_err(Error::io("lock", file.path()))?;
        Ok(TempFile { file })
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Syncs the temporary, renames it to `dest` (replacing what is there only for
    /// [`Existing::Replace`], after checking again), and gives it `mode`.
    pub fn persist(self, dest: &Destination, mode: u32) -> Result<()> {
        pause_for_test(self.path())?;
        self.file
            .as_file()
            .sync_all()
            .map_err(Error::io("write", dest.path))?;
        // The write may have taken a while: what is at the path now is what counts.
        check(dest, Kind::File)?;
        let persisted = match dest.existing {
            Existing::Replace => self.file.persist(dest.path),
            Existing::Keep | Existing::Refuse => self.file.persist_noclobber(dest.path),
        };
        let file = persisted.map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => refused(dest.path, existing_refusal(dest.existing)),
            _ => Error::io("write", dest.path)(e.error),
        })?;
        // Through the open file, not the path: whatever now has the name, this is the file.
        set_file_mode(&file, mode).map_err(Error::io("set the permissions of", dest.path))?;
        sync_directory(directory_of(dest.path));
        Ok(())
    }
}

/// Writes the directory `dest`: `build` fills a temporary directory (mode 0700, files 0600)
/// beside it, which is renamed into place when whole; then its files get `file_mode` and the
/// directory `dir_mode`. With `--force`, an existing directory is replaced only if it holds
/// nothing but files named in `names` (an earlier run's output).
pub fn write_directory<T>(
    dest: &Destination,
    names: &[&str],
    dir_mode: u32,
    file_mode: u32,
    build: impl FnOnce(&mut DirectoryWriter) -> Result<T>,
) -> Result<T> {
    let kind = Kind::Directory(names);
    check(dest, kind)?;
    let parent = directory_of(dest.path);
    sweep(parent, dest.ledger);
    let temp = new_temp_dir(parent)
        .map_err(without_temp_name)
        .map_err(Error::io("create a directory in", parent))?;
    let held = lock_directory(temp.path()).map_err(Error::io("lock", temp.path()))?;
    let mut writer = DirectoryWriter {
        dir: temp.path().to_path_buf(),
        dest: dest.path,
        allowed: names,
        names: Vec::new(),
    };
    let value = build(&mut writer)?;
    pause_for_test(temp.path())?;
    sync_directory(temp.path());
    check(dest, kind)?;
    // From here the temporary is ours to remove if it cannot take its name.
    let built = temp.keep();
    if let Err(e) = put_directory_in_place(&built, dest) {
        let _ = fs::remove_dir_all(&built);
        return Err(e);
    }
    drop(held);
    for name in &writer.names {
        // A subdirectory (`evidence/`) is entered like the directory itself.
        let mode = if name.ends_with('/') { dir_mode } else { file_mode };
        set_mode(&dest.path.join(name), mode)?;
    }
    set_mode(dest.path, dir_mode)?;
    sync_directory(parent);
    Ok(value)
}

/// Renames `built` to `dest`. An existing directory (only there for [`Existing::Replace`],
/// which [`check`] allowed) is first moved aside under a temporary name and removed after:
/// were this run killed in between, the destination would be absent, never half-written, and
/// the next run would clear what was moved aside.
fn put_directory_in_place(built: &Path, dest: &Destination) -> Result<()> {
    let aside = if dest.existing == Existing::Replace && fs::symlink_metadata(dest.path).is_ok() {
        // The built directory's name is unique, so this one is too, and it is still a
        // temporary's name that the next run would clear.
        let mut aside = built.as_os_str().to_owned();
        aside.push("-old");
        let aside = PathBuf::from(aside);
        fs::rename(dest.path, &aside).map_err(Error::io("replace", dest.path))?;
        Some(aside)
    } else {
        None
    };
    // Between the check above and this rename another process could only have made an empty
    // directory at the path (rename(2) replaces nothing else), so nothing can be lost.
    if let Err(e) = fs::rename(built, dest.path) {
        if let Some(aside) = &aside {
            let _ = fs::rename(aside, dest.path);
        }
        return Err(Error::io("create", dest.path)(e));
    }
    if let Some(aside) = aside {
        let _ = fs::remove_dir_all(aside);
    }
    Ok(())
}

/// Writes files into the temporary directory of [`write_directory`].
pub struct DirectoryWriter<'a> {
    dir: PathBuf,
    /// Where the directory goes: errors name its files there, not in the temporary.
    dest: &'a Path,
    /// The names the caller declared: only a directory of these is replaced with `--force`.
    allowed: &'a [&'a str],
    names: Vec<String>,
}

impl DirectoryWriter<'_> {
    /// Writes the file `name` (mode 0600 from its creation) and syncs it.
    pub fn file(&mut self, name: &str, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let subdirectory = name.split_once('/').map(|(sub, _)| format!("{sub}/"));
        assert!(
            self.allowed.contains(&name)
                || subdirectory
                    .as_deref()
                    .is_some_and(|sub| self.allowed.contains(&sub)),
            "`{name}` is missing from the names given to write_directory"
        );
        if let Some(sub) = &subdirectory {
            if !self.names.contains(sub) {
                fs::create_dir(self.dir.join(sub)).map_err(Error::io("create", &self.dest.join(sub)))?;
                set_mode(&self.dir.join(sub), PRIVATE_DIR)?;
                self.names.push(sub.clone());
            }
        }
        let path = self.dest.join(name);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE);
        let file = options
            .open(self.dir.join(name))
            .map_err(Error::io("create", &path))?;
        let mut out = BufWriter::new(file);
        write(&mut out).map_err(|e| e.written_to(&path))?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io("write", &path)(e.into_error()))?;
        file.sync_all().map_err(Error::io("write", &path))?;
        self.names.push(name.to_string());
        Ok(())
    }

    /// The names written so far, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

fn refused(path: &Path, reason: OutputRefusal) -> Error {
    Error::OutputRefused {
        path: path.to_path_buf(),
        reason,
    }
}

fn existing_refusal(existing: Existing) -> OutputRefusal {
    match existing {
        Existing::Keep => OutputRefusal::BackupExists,
        Existing::Refuse | Existing::Replace => OutputRefusal::Exists,
    }
}

/// Whether `dest` may be written: nothing is there, or `--force` was given and what is there
/// is neither the ledger, nor an SQLite file, nor of another kind than what is written.
fn check(dest: &Destination, kind: Kind) -> Result<()> {
    let path = dest.path;
    let here = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("look at", path)(e)),
    };
    // Through a symbolic link: a link to the ledger is the ledger. None: a dangling link.
    if let Ok(target) = fs::metadata(path) {
        precious(dest, path, &target)?;
    }
    if dest.existing == Existing::Keep {
        return Err(refused(dest.path, OutputRefusal::BackupExists));
    }
    match kind {
        // A dangling symbolic link is replaced like a file (the link, not what it names).
        Kind::File => match fs::metadata(path) {
            Ok(target) if target.is_dir() => return Err(refused(dest.path, OutputRefusal::Directory)),
            Ok(target) if !target.is_file() => return Err(refused(dest.path, OutputRefusal::NotAFile)),
            _ => {}
        },
        Kind::Directory(names) => {
            if !here.is_dir() {
                return Err(refused(dest.path, OutputRefusal::NotADirectory));
            }
            let entries = fs::read_dir(path).map_err(Error::io("read", path))?;
            for entry in entries {
                let entry = entry.map_err(Error::io("read", path))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let meta = entry.metadata().map_err(Error::io("look at", &entry.path()))?;
                if meta.is_dir() && names.contains(&format!("{name}/").as_str()) {
                    check_subdirectory(dest, &entry.path(), &name)?;
                    continue;
                }
                if !meta.is_file() || !names.contains(&name.as_str()) {
                    return Err(refused(dest.path, OutputRefusal::Foreign { entry: name }));
                }
                precious(dest, &entry.path(), &meta)?;
            }
        }
    }
    match dest.existing {
        Existing::Replace => Ok(()),
        other => Err(refused(dest.path, existing_refusal(other))),
    }
}

/// A subdirectory an earlier run wrote (named `name/` among the names, e.g. an audit pack's
/// `evidence/`): it may hold files of any name, and nothing else.
fn check_subdirectory(dest: &Destination, path: &Path, name: &str) -> Result<()> {
    for entry in fs::read_dir(path).map_err(Error::io("read", path))? {
        let entry = entry.map_err(Error::io("read", path))?;
        let meta = entry.metadata().map_err(Error::io("look at", &entry.path()))?;
        if !meta.is_file() {
            let entry = format!("{name}/{}", entry.file_name().to_string_lossy());
            return Err(refused(dest.path, OutputRefusal::Foreign { entry }));
        }
        precious(dest, &entry.path(), &meta)?;
    }
    Ok(())
}

/// Refuses, even with `--force`, the file at `path` (whose metadata is `meta`) if it is the
/// ledger in use (or its journal) or any SQLite database or journal, naming `path`. (For [`Existing::Keep`]
/// only the ledger has its own message: anything else there is refused as existing.)
fn precious(dest: &Destination, path: &Path, meta: &fs::Metadata) -> Result<()> {
    let ledger_files = ["", "-wal", "-shm", "-journal"].map(|suffix| {
        let mut name = dest.ledger.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    });
    if ledger_files.iter().any(|ledger| same_file(path, meta, ledger)) {
        return Err(refused(path, OutputRefusal::Ledger));
    }
    if dest.existing != Existing::Keep && meta.is_file() && is_sqlite(path)? {
        return Err(refused(path, OutputRefusal::Database));
    }
    Ok(())
}

/// Whether `path` (with `meta`, symbolic links followed) is the file at `other`: the same
/// device and inode, so hard links and symbolic links are seen through.
#[cfg(unix)]
fn same_file(_path: &Path, meta: &fs::Metadata, other: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(other).is_ok_and(|o| o.dev() == meta.dev() && o.ino() == meta.ino())
}

#[cfg(not(unix))]
fn same_file(path: &Path, _meta: &fs::Metadata, other: &Path) -> bool {
    matches!((fs::canonicalize(path), fs::canonicalize(other)), (Ok(a), Ok(b)) if a == b)
}

/// Whether the file starts as an SQLite database or a write-ahead log does.
fn is_sqlite(path: &Path) -> Result<bool> {
    use std::io::Read;
    const DATABASE: &[u8; 16] = b"SQLite format 3\0";
    const WAL: [[u8; 4]; 2] = [[0x37, 0x7f, 0x06, 0x82], [0x37, 0x7f, 0x06, 0x83]];
    let mut header = Vec::with_capacity(DATABASE.len());
    File::open(path)
        .and_then(|f| f.take(DATABASE.len() as u64).read_to_end(&mut header))
        .map_err(Error::io("read", path))?;
    Ok(header.starts_with(DATABASE) || WAL.iter().any(|magic| header.starts_with(magic)))
}

/// `.fondo-tmp-<pid>-`: this process's temporaries, which tempfile completes with random
/// characters (and creates with `create_new`, so two runs never share one).
fn temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

/// The error the operating system gave, without the temporary's random name that the
/// `tempfile` crate adds (`… at path "/x/.fondo-tmp-…"`): the message names the directory.
fn without_temp_name(e: std::io::Error) -> std::io::Error {
    match e.get_ref().map(ToString::to_string) {
        Some(text) => match text.split_once(" at path ") {
            Some((cause, _)) => std::io::Error::new(e.kind(), cause.to_string()),
            None => e,
        },
        None => e,
    }
}

/// A new temporary file in `dir`, mode 0600 from its creation.
fn new_temp_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = temp_prefix();
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(10);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(PRIVATE));
    builder.tempfile_in(dir)
}

/// A new temporary directory in `dir`, mode 0700 from its creation.
fn new_temp_dir(dir: &Path) -> std::io::Result<tempfile::TempDir> {
    let prefix = temp_prefix();
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(10);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(PRIVATE_DIR));
    builder.tempdir_in(dir)
}

/// Removes what killed runs left in `dir`: fondo temporaries whose writer is gone.
///
/// A writer holds an exclusive `flock` on its temporary for as long as it runs, and the
/// kernel drops that lock however the writer ends, SIGKILL included. A temporary is removed
/// only when its lock can be taken *and* the process named in it is not running: the lock
/// alone would not cover the instant between making a temporary and locking it, and the pid
/// alone would be fooled by a writer in another pid namespace sharing the directory. (A pid
/// reused by an unrelated process only delays the clean-up to a later run.) Anything that is
/// not ours — another user's, a symbolic link, a name that does not parse — is left alone, and
/// a failure here never fails the command: the worst case is a leftover.
/// The ledger in use (and its `-wal` and `-shm` files) is never removed, whatever its name.
pub fn sweep(dir: &Path, ledger: &Path) {
    #[cfg(unix)]
    {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(owner_pid) else {
                continue;
            };
            if running(pid) {
                continue;
            }
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if !(meta.is_file() || meta.is_dir()) || !owned_by_me(&meta) {
                continue;
            }
            let is_ledger = ["", "-wal", "-shm"].iter().any(|suffix| {
                let mut name = ledger.as_os_str().to_owned();
                name.push(suffix);
                same_file(&path, &meta, Path::new(&name))
            });
            if is_ledger {
                continue;
            }
            // Held until the removal is done, so two sweeping runs do not trip each other.
            let Ok(handle) = File::open(&path) else {
                continue;
            };
            if lock(&handle).is_err() {
                continue;
            }
            let _ = if meta.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, ledger);
}

/// The writer's pid in a temporary's name (`.fondo-tmp-<pid>-<random>[-journal]`).
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    let (pid, random) = rest.split_once('-')?;
    (!random.is_empty()).then_some(())?;
    pid.parse().ok()
}

/// Whether process `pid` exists (a process of another user counts).
#[cfg(unix)]
fn running(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
        return true;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(unix)]
fn owned_by_me(meta: &fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::uid(meta) == rustix::process::geteuid().as_raw()
}

/// Takes an exclusive advisory lock on `file` without waiting; fails if another process
/// holds it.
#[cfg(unix)]
fn lock(file: &File) -> std::io::Result<()> {
    rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(Into::into)
}

#[cfg(not(unix))]
fn lock(_file: &File) -> std::io::Result<()> {
    Ok(())
}

/// Opens and locks the directory at `path`; the lock lasts as long as what is returned.
#[cfg(unix)]
fn lock_directory(path: &Path) -> std::io::Result<Option<File>> {
    let dir = File::open(path)?;
    lock(&dir)?;
    Ok(Some(dir))
}

#[cfg(not(unix))]
fn lock_directory(_path: &Path) -> std::io::Result<Option<File>> {
    Ok(None)
}

/// Makes a rename in `dir` durable. A file system that cannot sync a directory still has
/// the file, whole, so a failure here is not worth failing the command for.
fn sync_directory(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// See [`PAUSE_WRITE_ENV`].
fn pause_for_test(temp: &Path) -> Result<()> {
    let Some(marker) = std::env::var_os(PAUSE_WRITE_ENV).map(PathBuf::from) else {
        return Ok(());
    };
    fs::write(&marker, temp.as_os_str().to_string_lossy().as_bytes())
        .map_err(Error::io("create", &marker))?;
    while fs::symlink_metadata(&marker).is_ok() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Ok(())
}

#[cfg(unix)]
fn set_file_mode(file: &File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_file_mode(_file: &File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(Error::io("set the permissions of", path))
}

#[cfg(not(unix))]
pub fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// Many private files written into one directory (donor statements, `report statement --all
/// -o DIR`): the directory is made, mode 0700, if it is absent; every name is checked before
/// the first file is written, so a refusal writes nothing; each file is readable by its owner
/// only from its creation. Unlike [`write_file`], a file is not written beside its name and
/// renamed, nor synced on its own: ten thousand letters must not cost ten thousand syncs, and
/// the directory is synced once at the end. A run that was killed is run again with --force.
pub struct PrivateFiles<'a> {
    dir: &'a Path,
    existing: Existing,
}

impl<'a> PrivateFiles<'a> {
    /// Checks that `names` may be written in `dir` (see [`Destination`]), making `dir` if absent.
    pub fn prepare(
        dir: &'a Path,
        ledger: &Path,
        names: &[String],
        existing: Existing,
    ) -> Result<PrivateFiles<'a>> {
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(refused(dir, OutputRefusal::NotADirectory)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut builder = fs::DirBuilder::new();
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR);
                builder
                    .create(dir)
                    .map_err(Error::io("create the directory", dir))?;
            }
            Err(e) => return Err(Error::io("look at", dir)(e)),
        }
        for name in names {
            let plain = Path::new(name).file_name().is_some_and(|n| n == name.as_str());
            if !plain || name.starts_with('.') {
                return Err(Error::Internal(format!("`{name}` is not a plain file name")));
            }
            let dest = Destination {
                path: &dir.join(name),
                ledger,
                existing,
            };
            check(&dest, Kind::File)?;
        }
        Ok(PrivateFiles { dir, existing })
    }

    /// Writes the file `name` (checked by [`PrivateFiles::prepare`]), mode 0600.
    pub fn file(&self, name: &str, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let path = self.dir.join(name);
        if self.existing == Existing::Replace && fs::symlink_metadata(&path).is_ok() {
            // The file (or a link, never what it names) goes first: the new one is created
            // afresh, never written through whatever was there.
            fs::remove_file(&path).map_err(Error::io("replace", &path))?;
        }
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE);
        let file = options.open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => refused(&path, existing_refusal(self.existing)),
            _ => Error::io("create", &path)(e),
        })?;
        set_file_mode(&file, PRIVATE).map_err(Error::io("set the permissions of", &path))?;
        let mut out = BufWriter::new(file);
        write(&mut out).map_err(|e| e.written_to(&path))?;
        out.flush().map_err(Error::io("write", &path))
    }

    /// Syncs the directory, so the files' names last.
    pub fn finish(self) {
        sync_directory(self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fondo_temporaries_name_an_owner() {
        let cases = [
            (".fondo-tmp-123-abcDEF0123", Some(123)),
            (".fondo-tmp-123-abcDEF0123-journal", Some(123)),
            (".fondo-tmp-123-", None),
            (".fondo-tmp-x-abc", None),
            (".fondo-tmp-", None),
            (".fondo-backup-abc", None),
            ("journal.csv", None),
        ];
        for (name, pid) in cases {
            assert_eq!(owner_pid(name), pid, "{name}");
        }
    }

    /// A writer that fails as a full disk would: its error is the file's, not "output".
    #[test]
    fn a_failed_write_names_the_file_not_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("fondo.db");
        let full_disk = || Error::Output(std::io::Error::other("no space left on device"));
        let export = dir.path().join("journal.csv");
        let dest = Destination {
            path: &export,
            ledger: &ledger,
            existing: Existing::Refuse,
        };
        let err = write_file(&dest, 0o600, |_| -> Result<()> { Err(full_disk()) }).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot write {}: no space left on device", export.display())
        );
        assert!(!export.exists(), "a failed write left a file");
        let pack = dir.path().join("pack");
        let dest = Destination { path: &pack, ..dest };
        let err = write_directory(&dest, &["a.csv"], 0o700, 0o600, |d| {
            d.file("a.csv", |_| Err(full_disk()))
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot write {}: no space left on device",
                pack.join("a.csv").display()
            )
        );
    }
}
