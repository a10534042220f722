//! A transaction's row as verify reads it, and what is wrong with its private texts and salts.

use crate::error::{Error, Result};
use crate::store::hash::{PrivateText, TextForm, FIELD_SALT_LEN, PRIVATE_FIELDS};
use crate::store::revise;

/// A transaction's row as `check_transactions` reads it.
pub(super) struct TxnRow<'r> {
    pub(super) id: i64,
    pub(super) batch_id: Option<i64>,
    pub(super) date: Option<&'r str>,
    pub(super) description: Option<&'r str>,
    pub(super) counterparty: Option<&'r str>,
    pub(super) reference: Option<&'r str>,
    pub(super) memo: Option<&'r str>,
    pub(super) entered_at: Option<&'r str>,
    pub(super) entered_by: Option<&'r str>,
    pub(super) source: Option<&'r str>,
    pub(super) stored_prev: Option<&'r str>,
    pub(super) voids: Option<i64>,
    pub(super) stored_hash: &'r str,
    salt: Option<&'r [u8]>,
    was_erased: bool,
    /// The digests its latest erasure kept, in [`PRIVATE_FIELDS`] order.
    kept: [Option<&'r str>; 6],
    /// Which salt columns hold salts: 1 the six-field form's, 2 the three-field, 4 the shared.
    salt_columns: i64,
    /// The texts its latest erasure left, in [`PRIVATE_FIELDS`] order.
    left: [Option<&'r str>; 6],
}

impl<'r> TxnRow<'r> {
    pub(super) fn read(r: &'r rusqlite::Row<'_>) -> Result<Self> {
        let id: i64 = r.get(0)?;
        // Borrowed from the row: no allocation per field of a million transactions.
        let field = |i: usize| -> Result<Option<&'r str>> {
            Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => None,
                value => Some(
                    value
                        .as_str()
                        .map_err(|_| Error::Corrupt(format!("non-text in transaction #{id}")))?,
                ),
            })
        };
        let batch_id = r.get(26)?;
        let (date, description, counterparty, reference, memo) =
            (field(1)?, field(2)?, field(3)?, field(4)?, field(5)?);
        let (entered_at, entered_by, source, stored_prev) = (field(7)?, field(8)?, field(9)?, field(10)?);
        let voids = r.get(6)?;
        let stored_hash =
            field(11)?.ok_or_else(|| Error::Corrupt(format!("no hash in transaction #{id}")))?;
        let salt = r
            .get_ref(12)?
            .as_blob_or_null()
            .map_err(|_| Error::Corrupt(format!("a salt that is not bytes in transaction #{id}")))?;
        let was_erased = r.get(25)?;
        let kept = [
            field(13)?,
            field(14)?,
            field(15)?,
            field(16)?,
            field(17)?,
            field(18)?,
        ];
        let salt_columns = r.get(27)?;
        let left = [
            field(19)?,
            field(20)?,
            field(21)?,
            field(22)?,
            field(23)?,
            field(24)?,
        ];
        Ok(TxnRow {
            id,
            batch_id,
            date,
            description,
            counterparty,
            reference,
            memo,
            entered_at,
            entered_by,
            source,
            stored_prev,
            voids,
            stored_hash,
            salt,
            was_erased,
            kept,
            salt_columns,
            left,
        })
    }

    /// Its private texts, in [`PRIVATE_FIELDS`] order.
    fn texts(&self) -> [Option<&'r str>; 6] {
        [
            self.description,
            self.counterparty,
            self.memo,
            self.reference,
            self.entered_by,
            self.source,
        ]
    }

    /// How many digests its erasure kept. A transaction recorded with six salts has a source
    /// digest (its source is never empty); one recorded before, three digests.
    fn kept_count(&self) -> usize {
        if self.kept[5].is_some() {
            6
        } else {
            3
        }
    }

    /// How its private text enters its hash.
    pub(super) fn private_text<'a>(
        &'a self,
        revisions: &[revise::Revised],
        revised: &'a [Option<String>; 6],
    ) -> PrivateText<'a> {
        match (self.salt, self.was_erased) {
            (Some(salt), _) if !revisions.is_empty() => PrivateText::Revised(salt, revised),
            (Some(salt), _) => PrivateText::Salted(salt),
            (None, false) => PrivateText::Plain,
            (None, true) => PrivateText::Erased(&self.kept[..self.kept_count()]),
        }
    }

    pub(super) fn revision_problems(&self, revisions: &[revise::Revised]) -> Vec<String> {
        let texts = self.texts();
        match self.salt {
            _ if revisions.is_empty() => Vec::new(),
            None => vec![
                "its text was revised, but it has no salts (they were removed outside fondo)".to_string(),
            ],
            Some(salts) => (0..PRIVATE_FIELDS.len())
                .flat_map(|i| {
                    let of_field: Vec<&revise::Revised> = revisions.iter().filter(|r| r.field == i).collect();
                    revise::field_problems(texts[i], salts, &of_field, i)
                })
                .collect(),
        }
    }

    /// Whether an empty field's salt is not the zeros fondo gives it; up to
    /// `salted_empty_through`, the three-field form may keep the random salt it once had.
    pub(super) fn empty_salted(&self, private: PrivateText<'_>, salted_empty_through: i64) -> bool {
        match private {
            PrivateText::Salted(salts) | PrivateText::Revised(salts, _) => match TextForm::of_salts(salts) {
                Some(TextForm::ThreeFields) if self.id <= salted_empty_through => false,
                Some(form @ (TextForm::ThreeFields | TextForm::SixFields)) => self
                    .texts()
                    .iter()
                    .take(form.fields().len())
                    .zip(salts.chunks(FIELD_SALT_LEN))
                    .any(|(text, slot)| text.is_none() && slot.iter().any(|b| *b != 0)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Each form's salts have a column of their own: the column must be the one fondo
    /// writes for their length, and only one may hold salts.
    pub(super) fn misplaced_salts(&self) -> bool {
        match self.salt.map(TextForm::of_salts) {
            None => self.salt_columns != 0,
            Some(Some(TextForm::SixFields)) => self.salt_columns != 1,
            Some(Some(TextForm::ThreeFields)) => self.salt_columns != 2,
            Some(Some(TextForm::Shared)) => self.salt_columns != 4,
            Some(None) => true,
        }
    }

    pub(super) fn erased_problem(&self) -> Option<String> {
        let count = self.kept_count();
        (self.was_erased && self.texts()[..count] != self.left[..count])
            .then(|| "its text differs from what its erasure left (changed after `donor forget`)".to_string())
    }
}
