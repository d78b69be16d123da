//! Profiles: the Woosmap projects a user works on, each with its name, API address, kind of key,
//! where that key is kept, and its own workspace.
//!
//! The list is `profiles.json` in the configuration folder and never holds a key: keys live in
//! the system keyring, in an environment variable named by the profile, or, when the user opts
//! in, in a file only they can read ([`secrets`]). Each profile's workspace is
//! `<data folder>/profiles/<id>/`. On first run a **sandbox** profile works against the local
//! emulator, with a fixed key that is not a secret.

pub mod secrets;
mod store;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::api::{DEFAULT_BASE_URL, KeyKind};
use crate::workspace::WorkspaceError;
pub use secrets::{
    EnvStore, FileStore, KEY_FILE_WARNING, KEYRING_UNAVAILABLE, KeyringStore, MemoryStore, Secret,
    SecretError, SecretStore,
};
pub use store::{PROFILES_FILE, ProfileStore};

/// The sandbox's key. The sandbox is a local emulator started by storedesk, so this is not a
/// secret: the emulator is configured with it and it opens nothing else.
pub const SANDBOX_PRIVATE_KEY: &str = "sandbox-private-key";

/// The emulator's state file inside the sandbox profile's folder.
pub const EMULATOR_STATE_FILE: &str = "emulator.json";

/// The sandbox profile's name when it is created.
pub const SANDBOX_NAME: &str = "Sandbox";

/// The tooltip of a profile that cannot push.
pub const READ_ONLY_REASON: &str = "This profile uses a public key, which can read stores but not change them. Add the project's private key to push.";

/// A profile's stable identifier: lowercase letters, digits and `-`, used in folder names and
/// as the keyring entry's user name. New ones are 16 random hexadecimal digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProfileId(String);

impl ProfileId {
    /// A new random id.
    pub fn generate() -> ProfileId {
        ProfileId(format!("{:016x}", fastrand::u64(..)))
    }

    /// The id of a throw-away entry used to check that a key store works.
    pub(crate) fn probe() -> ProfileId {
        ProfileId(format!("probe-{:016x}", fastrand::u64(..)))
    }

    /// `text` as an id, if it is one (1 to 64 of `a-z`, `0-9`, `-`).
    pub fn parse(text: &str) -> Option<ProfileId> {
        let valid = !text.is_empty()
            && text.len() <= 64
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        valid.then(|| ProfileId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProfileId {
    type Error = String;

    fn try_from(text: String) -> Result<ProfileId, String> {
        ProfileId::parse(&text).ok_or_else(|| format!("\"{text}\" is not a profile id"))
    }
}

impl From<ProfileId> for String {
    fn from(id: ProfileId) -> String {
        id.0
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProfileId({})", self.0)
    }
}

/// Where a profile's key is kept. The key itself is never part of a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeySource {
    /// The system keyring (the default).
    Keyring,
    /// An environment variable, read when the key is needed; storedesk never writes it.
    Environment { variable: String },
    /// A file in the configuration folder readable only by the user. The user must opt in to
    /// it after reading [`KEY_FILE_WARNING`].
    File,
    /// The sandbox's fixed key, [`SANDBOX_PRIVATE_KEY`].
    Sandbox,
}

impl KeySource {
    /// The sentence to show while this source is chosen, if it needs one.
    pub fn warning(&self) -> Option<&'static str> {
        match self {
            KeySource::File => Some(KEY_FILE_WARNING),
            _ => None,
        }
    }

    /// Whether storedesk keeps the key itself (keyring or file), and so can set and erase it.
    pub fn is_stored(&self) -> bool {
        matches!(self, KeySource::Keyring | KeySource::File)
    }
}

/// One Woosmap project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: ProfileId,
    pub name: String,
    /// The API's address; `None` for the sandbox, whose emulator address is known once it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(with = "key_kind_text")]
    pub key_kind: KeyKind,
    pub key_source: KeySource,
    /// The local sandbox, backed by the emulator rather than Woosmap.
    #[serde(default)]
    pub sandbox: bool,
}

impl Profile {
    /// Whether this profile can push: only a private key writes.
    pub fn can_write(&self) -> bool {
        self.key_kind == KeyKind::Private
    }

    /// The tooltip explaining why pushing is disabled, when it is.
    pub fn read_only_reason(&self) -> Option<&'static str> {
        (!self.can_write()).then_some(READ_ONLY_REASON)
    }
}

/// What a profile is made of when it is added or edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSettings {
    pub name: String,
    pub base_url: String,
    pub key_kind: KeyKind,
    pub key_source: KeySource,
}

impl ProfileSettings {
    /// A profile on Woosmap's API with a private key in the system keyring.
    pub fn new(name: impl Into<String>) -> ProfileSettings {
        ProfileSettings {
            name: name.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            key_kind: KeyKind::Private,
            key_source: KeySource::Keyring,
        }
    }
}

/// What to do with changes not pushed yet when a profile is deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftsOnDelete {
    /// Refuse with [`ProfileError::UnpushedDrafts`] if there are any, so the user can choose.
    Ask,
    /// Write them to this drafts file first (see `Workspace::export_queue`).
    ExportTo(PathBuf),
    /// Delete them with the profile.
    Discard,
}

/// What went wrong with the profiles. Each message says what to do; none holds a key.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(
        "storedesk could not find your home folder to keep its settings; set HOME (or your user profile folder) and start it again."
    )]
    NoHomeFolder,
    #[error(
        "storedesk could not {action} {} ({detail}); check that the folder exists and that you can write to it.", path.display()
    )]
    Io {
        action: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error(
        "The profiles file was damaged ({detail}); it was kept as {} and storedesk started without profiles. Add your projects again, or restore that file.", moved_to.display()
    )]
    Corrupt { moved_to: PathBuf, detail: String },
    #[error(
        "The profiles file {} was written by a newer storedesk (version {found}); update storedesk to use it.", path.display()
    )]
    NewerFile { path: PathBuf, found: u64 },
    #[error("No profile has the id {0}; it may have been deleted in another window.")]
    UnknownProfile(ProfileId),
    #[error("A profile needs a name.")]
    EmptyName,
    #[error("A profile named \"{0}\" already exists; choose another name.")]
    NameTaken(String),
    #[error("{detail}")]
    BadBaseUrl { detail: String },
    #[error(
        "The API address must not hold a query, a fragment or a user name; enter only the address, such as {DEFAULT_BASE_URL}."
    )]
    BaseUrlWithExtras,
    #[error(
        "\"{0}\" cannot be the name of an environment variable; use letters, digits and underscores, such as WOOSMAP_PRIVATE_KEY."
    )]
    BadVariableName(String),
    #[error(
        "The sandbox key only works with the local sandbox; keep this project's key in the keyring, an environment variable or a key file."
    )]
    SandboxKeyElsewhere,
    #[error("The sandbox's address and key are set by storedesk; only its name can be changed.")]
    SandboxFixed,
    #[error("There is no sandbox profile to reset.")]
    NoSandbox,
    #[error(
        "This profile has {count} changes not pushed yet; push them, export them to a drafts file, or choose to discard them, then delete the profile."
    )]
    UnpushedDrafts { count: usize },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// `KeyKind` written as `"private"` or `"public"`.
mod key_kind_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::api::KeyKind;

    pub fn serialize<S: Serializer>(kind: &KeyKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match kind {
            KeyKind::Private => "private",
            KeyKind::Public => "public",
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<KeyKind, D::Error> {
        match String::deserialize(d)?.as_str() {
            "private" => Ok(KeyKind::Private),
            "public" => Ok(KeyKind::Public),
            other => Err(serde::de::Error::custom(format!(
                "key kind \"{other}\" is neither \"private\" nor \"public\""
            ))),
        }
    }
}

#[cfg(test)]
mod tests;
