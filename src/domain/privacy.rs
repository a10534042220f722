//! Donor privacy: stable pseudonyms for anything shared beyond the treasurer.

use std::collections::HashMap;

/// Each donor as `donor-0001`, `donor-0002`, ... numbered by their first gift, so the same
/// donor has the same pseudonym in every report and export of a ledger.
#[derive(Clone, Debug, Default)]
pub struct Pseudonyms(HashMap<String, String>);

impl Pseudonyms {
    /// `donors` in the order of their first gift.
    pub fn new(donors: Vec<String>) -> Pseudonyms {
        Pseudonyms(
            donors
                .into_iter()
                .enumerate()
                .map(|(i, name)| (name, format!("donor-{:04}", i + 1)))
                .collect(),
        )
    }

    /// The pseudonym of a donor; `None` for anyone who never gave.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_follow_the_order_of_first_gifts() {
        let p = Pseudonyms::new(vec!["Ana".into(), "Bo".into()]);
        assert_eq!(p.get("Ana"), Some("donor-0001"));
        assert_eq!(p.get("Bo"), Some("donor-0002"));
        assert_eq!(p.get("Communard Union"), None);
    }
}
