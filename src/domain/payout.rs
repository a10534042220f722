//! How a processor's lump payout is split across the funds whose money it carries: oldest
//! money first, as the processor pays out gifts in the order they came in; and how a payout
//! fee is shared among those parts, exactly to the unit.

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// What one fund holds in an account, as the gifts it is made of: (date, minor units), oldest
/// first, summing to the fund's balance there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    pub fund: String,
    pub layers: Vec<(NaiveDate, i64)>,
}

/// Takes `total` minor units from `holdings`, oldest money first across every fund (a tie on
/// the date goes to the fund first by code). Returns what each fund gives, by fund code, or
/// `None` when they hold less than `total` together.
pub fn split_oldest_first(holdings: &[Holding], total: i64) -> Option<Vec<(String, i64)>> {
    let mut layers: Vec<(NaiveDate, &str, i64)> = holdings
        .iter()
        .flat_map(|h| {
            h.layers
                .iter()
                .map(|(date, minor)| (*date, h.fund.as_str(), *minor))
        })
        .collect();
    layers.sort();
    let mut parts: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    let mut left = total;
    for (_, fund, minor) in layers {
        if left == 0 {
            break;
        }
        let taken = minor.min(left);
        *parts.entry(fund).or_default() += taken;
        left -= taken;
    }
    (left == 0).then(|| parts.into_iter().map(|(f, m)| (f.to_string(), m)).collect())
}

/// Shares `fee` among `parts` in proportion to them: each share rounded down, then the units
/// left over one each to the largest remainders (the earlier part first on a tie). The shares
/// add up to `fee` exactly.
pub fn share_in_proportion(parts: &[i64], fee: i64) -> Result<Vec<i64>> {
    let total: i128 = parts.iter().map(|p| i128::from(*p)).sum();
    if total <= 0 {
        return Err(Error::Internal("a fee shared among nothing".into()));
    }
    let exact: Vec<(i128, i128)> = parts
        .iter()
        .map(|p| {
            let scaled = i128::from(*p) * i128::from(fee);
            (scaled / total, scaled % total)
        })
        .collect();
    let mut shares: Vec<i64> = exact
        .iter()
        .map(|(q, _)| i64::try_from(*q).map_err(|_| Error::Internal("a fee share overflowed".into())))
        .collect::<Result<_>>()?;
    let left = fee - shares.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(usize::try_from(left).unwrap_or(0)) {
        shares[i] += 1;
    }
    Ok(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn holding(fund: &str, layers: &[(u32, i64)]) -> Holding {
        Holding {
            fund: fund.into(),
            layers: layers.iter().map(|(d, m)| (day(*d), *m)).collect(),
        }
    }

    #[test]
    fn the_oldest_money_goes_first_across_funds() {
        let held = [
            holding("general", &[(1, 5_000), (9, 4_680)]),
            holding("tires", &[(3, 4_825)]),
        ];
        // 145.05 = general's 50.00 of 1 March, tires' 48.25 of 3 March, 46.80 of general's 9 March.
        assert_eq!(
            split_oldest_first(&held, 14_505),
            Some(vec![("general".into(), 9_680), ("tires".into(), 4_825)])
        );
        assert_eq!(
            split_oldest_first(&held, 5_001),
            Some(vec![("general".into(), 5_000), ("tires".into(), 1)])
        );
        assert_eq!(split_oldest_first(&held, 14_506), None);
        assert_eq!(split_oldest_first(&held, 0), Some(vec![]));
    }

    #[test]
    fn a_fee_is_shared_to_the_unit() {
        assert_eq!(share_in_proportion(&[9_680, 4_825], 100).unwrap(), vec![67, 33]);
        assert_eq!(share_in_proportion(&[1, 1, 1], 2).unwrap(), vec![1, 1, 0]);
        assert_eq!(share_in_proportion(&[5], 5).unwrap(), vec![5]);
        for (parts, fee) in [(vec![3, 7, 11], 13), (vec![999_999, 1], 999), (vec![2, 2], 1)] {
            assert_eq!(share_in_proportion(&parts, fee).unwrap().iter().sum::<i64>(), fee);
        }
    }
}
