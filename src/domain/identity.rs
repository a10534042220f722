//! Who a name is. A donor has no record of their own, only the name written on their gifts,
//! so two spellings of one person ("Ana Pérez", "ana perez", "Ana  Pérez") would be two
//! donors in every report. The *identity key* folds case, accents and spaces so that such
//! spellings meet; the *skeleton* (Unicode TR39, from the `unicode-security` crate) maps
//! characters that look alike to one prototype, so that "Маizal" with a Cyrillic `М` meets
//! "Maizal". Pure functions: the store keeps a donor's key and skeleton, the writer refuses
//! a new name that meets an existing one unless the treasurer says it is someone else.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::names::{code_point, is_invisible, nfc};

/// The identity key of a name: case-folded, without accents or other combining marks,
/// compatibility characters unfolded (`ﬁ` is `fi`, a full-width `Ａ` is `a`), invisible
/// characters dropped, and runs of spaces made one. `Ana  Pérez`, `ana perez` and
/// `ANA PÉREZ` (composed or not) all have the key `ana perez`.
pub fn identity_key(name: &str) -> String {
    // ASCII has no marks, nothing to unfold and nothing invisible, and its upper then lower
    // case is its lower case: a write works out the key of every gift's donor.
    if name.is_ascii() {
        return one_space(&name.to_ascii_lowercase());
    }
    folded_key(name)
}

/// [`identity_key`] by the rules of every script.
fn folded_key(name: &str) -> String {
    // Upper then lower case folds what lower case alone keeps apart (`ß` and `SS`), and
    // decomposing after it catches marks that case mapping adds (`İ` lowers to `i̇`).
    let cased = name.to_uppercase().to_lowercase();
    let folded: String = cased
        .nfkd()
        .filter(|c| !is_combining_mark(*c) && !is_invisible(*c))
        .collect();
    one_space(&folded)
}

/// `text` with runs of spaces made one, and none at either end.
fn one_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The confusable skeleton of a name (Unicode TR39): two names with one skeleton can be
/// mistaken for each other on a page, though their letters differ. Runs of spaces are made
/// one first, which the identity key already treats as the same name.
pub fn skeleton(name: &str) -> String {
    let spaced = name.split_whitespace().collect::<Vec<_>>().join(" ");
    unicode_security::skeleton(&spaced).collect()
}

/// How a new name meets an existing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Likeness {
    /// The same identity key: the same name but for case, accents or spaces.
    SameKey,
    /// A different key but the same skeleton: letters of other scripts or shapes that look
    /// the same (a Cyrillic `М` for a Latin `M`, `rn` for `m`).
    Confusable,
}

/// How `name` meets `existing`, if it does; never for the same text.
pub fn likeness(name: &str, existing: &str) -> Option<Likeness> {
    if name == existing {
        None
    } else if identity_key(name) == identity_key(existing) {
        Some(Likeness::SameKey)
    } else if skeleton(name) == skeleton(existing) {
        Some(Likeness::Confusable)
    } else {
        None
    }
}

/// Why two names are one, in words: for a message that names both.
pub fn why_alike(name: &str, existing: &str, likeness: Likeness) -> String {
    match likeness {
        Likeness::SameKey if nfc(existing) == nfc(name) => {
            "the same letters, stored in another Unicode form before fondo normalised names".into()
        }
        Likeness::SameKey => "same name ignoring case, accents and spaces".into(),
        Likeness::Confusable => {
            let (ours, theirs) = first_difference(name, existing);
            let shown = |c: Option<char>| c.map_or("nothing".to_string(), code_point);
            format!(
                "they look alike: this has {} where that has {}",
                shown(ours),
                shown(theirs)
            )
        }
    }
}

/// The first characters at which two names differ, each `None` where its name has ended.
pub fn first_difference(a: &str, b: &str) -> (Option<char>, Option<char>) {
    let (mut a, mut b) = (a.chars(), b.chars());
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return (None, None),
            (x, y) => return (x, y),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn an_ascii_name_has_the_key_every_script_gives_it(name in "[\\x00-\\x7f]{0,30}") {
            proptest::prop_assert_eq!(identity_key(&name), folded_key(&name));
        }
    }

    #[test]
    fn spellings_of_one_name_share_a_key() {
        let nfd = "Ana Pe\u{301}rez";
        for spelling in [
            "Ana Pérez",
            nfd,
            "ana perez",
            "Ana  Pérez",
            "ANA PÉREZ",
            "ａｎａ ｐｅｒｅｚ",
        ] {
            assert_eq!(identity_key(spelling), "ana perez", "{spelling:?}");
        }
        let cases = [
            ("Straße", "STRASSE"),
            ("İnci", "inci"),
            ("Σοφίας", "ΣΟΦΊΑΣ"),
            ("Zoë", "Zoe"),
        ];
        for (a, b) in cases {
            assert_eq!(identity_key(a), identity_key(b), "{a} / {b}");
        }
        for (a, b) in [("Ana Pérez", "Ana Perea"), ("李明", "里明"), ("Мария", "Mariya")] {
            assert_ne!(identity_key(a), identity_key(b), "{a} / {b}");
        }
    }

    #[test]
    fn look_alikes_are_told_apart_from_other_names() {
        let cases = [
            ("ana perez", "Ana Pérez", Some(Likeness::SameKey)),
            ("Ana Pe\u{301}rez", "Ana Pérez", Some(Likeness::SameKey)),
            ("Ana Pérez", "Ana Pérez", None),
            // A Cyrillic М and а.
            ("\u{41c}\u{430}izal", "Maizal", Some(Likeness::Confusable)),
            ("AIice", "Alice", Some(Likeness::Confusable)),
            ("Maizal", "Matizal", None),
            ("Tires", "Truck tires", None),
        ];
        for (name, existing, expected) in cases {
            assert_eq!(likeness(name, existing), expected, "{name} / {existing}");
        }
    }

    #[test]
    fn the_reason_names_the_differing_character() {
        let why = why_alike("\u{41c}\u{430}izal", "Maizal", Likeness::Confusable);
        assert_eq!(
            why,
            "they look alike: this has U+041C `\u{41c}` where that has U+004D `M`"
        );
        assert_eq!(
            why_alike("ana perez", "Ana Pérez", Likeness::SameKey),
            "same name ignoring case, accents and spaces"
        );
        assert!(why_alike("Ana Pérez", "Ana Pe\u{301}rez", Likeness::SameKey).contains("Unicode form"));
        assert_eq!(first_difference("ab", "abc"), (None, Some('c')));
    }
}
