use crate::store::hash;

/// The import keys a batch wrote, hashed in the order of their transactions, so that a key
/// deleted, added or changed afterwards shows in `verify`. A batch recorded before schema 9
/// hashes the keys themselves ([`ImportKeys::add`]); since, each key's salted commitment
/// ([`key_commitment`]), which an erasure keeps when it replaces the key and deletes its salt.
#[derive(Default)]
pub struct ImportKeys {
    hasher: sha2::Sha256,
    pub count: i64,
}

/// The canonical form of one import key.
fn key_canonical(txn_id: i64, date: &str, content: &[u8], occurrence: i64) -> hash::Canonical {
    // Room for the key's fields, the content's 64 hex digits and the lengths.
    hash::Canonical::with_capacity(date.len() + 2 * content.len() + 64)
        .int(txn_id)
        .text(date)
        .text(&hash::hex(content))
        .int(occurrence)
}

/// What a batch's digest covers of one key since schema 9: SHA-256 of the key's random salt
/// and the key. Without the salt, which an erasure deletes, it confirms no guess.
pub fn key_commitment(salt: &[u8], txn_id: i64, date: &str, content: &[u8], occurrence: i64) -> [u8; 32] {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(salt);
    hasher.update(key_canonical(txn_id, date, content, occurrence).bytes());
    hasher.finalize().into()
}

impl ImportKeys {
    /// Adds a key as a batch recorded before schema 9 covers it: the key itself.
    pub fn add(&mut self, txn_id: i64, date: &str, content: &[u8], occurrence: i64) {
        use sha2::Digest;
        self.hasher
            .update(key_canonical(txn_id, date, content, occurrence).bytes());
        self.count += 1;
    }

    /// Adds a key as a batch since schema 9 covers it: its [`key_commitment`].
    pub fn add_commitment(&mut self, commitment: &[u8; 32]) {
        use sha2::Digest;
        self.hasher.update(commitment);
        self.count += 1;
    }

    pub fn finish(self) -> String {
        use sha2::Digest;
        hash::hex(&self.hasher.finalize())
    }
}
