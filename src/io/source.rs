//! Opening a file to import: its SHA-256 (recorded with the batch), a progress bar on a
//! terminal for large files, and decoding to UTF-8 (BOM stripped, UTF-16 and Windows-1252
//! transcoded) while streaming, so memory does not grow with the file.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::Path;

use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Files larger than this get a progress bar when stderr is a terminal.
const PROGRESS_BAR_BYTES: u64 = 8 * 1024 * 1024;

/// How the bytes of a file are text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a BOM (a UTF-16 BOM is honoured too).
    #[default]
    Utf8,
    Windows1252,
}

/// The hex SHA-256 and size of a file, read once before the import.
pub fn fingerprint(path: &Path) -> Result<(String, u64)> {
    let mut file = File::open(path).map_err(Error::io("open", path))?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher).map_err(Error::io("read", path))?;
    Ok((crate::encode::hex(&hasher.finalize()), size))
}

/// The bytes of a file and their hex SHA-256, for a file read whole once (a statement to
/// reconcile, whose lines are all kept anyway).
pub fn read_whole(path: &Path) -> Result<(Vec<u8>, String)> {
    let mut file = File::open(path).map_err(Error::io("open", path))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(Error::io("read", path))?;
    let sha256 = crate::encode::hex(&Sha256::digest(&bytes));
    Ok((bytes, sha256))
}

/// Counts bytes into a progress bar as they are read.
pub struct Progress<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

impl<R> Drop for Progress<R> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The decoded text of a file, as a reader.
pub type Text = Decoded<BufReader<File>>;

/// The decoded text of bytes read from `R`, as a reader.
pub type Decoded<R> = DecodeReaderBytes<Progress<R>, Vec<u8>>;

/// Opens `path` for reading as UTF-8 text.
pub fn open(path: &Path, size: u64, encoding: Encoding) -> Result<Text> {
    let file = File::open(path).map_err(Error::io("open", path))?;
    Ok(decode(
        BufReader::with_capacity(256 * 1024, file),
        size,
        path,
        encoding,
    ))
}

/// Reads the `size` bytes of `inner`, which came from `path`, as UTF-8 text.
pub fn decode<R: Read>(inner: R, size: u64, path: &Path, encoding: Encoding) -> Decoded<R> {
    let bar = (size > PROGRESS_BAR_BYTES && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(size);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})") {
            bar.set_style(style);
        }
        bar.set_message(format!("importing {}", crate::files::shown(path)));
        bar
    });
    let mut builder = DecodeReaderBytesBuilder::new();
    // Invalid UTF-8 passes through unchanged so the CSV reader reports it with its line,
    // instead of it being replaced silently.
    builder.utf8_passthru(true).strip_bom(true).bom_override(true);
    if encoding == Encoding::Windows1252 {
        builder.encoding(Some(encoding_rs::WINDOWS_1252));
    }
    builder.build(Progress { inner, bar })
}

/// Why a file could not be read whole within a limit.
#[derive(Debug)]
pub enum Oversized {
    /// It has more than the limit: this many bytes (at least).
    Over(u64),
    Failed(Error),
}

/// The bytes of a file to keep whole (an attachment), read through a reader that stops one
/// byte past `max`, so a file over it (or one that grows while read) is never held whole.
/// Only a regular file (a symlink to one is fine) is read: a pipe would block, a device never
/// end, and a /proc or /sys file holds something other than the size it reports.
pub fn read_at_most(path: &Path, max: u64) -> std::result::Result<Vec<u8>, Oversized> {
    let fail = |action| move |e| Oversized::Failed(Error::io(action, path)(e));
    let refuse = |what: &str| {
        Oversized::Failed(Error::Refused(format!(
            "{} is {what}; attach a file",
            crate::files::shown(path)
        )))
    };
    let not_regular = "not a regular file (a pipe, a device, a socket or a /proc file)";
    // Looked at before it is opened: opening a pipe waits for a writer.
    let meta = std::fs::metadata(path).map_err(fail("open"))?;
    if meta.is_dir() {
        return Err(refuse("a directory"));
    }
    if !meta.is_file() {
        return Err(refuse(not_regular));
    }
    let file = File::open(path).map_err(fail("open"))?;
    let meta = file.metadata().map_err(fail("read"))?;
    if !meta.is_file() {
        return Err(refuse(not_regular));
    }
    if meta.len() > max {
        return Err(Oversized::Over(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(fail("read"))?;
    if bytes.len() as u64 > max {
        return Err(Oversized::Over(bytes.len() as u64));
    }
    if bytes.len() as u64 != meta.len() {
        return Err(refuse(not_regular));
    }
    Ok(bytes)
}
