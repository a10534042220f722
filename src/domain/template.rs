//! The thank-you text of a donor statement: a template the treasurer can edit, whose
//! placeholders (`{donor}`, `{year}`, `{total}`, `{gifts}`, `{org}`) each letter fills in.
//! Parsed once, before any letter is written, so that a mistake in it stops the run whole.
//! It knows nothing of Markdown or HTML: the renderer escapes both the text and the values.

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    /// The donor's name as recorded.
    Donor,
    /// The statement's year.
    Year,
    /// The year's total per currency, `1250.00 USD and 20.00 EUR`.
    Total,
    /// How many gifts the letter lists.
    Gifts,
    /// The organisation's name (`fondo settings --org`), else `our fund`.
    Org,
}

/// Every placeholder, as a template writes it.
pub const PLACEHOLDERS: [(&str, Placeholder); 5] = [
    ("donor", Placeholder::Donor),
    ("year", Placeholder::Year),
    ("total", Placeholder::Total),
    ("gifts", Placeholder::Gifts),
    ("org", Placeholder::Org),
];

/// The text a letter has when no `--template` is given.
pub const DEFAULT_TEMPLATE: &str = "Dear {donor},

thank you for your {gifts} gift(s) to {org} in {year}, {total} in all. Every one of them went \
to the communes' work, and our public page shows where the money went.

With gratitude,
{org}
";

/// One piece of a template: text as written, or a placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(Placeholder),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Default for Template {
    fn default() -> Template {
        match Template::parse(DEFAULT_TEMPLATE) {
            Ok(template) => template,
            Err(problem) => unreachable!("the built-in template does not parse: {problem}"),
        }
    }
}

impl Template {
    /// Reads a template: `{name}` is a placeholder, `{{` and `}}` a brace. Anything else in
    /// braces, or a brace left open, is refused with the line it is on and what is accepted.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let line = || text[..at].matches('\n').count() + 1;
            match c {
                '{' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().is_some_and(|(_, n)| *n == '}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let rest = &text[at + 1..];
                    let name = rest
                        .find(['}', '\n', '{'])
                        .filter(|end| rest[*end..].starts_with('}'))
                        .map(|end| &rest[..end])
                        .ok_or_else(|| format!("a `{{` on line {} is not closed; {}", line(), accepted()))?;
                    let value = PLACEHOLDERS
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, p)| *p)
                        .ok_or_else(|| {
                            format!(
                                "unknown placeholder `{{{name}}}` on line {}; {}",
                                line(),
                                accepted()
                            )
                        })?;
                    for _ in 0..=name.chars().count() {
                        chars.next();
                    }
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    pieces.push(Piece::Value(value));
                }
                '}' => {
                    return Err(format!(
                        "a `}}` on line {} closes nothing; {}",
                        line(),
                        accepted()
                    ));
                }
                c => literal.push(c),
            }
        }
        pieces.push(Piece::Text(literal));
        pieces.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        Ok(Template { pieces })
    }

    /// The filled-in text: `text` turns the template's own text into the output's (escaping
    /// it), `value` gives each placeholder's (escaped too).
    pub fn fill(&self, text: impl Fn(&str) -> String, value: impl Fn(Placeholder) -> String) -> String {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(t) => text(t),
                Piece::Value(p) => value(*p),
            })
            .collect()
    }
}

/// What a template may hold, for its error messages.
fn accepted() -> String {
    let names: Vec<String> = PLACEHOLDERS.iter().map(|(n, _)| format!("{{{n}}}")).collect();
    format!("use {} (write {{{{ and }}}} for a brace)", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(template: &str) -> Result<String, String> {
        Ok(Template::parse(template)?.fill(str::to_string, |p| format!("<{p:?}>")))
    }

    #[test]
    fn placeholders_are_filled_and_double_braces_are_braces() {
        assert_eq!(
            filled("Dear {donor}, {{thanks}} for {total} in {year} ({gifts}) to {org}").unwrap(),
            "Dear <Donor>, {thanks} for <Total> in <Year> (<Gifts>) to <Org>"
        );
        assert_eq!(filled("").unwrap(), "");
        assert_eq!(filled("{donor}{donor}").unwrap(), "<Donor><Donor>");
        assert_eq!(filled("Señora {donor}!").unwrap(), "Señora <Donor>!");
    }

    #[test]
    fn mistakes_name_the_placeholder_the_line_and_what_is_accepted() {
        let cases = [
            ("Dear {name},", "unknown placeholder `{name}` on line 1;"),
            ("ok\n\nDear {Donor}", "unknown placeholder `{Donor}` on line 3;"),
            ("Dear {}", "unknown placeholder `{}` on line 1;"),
            ("Dear {donor", "a `{` on line 1 is not closed;"),
            ("Dear {don\nor}", "a `{` on line 1 is not closed;"),
            ("Dear {{donor}", "a `}` on line 1 closes nothing;"),
            ("a } b", "a `}` on line 1 closes nothing;"),
        ];
        for (template, expected) in cases {
            let problem = filled(template).unwrap_err();
            assert!(problem.starts_with(expected), "{template:?}: {problem}");
            assert!(
                problem
                    .ends_with("use {donor}, {year}, {total}, {gifts}, {org} (write {{ and }} for a brace)"),
                "{problem}"
            );
        }
    }

    #[test]
    fn the_built_in_template_uses_every_placeholder_but_none_other() {
        let text = Template::default().fill(|_| String::new(), |p| format!("{p:?}"));
        for (_, p) in PLACEHOLDERS {
            assert!(text.contains(&format!("{p:?}")), "{p:?} missing");
        }
    }
}
