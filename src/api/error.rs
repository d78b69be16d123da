//! The client's errors: one enum, each variant a sentence that says what the user can do, none
//! of them ever carrying the API key.

use std::time::Duration;

/// What went wrong talking to the API.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("The API key was refused ({detail}); check the key in the profile settings.")]
    Unauthorized { detail: String },
    #[error(
        "The API refused this request ({detail}); a public key can only read, and the project must have the Stores API enabled in the Woosmap Console."
    )]
    Forbidden { detail: String },
    #[error("The API answered \"not found\" for {what}; check the API address in the profile.")]
    NotFound { what: String },
    #[error(
        "The API refused the batch: {message}. Nothing in it was saved; fix the store it names and push again."
    )]
    BatchRejected { message: String },
    #[error("The request is {bytes} bytes, over the API's 15 MB limit; send fewer stores at once.")]
    TooLarge { bytes: usize },
    #[error(
        "The API is limiting the request rate and still refused after {attempts} tries; wait a minute and try again."
    )]
    RateLimited { attempts: u32 },
    #[error("The API had a server error ({status}{}); try again in a few minutes.", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Server { status: u16, message: String },
    #[error("The API did not answer within {0:?}; check the connection and try again.")]
    Timeout(Duration),
    #[error(
        "The API could not be reached ({detail}); check the network connection and the API address."
    )]
    Network { detail: String },
    #[error(
        "The connection broke after the request was sent ({detail}), so it may or may not have been applied; read the stores back before sending it again."
    )]
    OutcomeUnknown { detail: String },
    #[error(
        "This profile has a public key, which can only read; add the private key to push changes."
    )]
    ReadOnly,
    #[error(
        "Deleting every store of the project needs the confirmation \"{expected}\"; nothing was deleted."
    )]
    NotConfirmed { expected: &'static str },
    #[error(
        "Store id \"{id}\" has characters the API does not accept in a delete; only letters, digits and underscores can be used."
    )]
    InvalidId { id: String },
    #[error(
        "{url} is not a secure address: use https://, or http:// only for this computer (127.0.0.1)."
    )]
    InsecureUrl { url: String },
    #[error("The API address \"{url}\" is not a valid URL; write it like https://api.woosmap.com.")]
    BadUrl { url: String },
    #[error(
        "The API answered something unexpected ({detail}); try again, and report it if it persists."
    )]
    InvalidResponse { detail: String },
}

impl ApiError {
    /// Whether the request certainly did not take effect and may be sent again as it is.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. } | ApiError::Network { .. } | ApiError::Timeout(_)
        )
    }
}

/// Removes every occurrence of `secret` and the values of `key=` and `private_key=` query
/// parameters from a text.
pub fn redact(text: &str, secret: &str) -> String {
    let mut out = if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "***")
    };
    for param in ["private_key=", "key="] {
        let mut from = 0;
        while let Some(pos) = out[from..].find(param) {
            let start = from + pos + param.len();
            let end = out[start..]
                .find(['&', ' ', '"', ')', '\n'])
                .map(|e| start + e)
                .unwrap_or(out.len());
            if &out[start..end] != "***" {
                out.replace_range(start..end, "***");
            }
            from = start + 3;
        }
    }
    out
}

/// The server's message from `{"status","value"}`, `{"detail"}` or `{"message"}` bodies, else
/// the start of the body text.
pub fn server_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        for key in ["value", "detail", "message"] {
            match value.get(key) {
                Some(serde_json::Value::String(s)) => return s.clone(),
                Some(v) if !v.is_null() => return v.to_string(),
                _ => {}
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    trimmed.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_removes_the_secret_and_key_parameters() {
        let text = "GET http://h/stores?private_key=s3cr3t&page=2 and key=pub123) s3cr3t";
        let out = redact(text, "s3cr3t");
        assert!(!out.contains("s3cr3t") && !out.contains("pub123"), "{out}");
        assert!(out.contains("private_key=***&page=2"), "{out}");
    }

    #[test]
    fn server_messages_are_read_from_each_shape() {
        assert_eq!(
            server_message(br#"{"status":"error","value":"bad"}"#),
            "bad"
        );
        assert_eq!(server_message(br#"{"detail":"nope"}"#), "nope");
        assert_eq!(server_message(br#"{"message":"old"}"#), "old");
        assert_eq!(server_message(b"<html>502</html>"), "<html>502</html>");
    }
}
