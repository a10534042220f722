//! Evidence attached to a transaction or a confirmation (a receipt, a wire confirmation, a
//! photo): what it may be attached to, how large it may be, and its media type. No I/O.

use std::fmt;

/// The most bytes one attached file may have (20 MiB).
pub const ATTACHMENT_BYTES_MAX: u64 = 20 * 1024 * 1024;

/// What a file is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Transaction(i64),
    Confirmation(i64),
}

impl Target {
    /// The word the ledger stores for the kind of target.
    pub fn kind(self) -> &'static str {
        match self {
            Target::Transaction(_) => "transaction",
            Target::Confirmation(_) => "confirmation",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Target::Transaction(id) | Target::Confirmation(id) => id,
        }
    }

    /// The target a stored kind and id name; `None` for a kind fondo does not write.
    pub fn from_stored(kind: &str, id: i64) -> Option<Target> {
        match kind {
            "transaction" => Some(Target::Transaction(id)),
            "confirmation" => Some(Target::Confirmation(id)),
            _ => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Transaction(id) => write!(f, "#{id}"),
            Target::Confirmation(id) => write!(f, "confirmation {id}"),
        }
    }
}

/// The extensions fondo knows, each with its media type; the first of a type is the one a
/// published copy of such a file gets.
const MEDIA_TYPES: [(&str, &str); 20] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("heic", "image/heic"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("xml", "application/xml"),
    ("json", "application/json"),
    ("zip", "application/zip"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
];

/// The media type of a file, guessed from its extension; `None` when fondo does not know it.
pub fn media_type(file_name: &str) -> Option<&'static str> {
    let (_, extension) = file_name.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    MEDIA_TYPES.iter().find(|(e, _)| *e == extension).map(|(_, t)| *t)
}

/// The media types a published copy keeps an extension for: ones a browser shows and none
/// can run a script on the page's site (an `.html` or `.svg` could).
const PUBLISHABLE: [&str; 6] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
];

/// The name a published copy of attachment `id` gets: no file name of its own (it may name
/// someone), an extension from its media type when that is [`PUBLISHABLE`] so a browser opens
/// it, else `.bin`, which a browser only downloads.
pub fn published_name(id: i64, media_type: Option<&str>) -> String {
    let extension = media_type
        .filter(|m| PUBLISHABLE.contains(m))
        .and_then(|m| MEDIA_TYPES.iter().find(|(_, t)| *t == m))
        .map_or(OPAQUE_EXTENSION, |(e, _)| *e);
    format!("attachment-{id}.{extension}")
}

/// The extension of a published copy a browser must not open (see [`published_name`]).
pub const OPAQUE_EXTENSION: &str = "bin";

/// A size as a person reads it: bytes below 1 KiB, else KiB or MiB with one decimal,
/// rounded down so that a file over a limit never reads as at it.
pub fn shown_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    let (unit, name) = match bytes {
        b if b < KIB => return format!("{b} B"),
        b if b < MIB => (KIB, "KiB"),
        _ => (MIB, "MiB"),
    };
    let tenths = bytes * 10 / unit;
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_unit_a_person_expects_and_never_round_up() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (ATTACHMENT_BYTES_MAX, "20.0 MiB"),
            (ATTACHMENT_BYTES_MAX + 1, "20.0 MiB"),
            (23 * 1024 * 1024 + 450 * 1024, "23.4 MiB"),
        ];
        for (bytes, shown) in cases {
            assert_eq!(shown_size(bytes), shown, "{bytes}");
        }
    }

    #[test]
    fn media_types_come_from_the_extension_in_any_case() {
        assert_eq!(media_type("receipt.PDF"), Some("application/pdf"));
        assert_eq!(media_type("photo.jpeg"), Some("image/jpeg"));
        assert_eq!(media_type("archive.tar.zst"), None);
        assert_eq!(media_type("README"), None);
        assert_eq!(published_name(3, Some("image/jpeg")), "attachment-3.jpg");
        assert_eq!(published_name(4, None), "attachment-4.bin");
        // A page or a script is never published under a name a browser would run it by.
        for (id, file) in [(5, "evil.html"), (6, "x.htm"), (7, "data.xml"), (8, "a.json")] {
            assert_eq!(
                published_name(id, media_type(file)),
                format!("attachment-{id}.bin")
            );
        }
        assert_eq!(published_name(9, media_type("note.txt")), "attachment-9.txt");
    }

    #[test]
    fn a_target_reads_back_as_it_was_stored() {
        for t in [Target::Transaction(4), Target::Confirmation(2)] {
            assert_eq!(Target::from_stored(t.kind(), t.id()), Some(t));
        }
        assert_eq!(Target::from_stored("posting", 1), None);
        assert_eq!(Target::Confirmation(2).to_string(), "confirmation 2");
    }
}
