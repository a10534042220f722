//! A sealed entry's private texts against the digests its body was made of.

use std::collections::HashMap;

use crate::store::chain::{self, Entry, StoredEntry};
use crate::store::hash;

/// What is wrong with a sealed entry's private texts: each must be the one its body's digest
/// was made of (through its own salt), or, once an erasure replaced it, exactly the value that
/// erasure writes, without a salt; none may be missing or added.
pub(super) fn sealed_text_problems(
    e: &StoredEntry,
    entry: &Entry,
    digests: &chain::Digests,
    erased: &HashMap<(i64, String), i64>,
) -> Vec<String> {
    let mut bad = Vec::new();
    let expected: Vec<&str> = std::iter::once("entered_by")
        .chain(entry.private_texts().into_iter().map(|(field, _)| field))
        .collect();
    let mut fields: Vec<&str> = digests.keys().map(String::as_str).collect();
    fields.sort_unstable();
    let mut wanted = expected.clone();
    wanted.sort_unstable();
    if fields != wanted {
        bad.push(format!(
            "its body seals {} but fondo seals {} in a {}",
            fields.join(", "),
            wanted.join(", "),
            entry.kind()
        ));
    }
    if !e.entered_by.is_empty() {
        bad.push("a sealed entry names who entered it outside its texts".to_string());
    }
    for (field, digest) in digests {
        let digest = digest.as_str();
        let Some(t) = e.texts.iter().find(|t| t.field == *field) else {
            bad.push(format!("its {field} is missing (deleted outside fondo)"));
            continue;
        };
        let problem = match (&t.salt, erased.get(&(e.id, field.clone()))) {
            (Some(salt), _) => {
                let zeros = salt.iter().all(|b| *b == 0);
                if hash::private_digest(salt, field, t.text.as_deref()).as_deref() != digest {
                    Some(format!(
                        "its {field} no longer matches its digest (changed outside fondo)"
                    ))
                } else if t.text.is_none() && !zeros {
                    Some(format!("the salt of its empty {field} was changed"))
                } else {
                    None
                }
            }
            (None, None) => Some(format!("its {field} lost its salt, but no erasure records it")),
            (None, Some(erasure)) => (digest.is_none()
                || t.text.as_deref() != Some(chain::erased_value(field, *erasure).as_str()))
            .then(|| format!("erasure {erasure} wrote text other than its placeholder into its {field}")),
        };
        bad.extend(problem);
    }
    for t in e.texts.iter().filter(|t| !digests.contains_key(&t.field)) {
        bad.push(format!(
            "its {} was not recorded with it (added outside fondo)",
            t.field
        ));
    }
    bad
}
