//! Donor privacy: stable pseudonyms for anything shared beyond the treasurer.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

/// Each donor as `donor-0001`, `donor-0002`, ... numbered by their first gift, so the same
/// donor has the same pseudonym in every report and export of a ledger.
#[derive(Clone, Debug)]
pub struct Pseudonyms {
    by_name: HashMap<String, String>,
    /// Every donor's name at once, longest first where names overlap, to find them in
    /// free text: a fee or refund line may name a donor it is not attributed to.
    names: AhoCorasick,
    pseudonyms: Vec<String>,
}

impl Pseudonyms {
    /// `donors` in the order of their first gift. Fails only past the matcher's limits
    /// (billions of characters of names).
    pub fn new(donors: Vec<String>) -> Result<Pseudonyms, aho_corasick::BuildError> {
        let pseudonyms: Vec<String> = (1..=donors.len()).map(|i| format!("donor-{i:04}")).collect();
        let names = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&donors)?;
        let by_name = donors.into_iter().zip(pseudonyms.iter().cloned()).collect();
        Ok(Pseudonyms {
            by_name,
            names,
            pseudonyms,
        })
    }

    /// The pseudonym of a donor; `None` for anyone who never gave.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.by_name.get(name).map(String::as_str)
    }

    /// `text` with every donor's name replaced by their pseudonym. A name is replaced
    /// wherever it appears, even inside a longer word: a mangled word is a small price
    /// next to a donor named where they were promised they would not be.
    pub fn scrub(&self, text: &str) -> String {
        self.names.replace_all(text, &self.pseudonyms)
    }

    /// `text` with one donor's name replaced by `with` wherever it stands on its own:
    /// not where it is part of a longer donor's name (forgetting "Ana" leaves "Ana María").
    pub fn replace_donor(&self, text: &str, name: &str, with: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for found in self.names.find_iter(text) {
            if &text[found.range()] == name {
                out.push_str(&text[last..found.start()]);
                out.push_str(with);
                last = found.end();
            }
        }
        out.push_str(&text[last..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_follow_the_order_of_first_gifts() {
        let p = Pseudonyms::new(vec!["Ana".into(), "Bo".into()]).unwrap();
        assert_eq!(p.get("Ana"), Some("donor-0001"));
        assert_eq!(p.get("Bo"), Some("donor-0002"));
        assert_eq!(p.get("Communard Union"), None);
    }

    #[test]
    fn scrubbing_replaces_every_name_in_free_text_longest_first() {
        let p = Pseudonyms::new(vec!["Ana".into(), "Ana Maria".into(), "Bo".into()]).unwrap();
        assert_eq!(
            p.scrub("refund to Ana Maria; fee for Ana and Bo"),
            "refund to donor-0002; fee for donor-0001 and donor-0003"
        );
        assert_eq!(p.scrub("no donors here"), "no donors here");
        assert_eq!(Pseudonyms::new(Vec::new()).unwrap().scrub("Ana"), "Ana");
    }

    #[test]
    fn replacing_one_donor_leaves_longer_names_that_contain_it() {
        let p = Pseudonyms::new(vec!["Ana".into(), "Ana María".into()]).unwrap();
        assert_eq!(
            p.replace_donor("from Ana María and Ana, via Ana", "Ana", "X"),
            "from Ana María and X, via X"
        );
        assert_eq!(p.replace_donor("nothing", "Ana", "X"), "nothing");
    }
}
