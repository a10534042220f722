use super::entry::Entry;
use crate::error::{Error, Result};
use crate::store::hash;

/// The digests a sealed entry's body holds in place of its private texts.
pub type Digests = serde_json::Map<String, serde_json::Value>;

/// An entry's body as stored: the entry (a sealed one's private texts blank) and, if it is
/// sealed, the digests of its private texts.
pub(super) fn parse_body(body: &str) -> std::result::Result<(Entry, Option<Digests>), String> {
    let mut value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("its body is not an entry fondo writes ({e})"))?;
    let digests = match value.as_object_mut().and_then(|o| o.remove("digests")) {
        None => None,
        Some(serde_json::Value::Object(digests)) => Some(digests),
        Some(_) => return Err("its body's digests are not an object".to_string()),
    };
    let entry =
        serde_json::from_value(value).map_err(|e| format!("its body is not an entry fondo writes ({e})"))?;
    Ok((entry, digests))
}

/// One private text of a sealed entry, as `entry_texts` holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryText {
    pub field: String,
    pub text: Option<String>,
    /// Zeros for an empty field; `None` once an erasure replaced the text.
    pub salt: Option<Vec<u8>>,
}

/// Seals `entry` entered by `entered_by`: the body to store (its private texts blank, their
/// digests under `digests`), and each text with its new random salt.
pub(super) fn seal(entry: &Entry, entered_by: &str) -> Result<(String, Vec<EntryText>)> {
    let mut blank = entry.clone();
    let mut texts = Vec::new();
    let mut digests = Digests::new();
    let private = std::iter::once(("entered_by", Some(entered_by.to_string()))).chain(entry.private_texts());
    for (field, text) in private {
        blank.set_private_text(field, None);
        let salt = match text {
            Some(_) => hash::random::<{ hash::FIELD_SALT_LEN }>()?,
            None => [0_u8; hash::FIELD_SALT_LEN],
        };
        let digest = hash::private_digest(&salt, field, text.as_deref());
        digests.insert(
            field.to_string(),
            digest.map_or(serde_json::Value::Null, serde_json::Value::String),
        );
        texts.push(EntryText {
            field: field.to_string(),
            text,
            salt: Some(salt.to_vec()),
        });
    }
    let mut value = serde_json::to_value(&blank)
        .map_err(|e| Error::Internal(format!("an entry could not be written as JSON: {e}")))?;
    value
        .as_object_mut()
        .ok_or_else(|| Error::Internal("an entry is not a JSON object".into()))?
        .insert("digests".to_string(), serde_json::Value::Object(digests));
    Ok((value.to_string(), texts))
}
