//! Where a profile's API key is kept: the system keyring, an environment variable, or (when the
//! user opts in) a file only they can read. Keys never go to `profiles.json`.
//!
//! Every call here may block: the system keyring talks to another process (the Secret Service
//! over D-Bus on Linux, Keychain on macOS, Credential Manager on Windows) and may wait for the
//! user to unlock it. Call these functions from a blocking thread (the app's runtime's blocking
//! pool), never from the UI thread.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::ProfileId;
use crate::api::{ApiKey, KeyKind};

/// The service name under which keys are kept in the system keyring; the profile id is the
/// entry's user name.
pub const KEYRING_SERVICE: &str = "storedesk";

/// What to tell the user when the system keyring cannot be used.
#[cfg(all(unix, not(target_os = "macos")))]
pub const KEYRING_UNAVAILABLE: &str = "No system keyring is available (no Secret Service on this session). Use an environment variable, or opt in to a key file readable only by you.";
/// What to tell the user when the system keyring cannot be used.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub const KEYRING_UNAVAILABLE: &str = "No system keyring is available. Use an environment variable, or opt in to a key file readable only by you.";

/// The folder of key files inside the configuration folder.
pub const KEY_FILES_DIR: &str = "keys";

/// An API key's text, kept apart from everything that is shown or saved: its `Debug` hides
/// it, and it has no `Display` and no serialisation.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The key as typed or pasted; surrounding spaces and line ends are dropped.
    pub fn new(text: impl Into<String>) -> Secret {
        let text = text.into();
        let trimmed = text.trim();
        if trimmed.len() == text.len() {
            Secret(text)
        } else {
            Secret(trimmed.to_owned())
        }
    }

    /// The key itself, for the keyring, the key file and the request only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The key for the API client.
    pub fn into_api_key(self, kind: KeyKind) -> ApiKey {
        ApiKey::new(kind, self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Why a key could not be read, kept or erased. Each message says what to do; none holds a key.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{KEYRING_UNAVAILABLE}")]
    KeyringUnavailable { detail: String },
    #[error(
        "The system keyring is locked; unlock it (open your desktop's keyring or password manager) and try again."
    )]
    KeyringLocked { detail: String },
    #[error(
        "The system keyring refused the request ({detail}); try again, or use an environment variable or a key file."
    )]
    Keyring { detail: String },
    #[error("The key kept in the system keyring for this profile is not text; set the key again.")]
    NotText,
    #[error(
        "{count} entries of the system keyring match this profile; remove the extra \"{KEYRING_SERVICE}\" entries in your keyring manager and set the key again."
    )]
    Ambiguous { count: usize },
    #[error(
        "This profile reads its key from the environment variable {variable}; set the key there, storedesk does not change it."
    )]
    ReadOnly { variable: String },
    #[error(
        "The environment variable {variable} does not hold text; set it to the project's API key."
    )]
    VariableNotText { variable: String },
    #[error(
        "The key file {} could not be used ({detail}); check that the folder exists and that you can write to it.", path.display()
    )]
    KeyFile { path: PathBuf, detail: String },
    #[error(
        "The key file {} can be read by other users; run `chmod 600 {}`, or set the key again to rewrite it readable only by you.", path.display(), path.display()
    )]
    KeyFileTooOpen { path: PathBuf },
    #[error("The key is empty; paste the project's API key.")]
    EmptyKey,
}

impl SecretError {
    /// The technical detail behind the sentence, for the "details" line.
    pub fn detail(&self) -> Option<&str> {
        match self {
            SecretError::KeyringUnavailable { detail }
            | SecretError::KeyringLocked { detail }
            | SecretError::Keyring { detail }
            | SecretError::KeyFile { detail, .. } => Some(detail),
            _ => None,
        }
    }
}

/// A place that keeps one API key per profile.
///
/// The calls block (see the module's documentation): the app runs them on its runtime's
/// blocking pool. Erasing a key that is not there succeeds.
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// The profile's key, or `None` when none is kept.
    fn get(&self, id: &ProfileId) -> Result<Option<Secret>, SecretError>;
    /// Keeps `secret` as the profile's key, replacing any earlier one.
    fn set(&self, id: &ProfileId, secret: &Secret) -> Result<(), SecretError>;
    /// Erases the profile's key.
    fn delete(&self, id: &ProfileId) -> Result<(), SecretError>;
}

/// Checks that `store` can keep a key: sets, reads back and erases a throw-away entry.
pub fn probe(store: &dyn SecretStore) -> Result<(), SecretError> {
    let id = ProfileId::probe();
    let value = Secret(format!("probe-{:016x}", fastrand::u64(..)));
    let unavailable = |e: SecretError| match e {
        SecretError::KeyringLocked { .. } | SecretError::KeyringUnavailable { .. } => e,
        other => SecretError::KeyringUnavailable {
            detail: other.to_string(),
        },
    };
    store.set(&id, &value).map_err(unavailable)?;
    let read = store.get(&id);
    let erased = store.delete(&id);
    match read.map_err(unavailable)? {
        Some(back) if back == value => {}
        _ => {
            return Err(SecretError::KeyringUnavailable {
                detail: "the entry written could not be read back".to_owned(),
            });
        }
    }
    erased.map_err(unavailable)
}

/// `None` when `store` works, else the sentence to show next to the keyring choice.
pub fn unavailable_reason(store: &dyn SecretStore) -> Option<String> {
    probe(store).err().map(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// The system keyring

/// Keys in the system keyring: the Secret Service on Linux and BSD, Keychain on macOS,
/// Credential Manager on Windows; entries are `storedesk` / profile id.
///
/// The system keyring is looked for once per run, at the first call: if it starts later,
/// storedesk sees it after a restart.
pub struct KeyringStore {
    backend: Backend,
}

enum Backend {
    System,
    Custom(Arc<keyring_core::CredentialStore>),
}

impl KeyringStore {
    /// The operating system's keyring. Nothing is contacted until the first call.
    pub fn system() -> KeyringStore {
        KeyringStore {
            backend: Backend::System,
        }
    }

    /// Keys in `store`, any credential store of the keyring family (such as its in-memory
    /// `keyring_core::mock::Store`).
    pub fn with_store(store: Arc<keyring_core::CredentialStore>) -> KeyringStore {
        KeyringStore {
            backend: Backend::Custom(store),
        }
    }

    fn entry(&self, id: &ProfileId) -> Result<keyring_core::Entry, SecretError> {
        match &self.backend {
            Backend::System => match keyring::Entry::new(KEYRING_SERVICE, id.as_str()) {
                Ok(entry) => Ok(entry.inner),
                Err(keyring_core::Error::NoDefaultStore) => {
                    let detail = match keyring::Entry::store_status() {
                        Err(e) => describe(e),
                        Ok(()) => "no credential store was set up".to_owned(),
                    };
                    Err(SecretError::KeyringUnavailable { detail })
                }
                Err(e) => Err(from_keyring(e)),
            },
            Backend::Custom(store) => store
                .build(KEYRING_SERVICE, id.as_str(), None)
                .map_err(from_keyring),
        }
    }
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.backend {
            Backend::System => "system".to_owned(),
            Backend::Custom(store) => store.vendor(),
        };
        f.debug_struct("KeyringStore")
            .field("backend", &backend)
            .finish()
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, id: &ProfileId) -> Result<Option<Secret>, SecretError> {
        match self.entry(id)?.get_password() {
            Ok(text) => Ok(Some(Secret::new(text))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(from_keyring(e)),
        }
    }

    fn set(&self, id: &ProfileId, secret: &Secret) -> Result<(), SecretError> {
        if secret.is_empty() {
            return Err(SecretError::EmptyKey);
        }
        self.entry(id)?
            .set_password(secret.expose())
            .map_err(from_keyring)
    }

    fn delete(&self, id: &ProfileId) -> Result<(), SecretError> {
        match self.entry(id)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(from_keyring(e)),
        }
    }
}

/// A keyring error's text, without the bytes or entries some variants carry (they may hold a
/// key).
fn describe(e: &keyring_core::Error) -> String {
    use keyring_core::Error as K;
    match e {
        K::BadEncoding(_) => "the stored value is not UTF-8".to_owned(),
        K::BadDataFormat(_, inner) => format!("the stored value is malformed: {inner}"),
        K::Ambiguous(entries) => format!("{} entries match", entries.len()),
        other => other.to_string(),
    }
}

fn from_keyring(e: keyring_core::Error) -> SecretError {
    use keyring_core::Error as K;
    match e {
        K::BadEncoding(_) | K::BadDataFormat(..) => SecretError::NotText,
        K::Ambiguous(entries) => SecretError::Ambiguous {
            count: entries.len(),
        },
        K::NoStorageAccess(_) => SecretError::KeyringLocked {
            detail: describe(&e),
        },
        K::NoDefaultStore | K::PlatformFailure(_) => SecretError::KeyringUnavailable {
            detail: describe(&e),
        },
        other => SecretError::Keyring {
            detail: describe(&other),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// An environment variable

/// A key read from an environment variable named in the profile. Read-only: storedesk never
/// sets or clears the variable, so `set` is refused and `delete` does nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvStore {
    variable: String,
}

impl EnvStore {
    pub fn new(variable: impl Into<String>) -> EnvStore {
        EnvStore {
            variable: variable.into(),
        }
    }

    pub fn variable(&self) -> &str {
        &self.variable
    }
}

impl SecretStore for EnvStore {
    /// The variable's value for every profile; an unset or blank variable gives `None`.
    fn get(&self, _id: &ProfileId) -> Result<Option<Secret>, SecretError> {
        match std::env::var(&self.variable) {
            Ok(text) => {
                let secret = Secret::new(text);
                Ok((!secret.is_empty()).then_some(secret))
            }
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(SecretError::VariableNotText {
                variable: self.variable.clone(),
            }),
        }
    }

    fn set(&self, _id: &ProfileId, _secret: &Secret) -> Result<(), SecretError> {
        Err(SecretError::ReadOnly {
            variable: self.variable.clone(),
        })
    }

    fn delete(&self, _id: &ProfileId) -> Result<(), SecretError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// A key file

/// What to show next to the key-file choice before the user opts in to it.
pub const KEY_FILE_WARNING: &str = "The key will be kept in a file on this computer that only your user account can read: anyone who can use your account, or read a backup of it, can read the key. Prefer the system keyring when you can.";

/// Keys in files `<dir>/<profile id>.key`, created readable and writable by the user alone
/// (mode 0600, in a folder of mode 0700) on Unix; on Windows, the files inherit the user
/// profile's permissions. Only for profiles whose owner opted in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// Key files in `dir` (created when the first key is set).
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds the profile's key.
    pub fn path(&self, id: &ProfileId) -> PathBuf {
        self.dir.join(format!("{}.key", id.as_str()))
    }

    fn file_error(path: &Path, e: &std::io::Error) -> SecretError {
        SecretError::KeyFile {
            path: path.to_owned(),
            detail: e.to_string(),
        }
    }

    fn create_dir(&self) -> Result<(), SecretError> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&self.dir)
            .map_err(|e| FileStore::file_error(&self.dir, &e))
    }

    fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }
}

impl SecretStore for FileStore {
    fn get(&self, id: &ProfileId) -> Result<Option<Secret>, SecretError> {
        let path = self.path(id);
        let metadata = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(FileStore::file_error(&path, &e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if metadata.permissions().mode() & 0o077 != 0 {
                return Err(SecretError::KeyFileTooOpen { path });
            }
        }
        #[cfg(not(unix))]
        let _ = metadata;
        let text = std::fs::read_to_string(&path).map_err(|e| FileStore::file_error(&path, &e))?;
        let secret = Secret::new(text);
        Ok((!secret.is_empty()).then_some(secret))
    }

    /// Writes the key to a new file readable only by the user, then renames it over the old
    /// one: the file never exists with wider permissions, and never holds half a key.
    fn set(&self, id: &ProfileId, secret: &Secret) -> Result<(), SecretError> {
        if secret.is_empty() {
            return Err(SecretError::EmptyKey);
        }
        self.create_dir()?;
        let path = self.path(id);
        let tmp = self
            .dir
            .join(format!(".{}.key.tmp-{}", id.as_str(), std::process::id()));
        match std::fs::remove_file(&tmp) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(FileStore::file_error(&tmp, &e)),
        }
        let written = FileStore::write_private(&tmp, secret.expose().as_bytes())
            .and_then(|()| std::fs::rename(&tmp, &path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            FileStore::file_error(&path, &e)
        })
    }

    fn delete(&self, id: &ProfileId) -> Result<(), SecretError> {
        let path = self.path(id);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(FileStore::file_error(&path, &e)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// In memory

/// Keys kept in memory only, for tests and for a session that must not write a key anywhere.
#[derive(Default)]
pub struct MemoryStore {
    keys: Mutex<HashMap<String, Secret>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many keys are kept.
    pub fn len(&self) -> usize {
        self.keys().len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys().is_empty()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("keys", &self.len())
            .finish()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, id: &ProfileId) -> Result<Option<Secret>, SecretError> {
        Ok(self.keys().get(id.as_str()).cloned())
    }

    fn set(&self, id: &ProfileId, secret: &Secret) -> Result<(), SecretError> {
        if secret.is_empty() {
            return Err(SecretError::EmptyKey);
        }
        self.keys().insert(id.as_str().to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, id: &ProfileId) -> Result<(), SecretError> {
        self.keys().remove(id.as_str());
        Ok(())
    }
}
