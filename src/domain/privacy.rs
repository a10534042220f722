//! Donor privacy: stable pseudonyms for anything shared beyond the treasurer, and the
//! disclosure rules every published figure about donors follows.

use super::field::Field;
use super::money::{Currency, Sum};
use crate::error;
use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

/// Each donor as `donor-0001`, `donor-0002`, ... numbered by their first gift, so the same
/// donor has the same pseudonym in every report and export of a ledger.
#[derive(Clone, Debug)]
pub struct Pseudonyms {
    by_name: HashMap<String, String>,
    /// Every donor's name at once, to find them in free text, overlapping matches included:
    /// a fee or refund line may name a donor it is not attributed to, and one name may
    /// start inside another ("Luis A" in "Luis Ana Ruiz").
    names: AhoCorasick,
    donors: Vec<String>,
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
        let pseudonyms: Vec<String> = (1..=names.len()).map(|i| format!("{prefix}-{i:04}")).collect();
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&names)?;
        let by_name = names.iter().cloned().zip(pseudonyms.iter().cloned()).collect();
        Ok(Pseudonyms {
            by_name,
            names: matcher,
            donors: names,
            pseudonyms,
        })
    }

    /// The pseudonym of a donor; `None` for anyone who never gave.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.by_name.get(name).map(String::as_str)
    }

    /// `text` with every donor's name replaced by their pseudonym. A name is replaced
    /// wherever it appears, even inside a longer word: a mangled word is a small price
    /// next to a donor named where they were promised they would not be. Names that overlap
    /// are replaced together, by their pseudonyms joined with `+`; a name inside a longer
    /// one found at the same place ("Ana" in "Ana María") goes with the longer one.
    pub fn scrub(&self, text: &str) -> String {
        let mut found: Vec<(usize, usize, usize)> = self
            .names
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        if found.is_empty() {
            return text.to_string();
        }
        // Longest first at each start, so that a name inside another is dropped below.
        found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut at = 0;
        while at < found.len() {
            let (start, mut end, first) = found[at];
            let mut names = vec![first];
            at += 1;
            while let Some(&(s, e, pattern)) = found.get(at).filter(|m| m.0 < end) {
                // Within what is already covered, a name adds nothing; past it, it overlaps.
                if e > end {
                    end = e;
                    names.push(pattern);
                } else if s == start && e == end && !names.contains(&pattern) {
                    names.push(pattern);
                }
                at += 1;
            }
            out.push_str(&text[last..start]);
            let shown: Vec<&str> = names.iter().map(|&p| self.pseudonyms[p].as_str()).collect();
            out.push_str(&shown.join("+"));
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// Finds one donor's name in free text as a whole word (see [`NameMatch`]), among this
    /// ledger's donors.
    pub fn matcher(&self, name: &str) -> NameMatch {
        NameMatch::new(name, self.donors.iter().map(String::as_str))
    }
}

/// One name found where it stands on its own in free text: as a whole word, and not as
/// part of a longer donor's name standing there (forgetting "Ana" leaves "Ana María", and
/// forgetting "Dan" leaves "Danielle"). In scripts written without spaces between words
/// (Chinese, Japanese, Korean, Thai, …) a name's own edge is a word's edge.
#[derive(Clone, Debug)]
pub struct NameMatch {
    name: String,
    /// Longer donors' names that contain this one, with where in them it stands (bytes).
    longer: Vec<(String, usize)>,
}

impl NameMatch {
    pub fn new<'a>(name: &str, donors: impl IntoIterator<Item = &'a str>) -> NameMatch {
        let mut longer = Vec::new();
        if !name.is_empty() {
            for donor in donors {
                if donor.len() > name.len() {
                    longer.extend(donor.match_indices(name).map(|(at, _)| (donor.to_string(), at)));
                }
            }
        }
        NameMatch {
            name: name.to_string(),
            longer,
        }
    }

    /// `text` with the name replaced by `with` wherever it stands on its own.
    pub fn replace(&self, text: &str, with: &str) -> String {
        if self.name.is_empty() {
            return text.to_string();
        }
        // A letter that runs on into a word: not one of a script written without spaces.
        let spaced_letter = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !unspaced_script(c));
        let (first, last_char) = (self.name.chars().next(), self.name.chars().next_back());
        let step = first.map_or(1, char::len_utf8);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut from = 0;
        while let Some(offset) = text[from..].find(&self.name) {
            let start = from + offset;
            let end = start + self.name.len();
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let runs_on = (spaced_letter(first) && spaced_letter(before))
                || (spaced_letter(last_char) && spaced_letter(after));
            let in_longer = self.longer.iter().any(|(other, at)| {
                start >= *at
                    && text
                        .get(start - at..)
                        .is_some_and(|t| t.starts_with(other.as_str()))
            });
            if !runs_on && !in_longer && start >= last {
                out.push_str(&text[last..start]);
                out.push_str(with);
                last = end;
            }
            // One character on: the next match may start inside this one.
            from = start + step;
        }
        out.push_str(&text[last..]);
        out
    }
}

/// A letter of a script written without spaces between words, where a name's edge is no
/// word's edge: Han, Hiragana, Katakana, Hangul, Thai, Lao, Khmer, Myanmar.
fn unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1100..=0x11FF // Hangul Jamo
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0x20000..=0x2FFFF // CJK extensions B on
    )
}

/// What an erasure writes in place of a name: `forgotten donor N`. No donor may be given a
/// name of this form, so a placeholder always means an erasure.
pub const PLACEHOLDER_PREFIX: &str = "forgotten donor ";

/// The placeholder erasure `id` writes.
pub fn placeholder(id: i64) -> String {
    format!("{PLACEHOLDER_PREFIX}{id}")
}

/// Whether `name` reads as an erasure's placeholder to a person: `forgotten donor`
/// followed by anything, in any case, with any accents or spacing (a no-break space, two
/// spaces), or in letters of another script that look the same (a Cyrillic о).
pub fn looks_like_placeholder(name: &str) -> bool {
    use super::identity::{identity_key, skeleton};
    // Letters and digits only: `forgotten-donor 1`, `(forgotten donor 1)`, `forgotten donor1`.
    // Read without a copy, in lower case: every counterparty of every imported row passes here.
    let reads_as = |text: &str| {
        // A zero for an o in the words; an l, I or i for a one in the number.
        let mut bare = text.chars().filter(|c| c.is_alphanumeric()).map(|c| {
            if c == '0' {
                'o'
            } else {
                c.to_ascii_lowercase()
            }
        });
        let stem_read = PLACEHOLDER_PREFIX
            .chars()
            .filter(|c| c.is_alphanumeric())
            .all(|expected| bare.next() == Some(expected));
        stem_read
            && match bare.next() {
                None => true,
                Some(c) if !c.is_alphabetic() => true,
                Some('l' | 'i' | 'o') => bare.all(|c| c.is_numeric() || "lio".contains(c)),
                Some(_) => false,
            }
    };
    // Every row of an import passes here: an ASCII name needs no confusables table (its
    // look-alikes of the placeholder — 0 for o, l for 1 — are read above).
    if name.is_ascii() {
        return reads_as(name);
    }
    let key = identity_key(name);
    // Letters as the letters they look like (a Cyrillic о as o); digits as themselves (the
    // skeleton of 1 is l).
    let looks: String = name
        .chars()
        .map(|c| {
            if c.is_numeric() {
                c.to_string()
            } else {
                skeleton(&c.to_string())
            }
        })
        .collect();
    reads_as(&key) || reads_as(&identity_key(&looks))
}

/// Refuses a donor or counterparty named like an erasure's placeholder (see
/// [`looks_like_placeholder`]).
pub fn check_not_placeholder(field: Field, name: &str) -> crate::error::Result<()> {
    if looks_like_placeholder(name) {
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
    pub fn allows(&self, donors: &HashMap<u32, Sum>) -> bool {
        self.breach(donors).is_none()
    }

    /// The first rule a figure made of these donors' sums breaks, if any.
    pub fn breach(&self, donors: &HashMap<u32, Sum>) -> Option<Breach> {
        let total: i128 = donors.values().map(|m| i128::from(m.minor())).sum();
        let largest = donors.values().map(|m| m.minor()).max().map_or(0, i128::from);
        self.breach_of(giving(donors), total, largest)
    }

    /// The first rule a figure breaks, if any: `giving` people gave ([`giving`]), `total`
    /// in all, the largest one person's sum being `largest` (minor units).
    fn breach_of(&self, giving: i64, total: i128, largest: i128) -> Option<Breach> {
        if giving < self.min_donors {
            Some(Breach::TooFew { giving })
        } else if total <= 0 {
            Some(Breach::NothingRaised)
        } else if largest * 100 > total * i128::from(self.max_share_percent) {
            Some(Breach::Dominant)
        } else {
            None
        }
    }
}

/// Why a figure about donors may not be published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breach {
    /// Only `giving` people gave something ([`giving`]), fewer than the rules ask.
    TooFew { giving: i64 },
    /// Refunds took back at least all that was given.
    NothingRaised,
    /// One person gave more than the rules' share of the figure.
    Dominant,
}

/// How many of `donors` gave something in their group: one whose refunds took back all they
/// gave in it has nothing to hide others among, and is not counted.
pub fn giving(donors: &HashMap<u32, Sum>) -> i64 {
    let count = donors.values().filter(|m| m.minor() > 0).count();
    i64::try_from(count).unwrap_or(i64::MAX)
}

impl Default for Disclosure {
    fn default() -> Disclosure {
        Disclosure {
            min_donors: 5,
            max_share_percent: 50,
        }
    }
}

/// Gifts of one currency published together (a month, say): each donor's sum, the donor
/// numbered by their [`donor_key`] (see [`DonorIds`]), and how many gifts they were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftGroup {
    pub label: String,
    pub currency: Currency,
    pub donors: HashMap<u32, Sum>,
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
        let id = self.id_of_key(&donor_key(name));
        self.by_name.insert(name.map(str::to_string), id);
        id
    }

    /// The number of the donor whose [`donor_key`] is `key`.
    pub fn id_of_key(&mut self, key: &str) -> u32 {
        if let Some(id) = self.by_key.get(key) {
            return *id;
        }
        let next = u32::try_from(self.by_key.len()).unwrap_or(u32::MAX);
        self.by_key.insert(key.to_string(), next);
        next
    }
}

/// What the disclosure rules read of a [`GiftGroup`], without each donor's sum: a month's
/// figures as the ledger keeps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    pub label: String,
    pub currency: Currency,
    /// People who gave something ([`giving`]).
    pub giving: i64,
    pub gifts: i64,
    pub total: Sum,
    /// The largest one person's sum (minor units).
    pub largest_minor: i64,
}

impl Tally {
    pub fn of(group: &GiftGroup) -> error::Result<Tally> {
        Ok(Tally {
            label: group.label.clone(),
            currency: group.currency,
            giving: giving(&group.donors),
            gifts: group.gifts,
            total: group.total()?,
            largest_minor: group.donors.values().map(|m| m.minor()).max().unwrap_or(0),
        })
    }

    fn allowed_by(&self, rules: &Disclosure) -> bool {
        let (total, largest) = (i128::from(self.total.minor()), i128::from(self.largest_minor));
        rules.breach_of(self.giving, total, largest).is_none()
    }
}

impl GiftGroup {
    /// No gifts yet.
    pub fn new(label: impl Into<String>, currency: Currency) -> GiftGroup {
        GiftGroup {
            label: label.into(),
            currency,
            donors: HashMap::new(),
            gifts: 0,
        }
    }

    /// Adds `gifts` gifts of one donor, adding up to `sum`.
    pub fn add(&mut self, donor: u32, sum: Sum, gifts: i64) -> error::Result<()> {
        self.donors
            .entry(donor)
            .or_insert(Sum::zero(self.currency))
            .add(sum)?;
        self.gifts += gifts;
        Ok(())
    }

    pub fn total(&self) -> error::Result<Sum> {
        self.donors
            .values()
            .try_fold(Sum::zero(self.currency), |total, sum| total.plus(*sum))
    }

    /// Adds every gift of `other` to this group.
    pub fn absorb(&mut self, other: GiftGroup) -> error::Result<()> {
        for (donor, sum) in other.donors {
            self.add(donor, sum, 0)?;
        }
        self.gifts += other.gifts;
        Ok(())
    }
}

/// The groups that may be published, in their order, with those that may not merged into
/// one group labelled `other` at the end. The published groups always add up to the whole,
/// so no hidden figure can be worked out by subtraction: while the merged group breaks the
/// rules, the smallest published group joins it; if even all of them together break the
/// rules, nothing is published (an empty list).
pub fn publishable(groups: Vec<GiftGroup>, rules: &Disclosure, other: &str) -> error::Result<Vec<Tally>> {
    let tallies = groups.iter().map(Tally::of).collect::<error::Result<Vec<_>>>()?;
    let mut groups: HashMap<String, GiftGroup> = groups.into_iter().map(|g| (g.label.clone(), g)).collect();
    publishable_tallies(tallies, rules, other, |tally| {
        Ok(groups
            .remove(&tally.label)
            .unwrap_or_else(|| GiftGroup::new(tally.label.as_str(), tally.currency)))
    })
}

/// [`publishable`] from each group's figures, with each donor's sum asked of `donors` only
/// for the groups that are merged.
pub fn publishable_tallies(
    tallies: Vec<Tally>,
    rules: &Disclosure,
    other: &str,
    mut donors: impl FnMut(&Tally) -> error::Result<GiftGroup>,
) -> error::Result<Vec<Tally>> {
    let (mut shown, hidden): (Vec<Tally>, Vec<Tally>) =
        tallies.into_iter().partition(|t| t.allowed_by(rules));
    let Some(currency) = hidden.first().map(|t| t.currency) else {
        return Ok(shown);
    };
    let mut merged = GiftGroup::new(other, currency);
    for tally in &hidden {
        merged.absorb(donors(tally)?)?;
    }
    while !rules.allows(&merged.donors) {
        let Some(smallest) = (0..shown.len()).min_by_key(|&i| (shown[i].total.minor(), i)) else {
            return Ok(Vec::new());
        };
        let joining = shown.remove(smallest);
        merged.absorb(donors(&joining)?)?;
    }
    shown.push(Tally::of(&merged)?);
    Ok(shown)
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
            p.matcher("Ana").replace("from Ana María and Ana, via Ana", "X"),
            "from Ana María and X, via X"
        );
        assert_eq!(p.matcher("Ana").replace("nothing", "X"), "nothing");
    }

    fn group(label: &str, donors: &[(&str, i64)]) -> GiftGroup {
        let usd = Currency::parse("USD").unwrap();
        GiftGroup {
            label: label.into(),
            currency: usd,
            donors: donors
                .iter()
                .map(|(d, m)| (u32::from(d.as_bytes()[0]), Sum::from_minor(*m, usd)))
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
        // A donor whose refunds took back all they gave hides no one.
        let refunded = group("m", &[("a", 10), ("b", 10), ("c", 10), ("d", 10), ("e", -10)]);
        assert!(!rules.allows(&refunded.donors));
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
        )
        .unwrap();
        let labels: Vec<&str> = out.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["01", "other"]);
        assert_eq!(out[1].total.minor(), 250 + 14);
        let all: i64 = out.iter().map(|g| g.total.minor()).sum();
        assert_eq!(all, 500 + 264);
        // Nothing safe at all: nothing published.
        assert!(publishable(
            vec![group("01", &[("z", 7)]), group("02", &[("y", 7)])],
            &rules,
            "other"
        )
        .unwrap()
        .is_empty());
        // All safe: all shown, no other row.
        assert_eq!(publishable(vec![big("01", 1)], &rules, "other").unwrap().len(), 1);
    }

    #[test]
    fn names_that_read_as_a_placeholder_are_reserved() {
        for name in [
            "forgotten donor 3",
            "Forgotten Donor 12",
            "forgotten  donor 2",
            "forgotten\u{a0}donor 3",
            "f\u{43e}rgotten donor 1",
            "forgotten donor 2x",
            "forgotten donor",
            " FORGÓTTEN DONOR 9 ",
            "forgotten donor1",
            "forgotten-donor 1",
            "forgotten_donor 1",
            "(forgotten donor 1)",
            "\"forgotten donor 1\"",
            "ｆｏｒｇｏｔｔｅｎ donor 4",
            "forgotten donor l",
            "forgotten donor I",
            "forgotten donor \u{2160}",
            "f0rgotten donor 1",
            "\u{17f}orgotten donor 1",
        ] {
            assert!(looks_like_placeholder(name), "{name:?}");
        }
        for name in [
            "Forgotten Donors Collective",
            "Ana",
            "donor 3",
            "forgotten donations",
            "forgotten donor lisa",
        ] {
            assert!(!looks_like_placeholder(name), "{name:?}");
        }
    }

    #[test]
    fn a_name_is_found_where_another_donors_name_overlaps_its_start() {
        let p = Pseudonyms::new(vec!["Ana Ruiz".into(), "Luis A".into()]).unwrap();
        let text = "Gift from Bo, friend of Luis Ana Ruiz";
        assert_eq!(
            p.matcher("Ana Ruiz").replace(text, "X"),
            "Gift from Bo, friend of Luis X"
        );
        // Anonymised, neither name is left, not even in part.
        assert_eq!(p.scrub(text), "Gift from Bo, friend of donor-0002+donor-0001");
        assert_eq!(p.scrub("Ana Ruiz and Luis A"), "donor-0001 and donor-0002");
    }

    #[test]
    fn a_name_in_a_script_without_spaces_is_found_inside_a_sentence() {
        let p = Pseudonyms::new(vec!["王伟".into(), "李娜".into(), "王伟国".into()]).unwrap();
        assert_eq!(p.matcher("王伟").replace("感谢王伟的介绍", "X"), "感谢X的介绍");
        // A longer donor's name that holds it is that donor's.
        assert_eq!(p.matcher("王伟").replace("感谢王伟国", "X"), "感谢王伟国");
        assert_eq!(p.matcher("李娜").replace("with 李娜.", "X"), "with X.");
    }

    #[test]
    fn a_name_is_replaced_only_as_a_whole_word() {
        let p = Pseudonyms::new(vec!["Dan".into(), "Ana".into()]).unwrap();
        assert_eq!(
            p.matcher("Dan").replace("Dan, Danielle and Jordan; (Dan)", "X"),
            "X, Danielle and Jordan; (X)"
        );
        assert_eq!(
            p.matcher("Ana").replace("Anabel gave for Ana", "X"),
            "Anabel gave for X"
        );
    }
}
