//! Encodings the layers share, below all of them: lower-case hex for digests, and what
//! writing CSV needs (the guard that keeps a cell from running as a spreadsheet formula, and
//! the writer's errors as I/O errors). Nothing here reads files or speaks SQL.

/// Lower-case hex of bytes, two digits a byte, by table lookup rather than a formatting call
/// per byte: every hash in the chain and every file fingerprint is written through it.
pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let [high, low] = hex_pair(*b);
        text.push(char::from(high));
        text.push(char::from(low));
    }
    text
}

/// Lower-case hex of a SHA-256 digest, as [`hex`] writes it, without allocating: verify
/// compares a million recomputed hashes with the stored ones.
pub fn hex_digest(digest: &[u8; 32]) -> [u8; 64] {
    let mut text = [0; 64];
    for (pair, b) in text.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&hex_pair(*b));
    }
    text
}

fn hex_pair(b: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]]
}

/// Bytes from lower-case hex, as [`hex`] writes them; `None` for anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Prefixes a text cell that a spreadsheet would run as a formula with `'` (OWASP CSV
/// injection). A cell that already starts with `'` gets one too, so that
/// [`restore_formula`] undoes this exactly. Amount cells are never passed here, so they stay
/// numeric.
pub fn neutralize_formula(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// The inverse of [`neutralize_formula`], for reading back a file fondo wrote.
pub fn restore_formula(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// A CSV writer's error as the I/O error it is, keeping its kind (a closed pipe stays a
/// closed pipe, which the binary treats as the reader's choice).
pub fn csv_io_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digest_is_hex_of_the_digest() {
        let digest: [u8; 32] = std::array::from_fn(|i| (i * 37 + 5) as u8);
        assert_eq!(hex_digest(&digest).as_slice(), hex(&digest).as_bytes());
    }

    #[test]
    fn hex_is_undone_exactly() {
        let bytes = [0x00, 0x0f, 0xa0, 0xff];
        assert_eq!(hex(&bytes), "000fa0ff");
        assert_eq!(unhex("000fa0ff").as_deref(), Some(&bytes[..]));
        for not_hex in ["0", "0G", "0A"] {
            assert_eq!(unhex(not_hex), None, "{not_hex}");
        }
    }

    #[test]
    fn neutralizing_is_undone_exactly() {
        for text in ["=1+1", "+x", "-x", "@x", "'x", "''x", "plain", ""] {
            assert_eq!(restore_formula(&neutralize_formula(text)), text);
        }
        assert_eq!(neutralize_formula("'x"), "''x");
    }
}
