//! Reading CSV in bounded memory. The csv crate holds a whole record before it hands it
//! over, so one 200 MB line (a file that is not CSV, or a pasted blob) would be held whole,
//! several times over. [`Bounded`] sits between the file and the csv reader, follows the
//! CSV structure byte by byte the way the csv crate reads it, and passes on at most
//! [`FIELD_BYTES_MAX`] bytes of a field and [`ROW_BYTES_MAX`] bytes of a row. What it cuts
//! it counts and notes, so the row is refused with the field's real length, and the rest
//! of the file is still read (and checked) as usual.
//!
//! It must not change anything it does not cut: bytes within the limits pass unchanged.

use std::collections::VecDeque;
use std::io::{self, Read};

/// The most bytes one field may have.
pub const FIELD_BYTES_MAX: u64 = crate::domain::names::VALUE_BYTES_MAX as u64;
/// The most bytes one row may have, delimiters included: it bounds a row of many empty
/// fields too, which cost the csv crate memory per field.
pub const ROW_BYTES_MAX: u64 = 1024 * 1024;
/// Bytes kept from the start of a field or row that was cut, to show in the error.
const PREVIEW_BYTES: usize = 4 * crate::domain::names::SHOWN_CHARS;

/// Where the csv crate is in a record (its NFA, for the options `Records` sets: quote `"`,
/// doubled quotes, no escape, no comments, records ending at `\n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before a record; a `\n` here is a blank line, skipped.
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    /// Just after a `"` in a quoted field: a second `"` is an escaped quote; anything else
    /// closes the quotes.
    QuoteInQuoted,
}

/// What a byte is to the structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Part of a field's value.
    Content,
    /// An opening or closing quote.
    Quote,
    /// The delimiter between fields.
    EndField,
    /// The `\n` that ends a row.
    EndRow,
    /// A `\n` between rows.
    Blank,
}

/// The csv crate's next state, and what the byte was.
fn step(state: State, byte: u8, delimiter: u8) -> (State, Kind) {
    let (quote, term) = (byte == b'"', byte == b'\n');
    let delim = byte == delimiter;
    match state {
        State::RecordStart if term => (State::RecordStart, Kind::Blank),
        State::RecordStart | State::FieldStart => {
            if quote {
                (State::Quoted, Kind::Quote)
            } else if delim {
                (State::FieldStart, Kind::EndField)
            } else if term {
                (State::RecordStart, Kind::EndRow)
            } else {
                (State::Unquoted, Kind::Content)
            }
        }
        State::Unquoted => {
            if delim {
                (State::FieldStart, Kind::EndField)
            } else if term {
                (State::RecordStart, Kind::EndRow)
            } else {
                (State::Unquoted, Kind::Content)
            }
        }
        State::Quoted if quote => (State::QuoteInQuoted, Kind::Quote),
        State::Quoted => (State::Quoted, Kind::Content),
        State::QuoteInQuoted => {
            if quote {
                (State::Quoted, Kind::Content)
            } else if delim {
                (State::FieldStart, Kind::EndField)
            } else if term {
                (State::RecordStart, Kind::EndRow)
            } else {
                (State::Unquoted, Kind::Content)
            }
        }
    }
}

/// A field or row that was cut short.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The offset, in the bytes passed on, at which the field or row began.
    pub at: u64,
    /// The field's index in its row; `None` when the row as a whole was too long.
    pub field: Option<usize>,
    /// Its whole length in the file.
    pub bytes: u64,
    /// Its first bytes, to show.
    pub start: Vec<u8>,
    /// Line breaks inside it that were not passed on: the csv reader's line numbers after
    /// it are short by this many.
    pub lines_dropped: u64,
}

/// A reader that passes on CSV with every field and row cut to its limit.
pub struct Bounded<R> {
    inner: R,
    delimiter: u8,
    input: Vec<u8>,
    output: Vec<u8>,
    output_at: usize,
    /// Where the file is, and where the csv reader is: they differ only while cutting.
    state: State,
    passed_state: State,
    /// Bytes passed on so far.
    passed: u64,
    field: Progress,
    row: Progress,
    /// Bytes of the current row passed on.
    row_passed: u64,
    field_index: usize,
    cuts: VecDeque<Cut>,
    /// Pass runs of plain content in one go (off in a test, to check it changes nothing).
    runs: bool,
}

/// How far into a field or row the reader is.
#[derive(Default)]
struct Progress {
    at: u64,
    bytes: u64,
    start: Vec<u8>,
    cutting: bool,
    lines_dropped: u64,
}

impl Progress {
    fn begin(&mut self, at: u64) {
        self.at = at;
        self.bytes = 0;
        self.start.clear();
        self.cutting = false;
        self.lines_dropped = 0;
    }

    fn count(&mut self, byte: u8) {
        self.bytes += 1;
        if self.start.len() < PREVIEW_BYTES {
            self.start.push(byte);
        }
    }

    fn cut(&mut self, field: Option<usize>) -> Cut {
        self.cutting = false;
        Cut {
            at: self.at,
            field,
            bytes: self.bytes,
            start: std::mem::take(&mut self.start),
            lines_dropped: self.lines_dropped,
        }
    }
}

impl<R: Read> Bounded<R> {
    pub fn new(inner: R, delimiter: u8) -> Bounded<R> {
        Bounded {
            inner,
            delimiter,
            input: vec![0; 64 * 1024],
            output: Vec::with_capacity(64 * 1024),
            output_at: 0,
            state: State::RecordStart,
            passed_state: State::RecordStart,
            passed: 0,
            field: Progress::default(),
            row: Progress::default(),
            row_passed: 0,
            field_index: 0,
            cuts: VecDeque::new(),
            runs: true,
        }
    }

    /// The cuts that began before `end` (a record's end, as an offset in the bytes passed
    /// on), in the order they were made.
    pub fn take_cuts_before(&mut self, end: u64) -> Vec<Cut> {
        let mut taken = Vec::new();
        while self.cuts.front().is_some_and(|c| c.at < end) {
            taken.extend(self.cuts.pop_front());
        }
        taken
    }

    fn pass(&mut self, byte: u8) {
        self.passed_state = step(self.passed_state, byte, self.delimiter).0;
        self.output.push(byte);
        self.passed += 1;
        self.row_passed += 1;
    }

    /// Ends what the csv reader sees of a cut field or row where the file's ends: a quote
    /// it is still inside is closed first, so that `byte` ends the field or row for it too.
    fn pass_end(&mut self, byte: u8) {
        if self.passed_state == State::Quoted {
            self.pass(b'"');
        }
        self.pass(byte);
    }

    fn consume(&mut self, byte: u8) {
        let (next, kind) = step(self.state, byte, self.delimiter);
        let starts_field =
            matches!(self.state, State::RecordStart | State::FieldStart) && kind != Kind::Blank;
        if self.state == State::RecordStart && kind != Kind::Blank {
            self.row.begin(self.passed);
            self.row_passed = 0;
            self.field_index = 0;
        }
        if starts_field {
            self.field.begin(self.passed);
        }
        self.state = next;
        if !matches!(kind, Kind::Blank | Kind::EndRow) {
            self.row.count(byte);
        }
        if self.row.cutting {
            match kind {
                Kind::EndRow => {
                    let cut = self.row.cut(None);
                    self.cuts.push_back(cut);
                    self.pass_end(byte);
                }
                _ if byte == b'\n' => self.row.lines_dropped += 1,
                _ => {}
            }
            return;
        }
        // The row limit counts what is passed on, so a row with one long field is refused
        // for that field, and a row is cut only when its fields together are too long.
        let dropped_anyway = self.field.cutting && matches!(kind, Kind::Content | Kind::Quote);
        let ends_or_between = matches!(kind, Kind::EndRow | Kind::Blank);
        if self.row_passed >= ROW_BYTES_MAX && !ends_or_between && !dropped_anyway {
            // A field being cut is reported as part of the row.
            let field_lines = if self.field.cutting {
                self.field.lines_dropped
            } else {
                0
            };
            self.field.cutting = false;
            self.row.cutting = true;
            self.row.lines_dropped = field_lines + u64::from(byte == b'\n');
            return;
        }
        match kind {
            Kind::Content => {
                self.field.count(byte);
                let continues_char = byte & 0xC0 == 0x80;
                if self.field.bytes > FIELD_BYTES_MAX && !continues_char {
                    self.field.cutting = true;
                }
                if self.field.cutting {
                    self.field.lines_dropped += u64::from(byte == b'\n');
                } else {
                    self.pass(byte);
                }
            }
            Kind::Quote if self.field.cutting => {}
            Kind::EndField | Kind::EndRow if self.field.cutting => {
                let cut = self.field.cut(Some(self.field_index));
                self.cuts.push_back(cut);
                self.pass_end(byte);
            }
            _ => self.pass(byte),
        }
        if kind == Kind::EndField {
            self.field_index += 1;
        }
    }

    /// How many of `bytes` are plain content of the field being read, well within the
    /// limits: they can be passed on in one go, as `consume` would pass them one by one.
    fn plain_run(&self, bytes: &[u8]) -> usize {
        if !self.runs || self.field.cutting || self.row.cutting {
            return 0;
        }
        let delimiter = self.delimiter;
        let end = match self.state {
            State::Unquoted => bytes.iter().position(|&b| b == delimiter || b == b'\n'),
            State::Quoted => bytes.iter().position(|&b| b == b'"'),
            _ => return 0,
        };
        let room_field = FIELD_BYTES_MAX.saturating_sub(self.field.bytes);
        let room_row = ROW_BYTES_MAX.saturating_sub(self.row_passed);
        let room = usize::try_from(room_field.min(room_row)).unwrap_or(usize::MAX);
        end.unwrap_or(bytes.len()).min(room)
    }

    fn pass_run(&mut self, run: &[u8]) {
        let k = run.len() as u64;
        for progress in [&mut self.field, &mut self.row] {
            progress.bytes += k;
            let keep = PREVIEW_BYTES.saturating_sub(progress.start.len()).min(run.len());
            progress.start.extend_from_slice(&run[..keep]);
        }
        self.output.extend_from_slice(run);
        self.passed += k;
        self.row_passed += k;
    }

    /// At the end of the file, notes a field or row still being cut.
    fn finish(&mut self) {
        if self.row.cutting {
            let cut = self.row.cut(None);
            self.cuts.push_back(cut);
        } else if self.field.cutting {
            let cut = self.field.cut(Some(self.field_index));
            self.cuts.push_back(cut);
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.output_at == self.output.len() {
            self.output.clear();
            self.output_at = 0;
            let n = self.inner.read(&mut self.input)?;
            if n == 0 {
                self.finish();
                return Ok(0);
            }
            let input = std::mem::take(&mut self.input);
            let mut i = 0;
            while i < n {
                let run = self.plain_run(&input[i..n]);
                if run > 0 {
                    self.pass_run(&input[i..i + run]);
                    i += run;
                } else {
                    self.consume(input[i]);
                    i += 1;
                }
            }
            self.input = input;
        }
        let available = &self.output[self.output_at..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.output_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(input: &[u8]) -> (Vec<u8>, Vec<Cut>) {
        let mut bounded = Bounded::new(input, b',');
        let mut out = Vec::new();
        bounded.read_to_end(&mut out).unwrap();
        let cuts = bounded.take_cuts_before(u64::MAX);
        (out, cuts)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

        /// Passing runs in one go gives exactly what passing byte by byte gives, at the
        /// field limit and at the row limit (rows of up to 40 cells of up to 140 KB).
        #[test]
        fn runs_change_nothing(
            cells in proptest::collection::vec(
                ("[a\",]{0,3}", 0usize..140_000, "[b\",]{0,3}", proptest::bool::weighted(0.05)),
                1..40,
            ),
        ) {
            let text: String = cells
                .iter()
                .map(|(before, n, after, newline)| {
                    format!("{before}{}{after}{}", "é".repeat(n / 2), if *newline { "\n" } else { "" })
                })
                .collect();
            let read = |runs: bool| {
                let mut bounded = Bounded::new(text.as_bytes(), b',');
                bounded.runs = runs;
                let mut out = Vec::new();
                bounded.read_to_end(&mut out).unwrap();
                (out, bounded.take_cuts_before(u64::MAX))
            };
            proptest::prop_assert_eq!(read(true), read(false));
        }
    }

    #[test]
    fn what_is_within_the_limits_passes_unchanged() {
        let texts: [&[u8]; 6] = [
            b"a,b,c\n1,2,3\n",
            b"\"quoted, with a comma\",\"and \"\"quotes\"\"\"\n\n\nnext\n",
            b"\"a line\nbreak\",x",
            b"odd\"quote,\"closed\"then more,\r\n",
            b"",
            "ñandú,€\n".as_bytes(),
        ];
        for text in texts {
            assert_eq!(through(text), (text.to_vec(), Vec::new()), "{text:?}");
        }
    }

    #[test]
    fn a_long_field_is_cut_counted_and_the_rest_read_as_before() {
        let big = "é".repeat(40_000);
        let text = format!("a,{big},c\n\"{big}\",\"x\"\"{big}\"\nlast,row\n");
        let (out, cuts) = through(text.as_bytes());
        let out = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows.len(), 3, "{}", out.len());
        assert!(rows[0].starts_with("a,éé") && rows[0].ends_with("é,c"));
        assert_eq!(rows[0].len(), 2 + 65_536 + 2);
        assert!(
            rows[1].starts_with("\"éé") && rows[1].ends_with("é\""),
            "{}",
            &rows[1][rows[1].len() - 10..]
        );
        assert_eq!(rows[2], "last,row");
        let summary: Vec<(Option<usize>, u64)> = cuts.iter().map(|c| (c.field, c.bytes)).collect();
        assert_eq!(summary, [(Some(1), 80_000), (Some(0), 80_000), (Some(1), 80_002)]);
        assert!(cuts[0].start.starts_with("éé".as_bytes()));
        assert!(cuts[2].start.starts_with(b"x\""));
    }

    #[test]
    fn line_breaks_cut_from_a_quoted_field_are_counted() {
        let big = "line\n".repeat(20_000);
        let text = format!("\"{big}\",b\nnext\n");
        let (out, cuts) = through(text.as_bytes());
        let out = String::from_utf8(out).unwrap();
        assert!(out.ends_with("\",b\nnext\n"), "{}", &out[out.len() - 20..]);
        assert_eq!(cuts.len(), 1);
        let passed_lines = out.matches('\n').count() as u64;
        assert_eq!(passed_lines + cuts[0].lines_dropped, 20_002);
    }

    #[test]
    fn a_long_row_of_short_fields_is_cut_too() {
        let text = format!("{}\nnext\n", ",".repeat(3_000_000));
        let (out, cuts) = through(text.as_bytes());
        assert_eq!(out.len() as u64, ROW_BYTES_MAX + "\nnext\n".len() as u64);
        assert_eq!(cuts.len(), 1);
        assert_eq!((cuts[0].field, cuts[0].bytes), (None, 3_000_000));
        assert!(cuts[0].start.starts_with(b",,,"));
    }

    #[test]
    fn a_row_of_one_huge_field_is_refused_for_the_field() {
        let text = format!("a,{},c\n", "x".repeat(3_000_000));
        let (out, cuts) = through(text.as_bytes());
        assert_eq!(out.len() as u64, FIELD_BYTES_MAX + 5);
        assert_eq!(cuts.len(), 1);
        assert_eq!((cuts[0].field, cuts[0].bytes), (Some(1), 3_000_000));
        // Twenty long fields: fifteen are cut one by one, then the row as a whole.
        let text = format!("{}\n", vec!["y".repeat(70_000); 20].join(","));
        let (out, cuts) = through(text.as_bytes());
        assert!(out.len() as u64 <= ROW_BYTES_MAX + 2);
        assert_eq!(
            cuts.len(),
            16,
            "{:?}",
            cuts.iter().map(|c| c.field).collect::<Vec<_>>()
        );
        assert_eq!((cuts[15].field, cuts[15].bytes), (None, 20 * 70_000 + 19));
    }

    #[test]
    fn a_blank_line_after_a_row_at_the_limit_is_not_cut() {
        let cells = vec!["z".repeat(65_536); 16].join(",");
        let row = &cells[..ROW_BYTES_MAX as usize];
        let text = format!("{row}\n\n\nnext\n");
        assert_eq!(through(text.as_bytes()), (text.as_bytes().to_vec(), Vec::new()));
    }

    #[test]
    fn a_cut_at_the_end_of_the_file_is_noted() {
        let text = "x".repeat(70_000);
        let (out, cuts) = through(text.as_bytes());
        assert_eq!(out.len() as u64, FIELD_BYTES_MAX);
        assert_eq!((cuts[0].field, cuts[0].bytes), (Some(0), 70_000));
    }
}
