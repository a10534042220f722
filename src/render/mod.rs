//! Output: every list and report becomes a [`Tabular`] that renders as a table
//! (comfy-table), CSV (header row, stable column names) or JSON (an array of objects with
//! stable snake_case keys, amounts as strings). The only module that knows comfy-table.

mod accountability;
pub mod evidence;
mod outcomes;
mod pack;
mod plans;
mod reconcile;
mod reports;
pub mod statement;
pub mod transparency;
mod value;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use serde_json::{Map, Value};

use crate::encode::{csv_io_error, neutralize_formula};

pub use crate::domain::names::escape_controls;

pub use accountability::*;
pub use outcomes::*;
pub use pack::*;
pub use plans::*;
pub use reconcile::*;
pub use reports::*;
pub use value::*;

/// Whether tables may use colour: set once by the binary, when standard output is a
/// terminal and `NO_COLOR` is not set. Off by default, so tests and pipes get plain text.
static COLOUR: AtomicBool = AtomicBool::new(false);

/// `--wide`: tables are never fitted to the terminal.
static WIDE: AtomicBool = AtomicBool::new(false);

/// Narrower terminals than this are not fitted (see `write_table`).
const MIN_FITTED_WIDTH: usize = 40;

/// The narrowest a shortened text column becomes before columns are hidden instead.
const MIN_TEXT_WIDTH: usize = 10;

/// The narrowest it becomes when even hiding every optional column did not make room.
const LAST_TEXT_WIDTH: usize = 6;

/// The first column names each row (a line of a statement, an account, a fund): it keeps up
/// to this many columns before any other text is shortened further.
const LABEL_WIDTH: usize = 24;

pub fn set_colour(on: bool) {
    COLOUR.store(on, Ordering::Relaxed);
}

pub fn set_wide(on: bool) {
    WIDE.store(on, Ordering::Relaxed);
}

/// The width tables must fit: the terminal's, or `COLUMNS` when set (a pipe has no width,
/// and then nothing is fitted).
fn terminal_width(table: &Table) -> Option<usize> {
    if WIDE.load(Ordering::Relaxed) {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .or_else(|| table.width().map(usize::from))
        .filter(|w| *w >= MIN_FITTED_WIDTH)
}

/// How many terminal columns `text` takes.
fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to `width` columns, ending in `…` when cut.
fn shortened(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// A title broken into two lines at the space nearest its middle, for a column whose values
/// are narrower than its title; a title of one word stays whole.
fn two_lines(title: &str) -> String {
    let middle = title.len() / 2;
    title
        .match_indices(' ')
        .map(|(at, _)| at)
        .min_by_key(|at| at.abs_diff(middle))
        .map_or_else(
            || title.to_string(),
            |at| format!("{}\n{}", &title[..at], &title[at + 1..]),
        )
}

/// How wide a title is: its widest line.
fn title_width(title: &str) -> usize {
    title.lines().map(display_width).max().unwrap_or(0)
}

/// How a table fits a terminal: the columns shown, each one's width limit, the titles (some
/// broken into two lines), and the titles of the columns hidden.
struct Fitted {
    shown: Vec<usize>,
    widths: Vec<usize>,
    titles: Vec<String>,
    hidden: Vec<String>,
}

/// Dates, times, currency codes, numbers and yes/no are never cut; names and text may be.
fn never_cut(text: &str) -> bool {
    text.len() <= 10
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || "-.,%".contains(c))
        || (text.len() <= 25 && text.chars().all(|c| c.is_ascii_digit() || "-:.TZ+".contains(c)))
        // A long number or a rate (`1/149.123456789`) is a number too.
        || (text.len() <= 40
            && text.starts_with(|c: char| c.is_ascii_digit())
            && text.chars().all(|c| c.is_ascii_digit() || ".,/".contains(c)))
        || (text.len() <= 20
            && text.contains('_')
            && text.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        || ["yes", "no", ""].contains(&text)
}

/// Breaks each title wider than its column's values into two lines.
fn break_long_titles(titles: &mut [String], values: &[usize]) {
    for (title, &value) in titles.iter_mut().zip(values) {
        if title_width(title) > value {
            *title = two_lines(title);
        }
    }
}

/// Which columns of a table to show and how wide each text column may be, to fit `limit`
/// terminal columns: numbers, dates, times and currency codes are never cut. First long
/// titles break into two lines; then names and text are shortened with `…`, the widest
/// first, down to [`MIN_TEXT_WIDTH`] (the first column, which names the row, to
/// [`LABEL_WIDTH`]); then the columns marked optional are hidden, the rightmost first; then
/// text is shortened to [`LAST_TEXT_WIDTH`]. What still does not fit is printed whole, never
/// wrapped inside a cell.
fn fit(titles: &[&str], cells: &[Vec<String>], money: &[bool], optional: &[Hide], limit: usize) -> Fitted {
    let values: Vec<usize> = (0..titles.len())
        .map(|i| cells.iter().map(|row| display_width(&row[i])).max().unwrap_or(0))
        .collect();
    let mut titles: Vec<String> = titles.iter().map(|t| t.to_string()).collect();
    let natural = |titles: &[String]| -> Vec<usize> {
        (0..titles.len())
            .map(|i| values[i].max(title_width(&titles[i])))
            .collect()
    };
    let cuttable: Vec<bool> = (0..titles.len())
        .map(|i| !money[i] && cells.iter().any(|row| !never_cut(&row[i])))
        .collect();
    let mut widths = natural(&titles);
    let mut shown: Vec<usize> = (0..titles.len()).collect();
    // Each column costs its width and three characters of border and padding, plus one.
    let total = |shown: &[usize], widths: &[usize]| shown.iter().map(|&i| widths[i] + 3).sum::<usize>() + 1;
    if total(&shown, &widths) > limit {
        break_long_titles(&mut titles, &values);
        let narrower = natural(&titles);
        for (width, now) in widths.iter_mut().zip(narrower) {
            *width = (*width).min(now);
        }
    }
    // At last, a text column's title is shortened with it (`Descr…`).
    let floor = |i: usize, last: bool| {
        if last {
            // The row's name keeps a little more: `Net a…` stood for three rows.
            return if i == 0 {
                LAST_TEXT_WIDTH.max(values[0].min(8))
            } else {
                LAST_TEXT_WIDTH
            };
        }
        let label = if i == 0 { LABEL_WIDTH.min(values[0]) } else { 0 };
        MIN_TEXT_WIDTH.max(label).max(title_width(&titles[i]))
    };
    // Text is shortened from its natural width for each set of columns tried, so that a
    // column hidden gives its room back to the text shortened before.
    let full = widths.clone();
    let mut last = false;
    while total(&shown, &widths) > limit {
        let widest = shown
            .iter()
            .copied()
            .filter(|&i| cuttable[i] && widths[i] > floor(i, last))
            .max_by_key(|&i| (widths[i], i));
        if let Some(i) = widest {
            let excess = total(&shown, &widths) - limit;
            widths[i] = widths[i].saturating_sub(excess).max(floor(i, last));
        } else if let Some(at) = shown.iter().rposition(|&i| optional[i] != Hide::Never) {
            let gone = shown.remove(at);
            if optional[gone] == Hide::WithFlows {
                shown.retain(|&i| optional[i] != Hide::WithFlows);
            }
            widths.clone_from(&full);
        } else if !last {
            last = true;
        } else {
            break;
        }
    }
    let hidden = (0..titles.len())
        .filter(|i| !shown.contains(i))
        .map(|i| titles[i].replace('\n', " "))
        .collect();
    for &i in &shown {
        if cuttable[i] && title_width(&titles[i]) > widths[i] {
            titles[i] = titles[i]
                .lines()
                .map(|line| shortened(line, widths[i]))
                .collect::<Vec<_>>()
                .join("\n");
        }
    }
    Fitted {
        shown,
        widths,
        titles,
        hidden,
    }
}

/// The width text under or beside a table must fit, when it must (see `terminal_width`).
pub fn text_width() -> Option<usize> {
    terminal_width(&Table::new())
}

/// A line of text under a table: broken between words to fit the terminal when it must.
pub fn write_line(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    match text_width() {
        Some(width) => write!(out, "{}", wrapped(text, width)),
        None => writeln!(out, "{text}"),
    }
}

/// `first` then `rest`, wrapped at `width` columns under `rest`'s start; a word longer than
/// a line (a path, a hash) stands whole on a line of its own.
pub fn hanging(first: &str, rest: &str, width: usize) -> String {
    let indent = display_width(first);
    let mut out = first.to_string();
    let mut used = indent;
    for (i, word) in rest.split(' ').enumerate() {
        let w = display_width(word);
        if i > 0 && used + 1 + w > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            used = indent;
        } else if i > 0 {
            out.push(' ');
            used += 1;
        }
        out.push_str(word);
        used += w;
    }
    out.push('\n');
    out
}

/// `text` broken at spaces into lines of at most `width` columns; a word longer than that
/// (a path, a hash) stands on a line of its own, whole.
fn wrapped(text: &str, width: usize) -> String {
    text.lines().map(|line| hanging("", line, width)).collect()
}

/// `1234567.89` → `1,234,567.89`, for tables only (CSV and JSON keep plain numbers).
pub fn group_thousands(amount: &str) -> String {
    let (sign, unsigned) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return amount.to_string();
    }
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// How lists and reports are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}

/// One cell. Money is kept as exact text (`"1250.00"`) in every format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Money(String),
    Int(i64),
    Bool(bool),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

/// A column: its stable key (CSV header, JSON key), its table title, and whether the table
/// shows it (a few columns exist for scripts only, such as `row` and `tied_out`).
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub key: &'static str,
    pub title: &'static str,
    pub in_table: bool,
    /// Whether it may be hidden to fit the terminal, and with which others.
    pub optional: Hide,
}

/// Whether a column may be hidden to fit the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hide {
    Never,
    Alone,
    /// With every other column of a row's arithmetic (opening + in − out = closing), so that
    /// what is shown still adds up.
    WithFlows,
}

pub const fn col(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        title,
        in_table: true,
        optional: Hide::Never,
    }
}

/// A column a table at the terminal may hide when it does not fit (a hint says so).
pub const fn optional_col(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        title,
        in_table: true,
        optional: Hide::Alone,
    }
}

/// A column of a row's arithmetic: hidden only with all the others.
pub const fn flow_col(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        title,
        in_table: true,
        optional: Hide::WithFlows,
    }
}

/// A column that only CSV and JSON carry.
pub const fn machine_col(key: &'static str) -> Column {
    Column {
        key,
        title: key,
        in_table: false,
        optional: Hide::Never,
    }
}

/// Rows under named columns, plus notes the table prints below itself (the tie-out line).
/// Columns an anonymized output leaves empty (see [`Tabular::redact`]).
const REDACTED_COLUMNS: [&str; 4] = ["reference", "note", "file", "memo"];

#[derive(Clone, Debug, Default)]
pub struct Tabular {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub notes: Vec<String>,
}

impl Tabular {
    pub fn new(columns: Vec<Column>) -> Tabular {
        Tabular {
            columns,
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The table as an anonymized output shows it: who entered each row as a pseudonym, and
    /// the free text that may name someone in ways no replacement finds — references, notes,
    /// file names — left out.
    pub fn redact(&mut self, people: &crate::domain::privacy::Pseudonyms) {
        for (i, column) in self.columns.iter().enumerate() {
            let by = column.key == "entered_by";
            if !by && !REDACTED_COLUMNS.contains(&column.key) {
                continue;
            }
            for row in &mut self.rows {
                if let Some(cell) = row.get_mut(i) {
                    *cell = match (by, &*cell) {
                        (true, Cell::Text(name)) => {
                            Cell::Text(people.get(name).unwrap_or("user").to_string())
                        }
                        _ => Cell::Empty,
                    };
                }
            }
        }
    }

    pub fn write(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Table => self.write_table(out),
            Format::Csv => self.write_csv(out),
            Format::Json => self.write_json(out),
        }
    }

    fn write_table(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let in_table: Vec<usize> = (0..self.columns.len())
            .filter(|&i| self.columns[i].in_table)
            .collect();
        let colour = COLOUR.load(Ordering::Relaxed);
        let mut table = Table::new();
        if colour {
            table.enforce_styling();
        }
        let texts: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| in_table.iter().map(|&i| table_text(&row[i])).collect())
            .collect();
        let money: Vec<bool> = in_table
            .iter()
            .map(|&i| {
                self.rows
                    .iter()
                    .any(|r| matches!(r[i], Cell::Money(_) | Cell::Int(_)))
            })
            .collect();
        // Never wrapped inside a cell: fitted here, by shortening text and hiding columns.
        let limit = terminal_width(&table);
        let Fitted {
            shown,
            widths,
            titles,
            hidden,
        } = self.fitted(&in_table, &texts, &money, limit);
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(shown.iter().map(|&k| titles[k].as_str()));
        for (row, text) in self.rows.iter().zip(&texts) {
            table.add_row(
                shown
                    .iter()
                    .map(|&k| table_cell(&row[in_table[k]], shortened(&text[k], widths[k]), colour)),
            );
        }
        for (position, &k) in shown.iter().enumerate() {
            if let Some(column) = table.column_mut(position).filter(|_| money[k]) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        if self.rows.is_empty() {
            writeln!(out, "(nothing to show)")?;
        } else {
            writeln!(out, "{table}")?;
        }
        self.write_under_table(&hidden, limit, out)
    }

    /// The columns in the table (indexes into `in_table`) fitted to `limit` terminal columns,
    /// or all of them whole when the width is not known.
    fn fitted(
        &self,
        in_table: &[usize],
        texts: &[Vec<String>],
        money: &[bool],
        limit: Option<usize>,
    ) -> Fitted {
        let titles: Vec<&str> = in_table.iter().map(|&i| self.columns[i].title).collect();
        let optional: Vec<Hide> = in_table.iter().map(|&i| self.columns[i].optional).collect();
        match limit {
            Some(limit) => fit(&titles, texts, money, &optional, limit),
            None => Fitted {
                shown: (0..titles.len()).collect(),
                widths: vec![usize::MAX; titles.len()],
                titles: titles.iter().map(|t| t.to_string()).collect(),
                hidden: Vec::new(),
            },
        }
    }

    /// The lines under the table: which columns were hidden, then the notes.
    fn write_under_table(
        &self,
        hidden: &[String],
        limit: Option<usize>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        // The lines under the table fit the terminal too, broken between words.
        let fitted = |text: &str| match limit {
            Some(width) => wrapped(text, width),
            None => format!("{text}\n"),
        };
        if !hidden.is_empty() && !self.rows.is_empty() {
            write!(
                out,
                "{}",
                fitted(&format!(
                    "{} column(s) hidden to fit: {}; --wide shows them",
                    hidden.len(),
                    hidden.join(", ")
                ))
            )?;
        }
        for note in &self.notes {
            write!(
                out,
                "{}",
                fitted(&crate::domain::names::escape_controls_by_line(note))
            )?;
        }
        Ok(())
    }
    fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer
            .write_record(self.columns.iter().map(|c| c.key))
            .map_err(csv_io_error)?;
        for row in &self.rows {
            writer
                .write_record(row.iter().map(|cell| match cell {
                    Cell::Text(s) => neutralize_formula(s),
                    Cell::Money(s) => s.clone(),
                    Cell::Int(n) => n.to_string(),
                    Cell::Bool(b) => b.to_string(),
                    Cell::Empty => String::new(),
                }))
                .map_err(csv_io_error)?;
        }
        writer.flush()
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write_json_value(&self.json_rows(), out)
    }

    /// The rows as JSON objects keyed by column, as `--format json` writes them.
    pub fn json_rows(&self) -> Value {
        let array: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, cell)| (column.key.to_string(), json_value(cell)))
                    .collect();
                Value::Object(object)
            })
            .collect();
        Value::Array(array)
    }
}

fn json_value(cell: &Cell) -> Value {
    match cell {
        Cell::Text(s) | Cell::Money(s) => Value::String(s.clone()),
        Cell::Int(n) => Value::from(*n),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Empty => Value::Null,
    }
}

/// Pretty JSON followed by a newline.
pub fn write_json_value(value: &impl serde::Serialize, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// A cell's text in a table: controls escaped, amounts with their thousands grouped.
fn table_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => escape_controls(s),
        Cell::Money(s) => group_thousands(s),
        Cell::Int(n) => n.to_string(),
        Cell::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A table cell holding `text`, numbers right-aligned.
fn table_cell(cell: &Cell, text: String, colour: bool) -> comfy_table::Cell {
    let aligned = comfy_table::Cell::new(text);
    match cell {
        // A negative amount stands out in red where colour is allowed.
        Cell::Money(s) if colour && s.starts_with('-') => aligned
            .set_alignment(CellAlignment::Right)
            .fg(comfy_table::Color::Red),
        Cell::Money(_) | Cell::Int(_) => aligned.set_alignment(CellAlignment::Right),
        _ => aligned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Tabular {
        let mut t = Tabular::new(vec![
            col("account", "Account"),
            col("amount", "Amount"),
            machine_col("ok"),
        ]);
        t.rows.push(vec![
            "=HYPERLINK(\"x\")".into(),
            Cell::Money("-12.50".into()),
            Cell::Bool(true),
        ]);
        t.rows
            .push(vec![Cell::Empty, Cell::Money("3.00".into()), Cell::Bool(false)]);
        t.notes.push("tied out".into());
        t
    }

    fn render(t: &Tabular, format: Format) -> String {
        let mut out = Vec::new();
        t.write(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_long_rate_is_never_cut_to_fit() {
        let cells = vec![vec![
            "a description long enough to be shortened".to_string(),
            "1/149.123456789".to_string(),
        ]];
        let fitted = fit(
            &["Description", "Rate"],
            &cells,
            &[false, false],
            &[Hide::Never; 2],
            40,
        );
        assert_eq!(fitted.widths[1], "1/149.123456789".len());
        assert!(fitted.widths[0] < cells[0][0].len());
    }

    #[test]
    fn csv_neutralizes_formulas_but_not_amounts() {
        let csv = render(&sample(), Format::Csv);
        assert_eq!(
            csv,
            "account,amount,ok\n\"'=HYPERLINK(\"\"x\"\")\",-12.50,true\n,3.00,false\n"
        );
    }

    #[test]
    fn thousands_are_grouped_for_tables() {
        let cases = [
            ("0.00", "0.00"),
            ("999.99", "999.99"),
            ("1000.00", "1,000.00"),
            ("-1234567.89", "-1,234,567.89"),
            ("1000000", "1,000,000"),
            ("123456.789", "123,456.789"),
            ("36.5", "36.5"),
        ];
        for (plain, grouped) in cases {
            assert_eq!(group_thousands(plain), grouped);
        }
        let table = render(&sample(), Format::Table);
        assert!(table.contains("-12.50"), "{table}");
    }

    #[test]
    fn json_keeps_money_as_strings_and_column_order() {
        let json = render(&sample(), Format::Json);
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value[0]["amount"], Value::String("-12.50".into()));
        assert_eq!(value[1]["account"], Value::Null);
        assert!(json.find("\"account\"").unwrap() < json.find("\"amount\"").unwrap());
    }

    #[test]
    fn table_hides_machine_columns_and_prints_notes() {
        let table = render(&sample(), Format::Table);
        assert!(!table.contains("ok"), "{table}");
        assert!(
            table.contains("-12.50") && table.ends_with("tied out\n"),
            "{table}"
        );
    }
}
