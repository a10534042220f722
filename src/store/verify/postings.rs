//! The postings as verify reads them, streamed in the order they were written.

use super::totals::bytes;
use super::Problems;
use crate::error::Result;

/// The postings in the order they were written, taken a transaction's at a time.
pub(super) struct PostingStream<'s> {
    rows: rusqlite::Rows<'s>,
    pending: Option<PostingRow>,
    own: Vec<PostingRow>,
}

impl<'s> PostingStream<'s> {
    pub(super) fn start(mut rows: rusqlite::Rows<'s>) -> Result<Self> {
        let pending = rows.next()?.map(posting_of).transpose()?;
        Ok(PostingStream {
            rows,
            pending,
            own: Vec::new(),
        })
    }

    fn advance(&mut self) -> Result<()> {
        self.pending = self.rows.next()?.map(posting_of).transpose()?;
        Ok(())
    }

    /// Transaction `id`'s postings, after naming the ones before them as orphans.
    pub(super) fn take(&mut self, id: i64, problems: &mut Problems) -> Result<&[PostingRow]> {
        self.orphans_before(Some(id), problems)?;
        self.own.clear();
        while let Some(p) = self.pending.take_if(|p| p.txn_id == id) {
            self.own.push(p);
            self.advance()?;
        }
        Ok(&self.own)
    }

    /// Postings of transactions that no longer exist are orphans: those before transaction
    /// `id`, or with `None` all that are left.
    pub(super) fn orphans_before(&mut self, id: Option<i64>, problems: &mut Problems) -> Result<()> {
        while let Some(p) = self
            .pending
            .as_ref()
            .filter(|p| id.is_none_or(|id| p.txn_id < id))
        {
            problems.push(format!(
                "posting {} of #{} belongs to no transaction",
                p.line, p.txn_id
            ));
            self.advance()?;
        }
        Ok(())
    }
}

pub(super) struct PostingRow {
    txn_id: i64,
    pub(super) line: i64,
    pub(super) account_id: i64,
    pub(super) fund_id: i64,
    pub(super) currency: [u8; 3],
    pub(super) amount_minor: i64,
}

fn posting_of(r: &rusqlite::Row<'_>) -> Result<PostingRow> {
    Ok(PostingRow {
        txn_id: r.get(0)?,
        line: r.get(1)?,
        account_id: r.get(2)?,
        fund_id: r.get(3)?,
        currency: bytes(r.get_ref(4)?.as_str().unwrap_or("?")),
        amount_minor: r.get(5)?,
    })
}
