//! Donor privacy: stable pseudonyms for anything shared beyond the treasurer, and the
//! disclosure rules every published figure about donors follows.

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
        Pseudonyms::labelled(donors, "donor")
    }

    /// `names` as `{prefix}-0001`, `{prefix}-0002`, ... in their order: for the people who
    /// entered transactions (`user-0001`), say.
    pub fn labelled(names: Vec<String>, prefix: &str) -> Result<Pseudonyms, aho_corasick::BuildError> {
        let donors = names;
        let pseudonyms: Vec<String> = (1..=donors.len()).map(|i| format!("{prefix}-{i:04}")).collect();
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

    /// `text` with one donor's name replaced by `with` wherever it stands on its own: as a
    /// whole word, and not as part of a longer donor's name (forgetting "Ana" leaves
    /// "Ana María", and forgetting "Dan" leaves "Danielle").
    pub fn replace_donor(&self, text: &str, name: &str, with: &str) -> String {
        let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for found in self.names.find_iter(text) {
            let before = text[..found.start()].chars().next_back();
            let after = text[found.end()..].chars().next();
            if &text[found.range()] == name && !word_char(before) && !word_char(after) {
                out.push_str(&text[last..found.start()]);
                out.push_str(with);
                last = found.end();
            }
        }
        out.push_str(&text[last..]);
        out
    }
}

/// What an erasure writes in place of a name: `forgotten donor N`. No donor may be given a
/// name of this form, so a placeholder always means an erasure.
pub const PLACEHOLDER_PREFIX: &str = "forgotten donor ";

/// The placeholder erasure `id` writes.
pub fn placeholder(id: i64) -> String {
    format!("{PLACEHOLDER_PREFIX}{id}")
}

/// Refuses a donor or counterparty named like an erasure's placeholder, in any case.
pub fn check_not_placeholder(field: &str, name: &str) -> crate::error::Result<()> {
    let lower = name.trim().to_lowercase();
    let reserved = lower
        .strip_prefix(PLACEHOLDER_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if reserved {
        return Err(crate::error::Error::invalid(
            field,
            name,
            "names of the form `forgotten donor N` are what `donor forget` leaves in place of a name, and are reserved; a real donor named so would be mixed up with a forgotten one (to move a whole ledger with its erasures, rebuild it from its audit pack)",
        ));
    }
    Ok(())
}

/// Who a donor is, for counting people: the name case-folded, with accents and other
/// marks dropped and runs of spaces made one, so "Ana Pérez", "ana perez" and "Ana  Perez"
/// count once. Gifts without a donor are all one donor (`None`): they may be one person's.
pub fn donor_key(name: Option<&str>) -> String {
    name.map_or_else(String::new, super::identity::identity_key)
}

/// The rules a published figure about donors follows: it covers at least `min_donors`
/// people, and no one of them gave more than `max_share_percent` of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disclosure {
    pub min_donors: i64,
    pub max_share_percent: i64,
}

impl Disclosure {
    /// The loosest rules a ledger may set: never fewer than three donors, and no donor over
    /// half of a figure.
    pub const MIN_DONORS_FLOOR: i64 = 3;
    pub const MAX_SHARE_CEILING: i64 = 50;

    /// Rules within the floor and ceiling; anything looser is refused with the reason.
    pub fn new(min_donors: i64, max_share_percent: i64) -> std::result::Result<Disclosure, String> {
        if min_donors < Self::MIN_DONORS_FLOOR {
            return Err(format!(
                "at least {} donors per published figure: fewer would let a reader who knows the others work out one donor's gift",
                Self::MIN_DONORS_FLOOR
            ));
        }
        if !(1..=Self::MAX_SHARE_CEILING).contains(&max_share_percent) {
            return Err(format!(
                "a share from 1 to {} percent: above that one donor is most of a figure",
                Self::MAX_SHARE_CEILING
            ));
        }
        Ok(Disclosure {
            min_donors,
            max_share_percent,
        })
    }

    /// Whether a figure made of these donors' sums may be published.
    pub fn allows(&self, donors: &HashMap<u32, i64>) -> bool {
        let total: i128 = donors.values().map(|m| i128::from(*m)).sum();
        let largest = donors.values().copied().max().map_or(0, i128::from);
        i64::try_from(donors.len()).unwrap_or(i64::MAX) >= self.min_donors
            && total > 0
            && largest * 100 <= total * i128::from(self.max_share_percent)
    }
}

impl Default for Disclosure {
    fn default() -> Disclosure {
        Disclosure {
            min_donors: 5,
            max_share_percent: 50,
        }
    }
}

/// Gifts published together (a month, say): each donor's sum, the donor numbered by their
/// [`donor_key`] (see [`DonorIds`]), and how many gifts they were.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GiftGroup {
    pub label: String,
    pub donors: HashMap<u32, i64>,
    pub gifts: i64,
}

/// Numbers each donor by their [`donor_key`], computing each name's key once.
#[derive(Debug, Default)]
pub struct DonorIds {
    by_name: HashMap<Option<String>, u32>,
    by_key: HashMap<String, u32>,
}

impl DonorIds {
    pub fn id(&mut self, name: Option<&str>) -> u32 {
        if let Some(id) = self.by_name.get(&name.map(str::to_string)) {
            return *id;
        }
        let next = u32::try_from(self.by_key.len()).unwrap_or(u32::MAX);
        let id = *self.by_key.entry(donor_key(name)).or_insert(next);
        self.by_name.insert(name.map(str::to_string), id);
        id
    }
}

impl GiftGroup {
    pub fn total(&self) -> i64 {
        self.donors.values().sum()
    }

    fn absorb(&mut self, other: GiftGroup) {
        for (donor, minor) in other.donors {
            *self.donors.entry(donor).or_default() += minor;
        }
        self.gifts += other.gifts;
    }
}

/// The groups that may be published, in their order, with those that may not merged into
/// one group labelled `other` at the end. The published groups always add up to the whole,
/// so no hidden figure can be worked out by subtraction: while the merged group breaks the
/// rules, the smallest published group joins it; if even all of them together break the
/// rules, nothing is published (an empty list).
pub fn publishable(groups: Vec<GiftGroup>, rules: &Disclosure, other: &str) -> Vec<GiftGroup> {
    let (mut shown, hidden): (Vec<GiftGroup>, Vec<GiftGroup>) =
        groups.into_iter().partition(|g| rules.allows(&g.donors));
    if hidden.is_empty() {
        return shown;
    }
    let mut merged = GiftGroup {
        label: other.to_string(),
        ..GiftGroup::default()
    };
    hidden.into_iter().for_each(|g| merged.absorb(g));
    while !rules.allows(&merged.donors) {
        let Some(smallest) = (0..shown.len()).min_by_key(|&i| (shown[i].total(), i)) else {
            return Vec::new();
        };
        merged.absorb(shown.remove(smallest));
    }
    shown.push(merged);
    shown
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

    fn group(label: &str, donors: &[(&str, i64)]) -> GiftGroup {
        GiftGroup {
            label: label.into(),
            donors: donors
                .iter()
                .map(|(d, m)| (u32::from(d.as_bytes()[0]), *m))
                .collect(),
            gifts: donors.len() as i64,
        }
    }

    #[test]
    fn a_donor_is_one_person_whatever_the_case_accents_or_spaces() {
        assert_eq!(donor_key(Some("Ana  Pérez")), donor_key(Some("ana perez")));
        assert_eq!(donor_key(Some("Ana Pe\u{301}rez")), donor_key(Some("ANA PÉREZ")));
        assert_ne!(donor_key(Some("Ana Pérez")), donor_key(Some("Ana Peres")));
        assert_eq!(donor_key(None), "");
    }

    #[test]
    fn a_figure_needs_enough_donors_and_none_dominant() {
        let rules = Disclosure::default();
        let five = group("m", &[("a", 10), ("b", 10), ("c", 10), ("d", 10), ("e", 10)]);
        assert!(rules.allows(&five.donors));
        assert!(!rules.allows(&group("m", &[("a", 10), ("b", 10), ("c", 10), ("d", 10)]).donors));
        // 4 small donors and one who gave 60 of 100.
        let dominated = group("m", &[("a", 10), ("b", 10), ("c", 10), ("d", 10), ("e", 60)]);
        assert!(!rules.allows(&dominated.donors));
        // Exactly half is allowed.
        assert!(rules.allows(&group("m", &[("a", 10), ("b", 10), ("c", 10), ("d", 20), ("e", 50)]).donors));
        assert!(Disclosure::new(2, 50).is_err());
        assert!(Disclosure::new(5, 51).is_err());
        assert_eq!(
            Disclosure::new(6, 40),
            Ok(Disclosure {
                min_donors: 6,
                max_share_percent: 40
            })
        );
    }

    #[test]
    fn hidden_groups_are_merged_until_safe_so_nothing_is_left_to_subtract() {
        let rules = Disclosure::default();
        let big = |l: &str, base: i64| {
            group(
                l,
                &[("a", base), ("b", base), ("c", base), ("d", base), ("e", base)],
            )
        };
        // One person in three months: merged, still one donor; the smallest shown month
        // joins until the merged group is safe.
        let out = publishable(
            vec![
                big("01", 100),
                group("02", &[("z", 7)]),
                big("03", 50),
                group("04", &[("z", 7)]),
            ],
            &rules,
            "other",
        );
        let labels: Vec<&str> = out.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["01", "other"]);
        assert_eq!(out[1].total(), 250 + 14);
        assert_eq!(out.iter().map(GiftGroup::total).sum::<i64>(), 500 + 264);
        // Nothing safe at all: nothing published.
        assert!(publishable(
            vec![group("01", &[("z", 7)]), group("02", &[("y", 7)])],
            &rules,
            "other"
        )
        .is_empty());
        // All safe: all shown, no other row.
        assert_eq!(publishable(vec![big("01", 1)], &rules, "other").len(), 1);
    }

    #[test]
    fn a_name_is_replaced_only_as_a_whole_word() {
        let p = Pseudonyms::new(vec!["Dan".into(), "Ana".into()]).unwrap();
        assert_eq!(
            p.replace_donor("Dan, Danielle and Jordan; (Dan)", "Dan", "X"),
            "X, Danielle and Jordan; (X)"
        );
        assert_eq!(
            p.replace_donor("Anabel gave for Ana", "Ana", "X"),
            "Anabel gave for X"
        );
    }
}
