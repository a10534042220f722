//! Which text names a donor, for `donor forget`: pure rules, no I/O.
//!
//! Free text names a donor where their name stands as a whole word
//! ([`NameMatch`](super::privacy::NameMatch)). A file name is
//! looser, because people name files after people in other spellings: `ana-perez-gifts.csv`
//! holds Ana Pérez's gifts. So a file name names a donor where the words of their name stand
//! in a row in it, compared without case or accents, any run of other characters counting
//! as one space — unless a longer donor's name stands there ("Ana María" when forgetting
//! "Ana"). An import's file name lives on in every row it recorded (their source) and in its
//! batch, so this decides whether those are erased.

/// A name as its words: accents dropped, lower case, anything but letters and digits a
/// separator.
fn words(text: &str) -> Vec<String> {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Finds one donor's name in file names.
#[derive(Clone, Debug)]
pub struct FileNameMatch {
    name: Vec<String>,
    /// Longer donors' names that contain this one's words, with where in them it stands.
    longer: Vec<(Vec<String>, usize)>,
}

impl FileNameMatch {
    /// A match for `name`, among all the ledger's `donors` (which may include it).
    pub fn new<'a>(name: &str, donors: impl IntoIterator<Item = &'a str>) -> FileNameMatch {
        let name = words(name);
        let mut longer = Vec::new();
        if !name.is_empty() {
            for donor in donors {
                let other = words(donor);
                if other.len() > name.len() {
                    for at in 0..=other.len() - name.len() {
                        if other[at..at + name.len()] == name[..] {
                            longer.push((other.clone(), at));
                        }
                    }
                }
            }
        }
        FileNameMatch { name, longer }
    }

    /// Whether `file_name` names the donor: their name's words in a row, in their order or
    /// starting from another of them (`perez-ana.csv`, "Pérez, Ana María").
    pub fn names_donor(&self, file_name: &str) -> bool {
        let n = self.name.len();
        if n == 0 {
            return false;
        }
        let found = words(file_name);
        let in_order = |at: usize| {
            found[at..at + n] == self.name[..]
                && !self.longer.iter().any(|(other, offset)| {
                    at >= *offset
                        && found
                            .get(at - offset..at - offset + other.len())
                            .is_some_and(|there| there == &other[..])
                })
        };
        let turned = |at: usize| {
            (1..n).any(|k| {
                self.name[k..]
                    .iter()
                    .chain(&self.name[..k])
                    .zip(&found[at..at + n])
                    .all(|(a, b)| a == b)
            })
        };
        // Written without separators: `AnaPerez.csv`, `PerezAna-2026.csv`.
        let glued = n >= 2
            && (0..n).any(|k| {
                let joined: String = self.name[k..]
                    .iter()
                    .chain(&self.name[..k])
                    .map(String::as_str)
                    .collect();
                joined.len() >= 6 && found.iter().any(|word| word.contains(&joined))
            });
        glued || (0..found.len().saturating_sub(n - 1)).any(|at| in_order(at) || turned(at))
    }

    /// Whether a transaction's `source` (`import:FILE:LINE` for an imported row) names the
    /// donor in the file name it holds.
    pub fn names_donor_in_source(&self, source: &str) -> bool {
        source
            .strip_prefix("import:")
            .and_then(|rest| rest.rsplit_once(':'))
            .is_some_and(|(file, _line)| self.names_donor(file))
    }
}

/// Whether a file's bytes hold `name` as written: encoded as UTF-8 or as UTF-16LE, ASCII
/// letters in either case ("ZELDA QUINTANILLA" too), as words of their own (forgetting "Ana"
/// does not delete a receipt for "bananas"). Only text stored as such is found: a PDF's
/// compressed streams, an image, an archive are not searched.
pub fn content_names(bytes: &[u8], name: &str) -> bool {
    let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    holds_word(bytes, name.as_bytes(), 1) || holds_word(bytes, &utf16, 2)
}

/// Whether `needle` occurs in `bytes`, ASCII letters in either case, with no letter or digit
/// run into it on either side; `unit` is the width of a code unit (1 for UTF-8, 2 for
/// UTF-16LE), which says how the neighbouring characters are read.
fn holds_word(bytes: &[u8], needle: &[u8], unit: usize) -> bool {
    !needle.is_empty()
        && bytes.windows(needle.len()).enumerate().any(|(at, window)| {
            window.eq_ignore_ascii_case(needle)
                && !neighbour_is_alphanumeric(bytes, at, unit, true)
                && !neighbour_is_alphanumeric(bytes, at + needle.len(), unit, false)
        })
}

/// Whether the character just before (`before`) or just from byte `at` is a letter or digit
/// ("mañana" runs into "Ana"; a quotation mark or a space does not). Bytes that are no
/// character are no letter.
fn neighbour_is_alphanumeric(bytes: &[u8], at: usize, unit: usize, before: bool) -> bool {
    let character = if unit == 2 {
        let start = if before { at.checked_sub(2) } else { Some(at) };
        start
            .and_then(|start| bytes.get(start..start + 2))
            .and_then(|pair| char::from_u32(u32::from(u16::from_le_bytes([pair[0], pair[1]]))))
    } else if before {
        // A UTF-8 character is at most four bytes: the last one that decodes ends at `at`.
        (1..=4)
            .filter_map(|len| at.checked_sub(len).map(|start| &bytes[start..at]))
            .find_map(|tail| std::str::from_utf8(tail).ok())
            .and_then(|text| text.chars().next_back())
    } else {
        (1..=4)
            .filter_map(|len| bytes.get(at..at + len))
            .find_map(|head| std::str::from_utf8(head).ok())
            .and_then(|text| text.chars().next())
    };
    character.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_contents_name_a_donor_in_utf8_or_utf16_in_any_ascii_case() {
        let utf16 = |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let cases: [(&str, Vec<u8>, bool); 16] = [
            ("Zelda Quintanilla", b"gift of Zelda Quintanilla\n".to_vec(), true),
            ("Zelda Quintanilla", b"GIFT OF ZELDA QUINTANILLA".to_vec(), true),
            ("Ana P\u{e9}rez", "de Ana P\u{e9}rez".as_bytes().to_vec(), true),
            ("Ana P\u{e9}rez", utf16("de Ana P\u{e9}rez"), true),
            ("Zelda Quintanilla", b"Zelda Q.".to_vec(), false),
            ("", b"anything".to_vec(), false),
            ("Ana", b"receipt: 40 kg of bananas".to_vec(), false),
            ("Ana", utf16("an analysis"), false),
            ("Ana", b"from Ana, thanks".to_vec(), true),
            ("Ana", "\u{201c}Ana\u{201d}".as_bytes().to_vec(), true),
            ("Ana", utf16("gift of ANA."), true),
            ("Lara", b"customs declaration".to_vec(), false),
            ("Ana", "pago de ma\u{f1}ana".as_bytes().to_vec(), false),
            ("Ana", utf16("ma\u{f1}ana"), false),
            ("Ana", "\u{e9}Ana".as_bytes().to_vec(), false),
            ("Ana", "\u{bf}Ana?".as_bytes().to_vec(), true),
        ];
        for (name, bytes, expected) in cases {
            assert_eq!(content_names(&bytes, name), expected, "{name}");
        }
    }

    #[test]
    fn file_names_name_a_donor_in_any_case_accents_or_separators() {
        let donors = ["Ana Pérez", "Ana", "Ana María", "Dan", "Danielle"];
        let cases = [
            ("Ana Pérez", "ana-perez-gifts.csv", true),
            ("Ana Pérez", "ANA_PEREZ.csv", true),
            ("Ana Pérez", "Ana Pérez gifts.csv", true),
            ("Ana Pérez", "ana.csv", false),
            ("Ana Pérez", "Pérez, Ana - gifts.csv", true),
            ("Ana Pérez", "PEREZ_ANA.csv", true),
            ("Ana María Pérez", "perez-ana-maria.csv", true),
            ("Ana María Pérez", "maria-perez-ana.csv", true),
            ("Ana María Pérez", "ana-perez-maria.csv", false),
            ("Ana Pérez", "AnaPerez.csv", true),
            ("Ana Pérez", "PérezAna-2026.csv", true),
            ("Ana María Pérez", "AnaMaríaPérez.csv", true),
            ("Bo Li", "boli.csv", false),
            ("Ana", "ana-gifts.csv", true),
            ("Ana", "ana-maria-gifts.csv", false),
            ("Ana", "ana-maria-and-ana.csv", true),
            ("Ana", "banana.csv", false),
            ("Dan", "danielle.csv", false),
            ("Dan", "from dan.csv", true),
            ("@@", "@@.csv", false),
        ];
        for (name, file, expected) in cases {
            let matcher = FileNameMatch::new(name, donors);
            assert_eq!(matcher.names_donor(file), expected, "{name} in {file}");
        }
    }

    #[test]
    fn a_source_names_the_donor_only_in_its_file_name() {
        let matcher = FileNameMatch::new("Import", ["Import"]);
        assert!(!matcher.names_donor_in_source("import:gifts.csv:12"));
        assert!(matcher.names_donor_in_source("import:import.csv:12"));
        assert!(!matcher.names_donor_in_source("cli"));
    }
}
