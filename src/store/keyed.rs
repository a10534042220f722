//! Maps keyed by values read from the ledger, millions of times over when a whole ledger is
//! recomputed (`verify`), with a hash cheaper than the standard one.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by ledger values, hashed with [`KeyHasher`].
pub(super) type KeyedMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// The hash of a key made of ledger values (ids, codes, dates) or numbers fondo gives,
/// several keyed per posting of a million. Multiply-and-rotate as rustc's own maps do, where
/// SipHash (which resists keys chosen to collide) cost more than the rest of adding a
/// posting; keys chosen to collide could only make the work slower, never wrong (names,
/// which whoever writes a file chooses, are kept in standard maps).
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_i64(&mut self, value: i64) {
        self.add(value as u64);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
