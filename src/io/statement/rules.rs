//! A statement line as a transaction: the first of the mapping's rules that matches gives
//! its other side (or the fallback does), and a fee or a payout rule adds to its postings.

use std::io::Read;

use super::mapping::{Direction, Target};
use super::reader::{StatementLine, StatementReader};
use crate::domain::names::{check_name, GENERAL_FUND};
use crate::domain::Field;
use crate::domain::{Amount, NewPosting, NewTransaction};
use crate::error::Result;
use crate::io::{ParsedTxn, PayoutLine, Rejected, RowError};

impl<R: Read> StatementReader<R> {
    /// The next line as a transaction: our account on one side, the rule's on the other.
    pub fn next_txn(&mut self) -> Result<Option<std::result::Result<ParsedTxn, Rejected>>> {
        let line = match self.next_line()? {
            None => return Ok(None),
            Some(Err(e)) => return Ok(Some(Err(e.into()))),
            Some(Ok(line)) => line,
        };
        Ok(Some(self.to_txn(line)))
    }

    fn to_txn(&self, line: StatementLine) -> std::result::Result<ParsedTxn, Rejected> {
        let m = &self.mapping;
        let direction = if line.amount.is_positive() {
            Direction::In
        } else {
            Direction::Out
        };
        let (target, payout_with) = self.target(&line, direction)?;
        let fund = target
            .fund
            .or_else(|| m.fund.clone())
            .unwrap_or_else(|| GENERAL_FUND.to_string());
        let amount_column = self.amount_column(&line);
        let counterparty = target.counterparty.or(line.counterparty);
        if let Some(c) = &counterparty {
            check_name(Field::COUNTERPARTY, c)
                .map_err(|e| vec![RowError::new(line.line, "counterparty", e.to_string())])?;
        }
        let fee = line.fee.filter(|f| !f.is_zero());
        let counter = match fee {
            Some(f) => line
                .amount
                .checked_add(f)
                .map_err(|e| vec![RowError::new(line.line, "fee", e.to_string())])?,
            None => line.amount,
        };
        let mut postings = vec![NewPosting {
            account: m.account.clone(),
            fund: fund.clone(),
            amount: line.amount,
        }];
        if let Some(f) = fee {
            postings.push(NewPosting {
                account: m.fee_account.clone(),
                fund: fund.clone(),
                amount: f,
            });
        }
        if !counter.is_zero() {
            postings.push(NewPosting {
                account: target.account.clone(),
                fund: fund.clone(),
                amount: counter.negated(),
            });
        }
        let payout = payout_with.map(|other| self.payout(other, direction, line.amount, counter, fee));
        Ok(ParsedTxn {
            line: line.line,
            txn: NewTransaction {
                date: line.date,
                description: line.description,
                counterparty,
                reference: line.reference,
                memo: None,
                voids: None,
                postings,
            },
            source_id: None,
            source_voids: None,
            account_columns: vec![
                (m.account.clone(), "mapping account".to_string()),
                (m.fee_account.clone(), "mapping fee_account".to_string()),
                (target.account, "rule account".to_string()),
            ],
            fund_column: "rule fund".into(),
            amount_column,
            payout,
        })
    }

    /// Where the line's other side goes: the first rule that matches it, else the fallback;
    /// and the rule's account when it is a payout rule.
    fn target(
        &self,
        line: &StatementLine,
        direction: Direction,
    ) -> std::result::Result<(Target, Option<String>), Rejected> {
        let m = &self.mapping;
        let rule = m
            .rules
            .iter()
            .zip(&self.resolved.rule_columns)
            .find(|(rule, &column)| {
                rule.direction.is_none_or(|d| d == direction)
                    && line
                        .cells
                        .get(column)
                        .is_some_and(|cell| cell.to_lowercase().contains(&rule.contains.to_lowercase()))
            })
            .map(|(rule, _)| rule);
        let payout_with = rule.filter(|rule| rule.payout).map(|rule| rule.account.clone());
        let target = match (rule, &m.fallback) {
            (Some(rule), _) => Target {
                account: rule.account.clone(),
                fund: rule.fund.clone(),
                counterparty: rule.counterparty.clone(),
            },
            (None, Some(fallback)) => fallback.clone(),
            (None, None) => {
                return Err(vec![RowError::value(
                    line.line,
                    &self.column_name(self.resolved.description),
                    "no rule matches this line and the mapping has no [fallback]",
                    &line.description,
                )]
                .into())
            }
        };
        Ok((target, payout_with))
    }

    /// The payout a payout rule makes of a line. Money in came from the rule's account
    /// (`other`); money out went to it, less what the payer kept.
    fn payout(
        &self,
        other: String,
        direction: Direction,
        amount: Amount,
        counter: Amount,
        fee: Option<Amount>,
    ) -> PayoutLine {
        let m = &self.mapping;
        match direction {
            Direction::In => PayoutLine {
                from: other,
                to: m.account.clone(),
                amount,
                fee,
                fee_account: m.fee_account.clone(),
            },
            Direction::Out => PayoutLine {
                from: m.account.clone(),
                to: other,
                amount: counter.negated(),
                fee,
                fee_account: m.fee_account.clone(),
            },
        }
    }

    /// The column a line's amount came from.
    fn amount_column(&self, line: &StatementLine) -> String {
        self.resolved
            .amount
            .or(if line.amount.is_positive() {
                self.resolved.money_in
            } else {
                self.resolved.money_out
            })
            .map_or_else(|| "amount".to_string(), |i| self.column_name(i))
    }
}
