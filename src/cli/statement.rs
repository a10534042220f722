//! `fondo report statement`: one donor's letter to standard output or a file, or every
//! donor's letter into a directory. Private output: files 0600, noted for `donor forget`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::Context;
use crate::domain::template::Template;
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::files::{self, Destination, Existing, PrivateFiles};
use crate::render::statement::{write_letter, LetterFormat};
use crate::render::transparency::PageFormat;
use crate::render::Format;
use crate::report::statement::{statements, Letter, Statements};
use crate::store::Ledger;

/// The largest template read: a letter's text, not a book.
const TEMPLATE_BYTES_MAX: u64 = 64 * 1024;

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The donor, by the name the gifts record (see `fondo donor list`)
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    donor: Option<String>,
    /// Every donor who gave in the year, a letter each, into the directory -o DIR
    #[arg(long, requires = "output")]
    all: bool,
    /// The calendar year of the gifts, e.g. 2026
    #[arg(long, value_name = "YEAR")]
    year: String,
    /// A text file with the thank-you text and its placeholders [default: a built-in text]
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// With --donor: write the letter to FILE (else, or with `-`, standard output); with
    /// --all: the directory the letters go into, made if absent
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace letters (or FILE) already there
    #[arg(long, requires = "output")]
    force: bool,
}

pub fn statement(ctx: &Context, ledger: &Ledger, args: StatementArgs, out: &mut dyn Write) -> Result<()> {
    let output = args.output.as_deref();
    if args.all && output.is_some_and(files::is_stdout) {
        return Err(Error::Usage(
            "--all writes a letter per donor into a directory: give -o a directory, not -".into(),
        ));
    }
    let output = output.filter(|path| !files::is_stdout(path));
    let format = letter_format(ctx, output.filter(|_| !args.all))?;
    let run = Run {
        ledger,
        template: read_template(args.template.as_deref(), format)?,
        found: statements(ledger, &args.year, args.donor.as_deref())?,
        format,
        existing: Existing::from_force(args.force),
    };
    match (args.all, output) {
        (true, Some(dir)) => run.write_all(dir, out),
        (_, output) => run.write_one(output, out),
    }
}

/// What a run writes, and how.
struct Run<'a> {
    ledger: &'a Ledger,
    template: Template,
    found: Statements,
    format: LetterFormat,
    existing: Existing,
}

/// The format asked for: `--format md|html|csv`, else a file's extension, else Markdown.
fn letter_format(ctx: &Context, file: Option<&Path>) -> Result<LetterFormat> {
    match (ctx.page_format, ctx.format) {
        (Some(PageFormat::Markdown), _) => return Ok(LetterFormat::Markdown),
        (Some(PageFormat::Html), _) => return Ok(LetterFormat::Html),
        (None, Format::Csv) => return Ok(LetterFormat::Csv),
        (None, Format::Json) => {
            return Err(Error::Usage(
                "report statement writes letters: use --format md (the default), html or csv".into(),
            ))
        }
        (None, Format::Table) => {}
    }
    let extension = file
        .and_then(|f| f.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    Ok(match extension.as_deref() {
        Some("html" | "htm") => LetterFormat::Html,
        Some("csv") => LetterFormat::Csv,
        _ => LetterFormat::Markdown,
    })
}

/// The template of `--template`, checked whole before any letter is written; the built-in
/// text without one. A CSV letter has no text, so it takes none.
fn read_template(path: Option<&Path>, format: LetterFormat) -> Result<Template> {
    let Some(path) = path else {
        return Ok(Template::default());
    };
    let shown = files::shown(path);
    if format == LetterFormat::Csv {
        return Err(Error::invalid(
            Field::TEMPLATE,
            shown,
            "a CSV statement lists the gifts only; a template is for --format md or html",
        ));
    }
    let meta = std::fs::metadata(path).map_err(Error::io("read the template", path))?;
    if meta.len() > TEMPLATE_BYTES_MAX {
        return Err(Error::invalid(
            Field::TEMPLATE,
            shown,
            format!(
                "{} bytes; a template may have at most {TEMPLATE_BYTES_MAX}",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(Error::io("read the template", path))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(Field::TEMPLATE, &shown, "is not UTF-8 text; save it as UTF-8"))?;
    Template::parse(&text).map_err(|problem| Error::invalid(Field::TEMPLATE, shown, problem))
}

impl Run<'_> {
    fn letter(&self, letter: &Letter, out: &mut dyn Write) -> Result<()> {
        write_letter(letter, &self.found.org, &self.template, self.format, out)
    }

    /// One donor's letter, to standard output or to a private file.
    fn write_one(&self, output: Option<&Path>, out: &mut dyn Write) -> Result<()> {
        let letter = self
            .found
            .letters
            .first()
            .ok_or_else(|| Error::Internal("a donor's statements hold no letter".into()))?;
        let Some(path) = output else {
            return self.letter(letter, out);
        };
        let dest = Destination {
            path,
            ledger: self.ledger.path(),
            existing: self.existing,
        };
        files::write_file(&dest, files::PRIVATE, |file| self.letter(letter, file))?;
        self.ledger.note_output("report statement", path);
        writeln!(out, "wrote {}", files::shown(path)).map_err(Error::Output)
    }

    /// Every letter into `dir`, each named after its donor (made safe; see [`file_names`]).
    fn write_all(&self, dir: &Path, out: &mut dyn Write) -> Result<()> {
        let found = &self.found;
        let names = file_names(&found.letters, self.format);
        let files = PrivateFiles::prepare(dir, self.ledger.path(), &names, self.existing)?;
        // Noted before the first letter: a run that fails half-way has still written some.
        self.ledger.note_output("report statement", dir);
        for (letter, name) in found.letters.iter().zip(&names) {
            files.file(name, |file| self.letter(letter, file))?;
        }
        files.finish();
        let gifts: usize = found.letters.iter().map(Letter::gift_count).sum();
        writeln!(
            out,
            "wrote {} letter(s) for {} gift(s) in {} to {}",
            found.letters.len(),
            gifts,
            found.year,
            files::shown(dir)
        )
        .map_err(Error::Output)?;
        let forgotten: Vec<String> = found.forgotten.iter().map(|s| s.to_string()).collect();
        if !forgotten.is_empty() {
            writeln!(
                out,
                "no letter for forgotten donors' gifts: {}",
                forgotten.join(", ")
            )
            .map_err(Error::Output)?;
        }
        let refunds: Vec<String> = found.refunds_only.iter().map(|s| s.to_string()).collect();
        if !refunds.is_empty() {
            writeln!(
                out,
                "no letter for refunds of earlier years' gifts to donors who gave nothing in {}: {}",
                found.year,
                refunds.join(", ")
            )
            .map_err(Error::Output)?;
        }
        if !found.tied_out()? {
            return Err(Error::CheckFailed(
                "the letters do not add up to the donors report of the year; run `fondo verify`".into(),
            ));
        }
        writeln!(
            out,
            "ties out: the letters{} and the forgotten donors' gifts add up to `fondo report donors --from {1}-01-01 --to {1}-12-31`",
            if refunds.is_empty() { "" } else { ", the refunds without a letter" },
            found.year
        )
        .map_err(Error::Output)
    }
}

/// The letters' file names: `ana-perez-2026.md`, from the donor's name in ASCII letters and
/// digits only (so no name can reach outside the directory, hide as a dot file or clash by
/// case), `donor` when none is left, and `-2`, `-3`… after a name another letter has.
pub fn file_names(letters: &[Letter], format: LetterFormat) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    letters
        .iter()
        .map(|letter| {
            let mut stem = crate::domain::names::slugify(&letter.donor);
            if stem.is_empty() {
                stem = "donor".into();
            }
            let stem = format!("{stem}-{}", letter.year);
            let mut name = format!("{stem}.{}", format.extension());
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{stem}-{n}.{}", format.extension());
            }
            name
        })
        .collect()
}
