//! `ProfileStore`: the list of profiles in `profiles.json`, the current one, and each profile's
//! workspace folder and key.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::secrets::{EnvStore, FileStore, KEY_FILES_DIR, KeyringStore, Secret, SecretStore};
use super::{
    DraftsOnDelete, EMULATOR_STATE_FILE, KeySource, Profile, ProfileError, ProfileId,
    ProfileSettings, SANDBOX_NAME, SANDBOX_PRIVATE_KEY, SecretError,
};
use crate::api::{ApiKey, KeyKind};
use crate::files::write_atomically;
use crate::workspace::{DATABASE_FILE, Workspace};

/// The profiles file in the configuration folder.
pub const PROFILES_FILE: &str = "profiles.json";

/// The `format` value of the profiles file.
const FORMAT: &str = "storedesk-profiles";

/// The version of the profiles file this storedesk writes.
const VERSION: u64 = 1;

type Result<T> = std::result::Result<T, ProfileError>;

#[derive(Deserialize)]
struct ProfilesFile {
    #[serde(default)]
    current: Option<ProfileId>,
    #[serde(default)]
    profiles: Vec<Profile>,
}

#[derive(Serialize)]
struct ProfilesFileOut<'a> {
    format: &'a str,
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<&'a ProfileId>,
    profiles: &'a [Profile],
}

enum Unreadable {
    Damaged(String),
    Newer(u64),
}

/// The user's profiles, kept in `<config folder>/profiles.json`, with their workspaces in
/// `<data folder>/profiles/<id>/` and, for profiles that opted in, key files in
/// `<config folder>/keys/`.
///
/// Every change is written before the call returns. Calls that touch a key may block on the
/// system keyring (see [`SecretStore`]): run them on a blocking thread.
#[derive(Debug)]
pub struct ProfileStore {
    config_dir: PathBuf,
    data_dir: PathBuf,
    current: Option<ProfileId>,
    profiles: Vec<Profile>,
    keyring: Arc<dyn SecretStore>,
    key_files: FileStore,
    recovered: Option<ProfileError>,
}

impl ProfileStore {
    /// The profiles of this user, in the system's configuration and data folders for storedesk.
    pub fn default_location() -> Result<ProfileStore> {
        let dirs = directories::ProjectDirs::from("com", "storedesk", "storedesk")
            .ok_or(ProfileError::NoHomeFolder)?;
        ProfileStore::at(dirs.config_dir(), dirs.data_dir())
    }

    /// The profiles kept in `config_dir` with workspaces under `data_dir`, keys in the system
    /// keyring. A damaged profiles file is moved aside (see [`take_recovery_notice`]).
    ///
    /// [`take_recovery_notice`]: ProfileStore::take_recovery_notice
    pub fn at(
        config_dir: impl Into<PathBuf>,
        data_dir: impl Into<PathBuf>,
    ) -> Result<ProfileStore> {
        let config_dir = config_dir.into();
        let mut store = ProfileStore {
            key_files: FileStore::new(config_dir.join(KEY_FILES_DIR)),
            config_dir,
            data_dir: data_dir.into(),
            current: None,
            profiles: Vec::new(),
            keyring: Arc::new(KeyringStore::system()),
            recovered: None,
        };
        store.reload()?;
        Ok(store)
    }

    /// The same profiles with keys kept in `keyring` instead of the system keyring.
    pub fn with_keyring(mut self, keyring: Arc<dyn SecretStore>) -> ProfileStore {
        self.keyring = keyring;
        self
    }

    /// Reads the profiles file again. A missing file means no profiles. A damaged one is
    /// renamed `profiles.json.bad-<time>`, the list starts empty, and the error is kept for
    /// [`take_recovery_notice`](ProfileStore::take_recovery_notice); a file from a newer
    /// storedesk is left alone and refused.
    pub fn reload(&mut self) -> Result<()> {
        let path = self.profiles_path();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.profiles.clear();
                self.current = None;
                return Ok(());
            }
            Err(e) => return Err(io_error("read", &path, &e)),
        };
        match parse(&bytes) {
            Ok(file) => {
                self.current = file
                    .current
                    .filter(|id| file.profiles.iter().any(|p| &p.id == id));
                self.profiles = file.profiles;
            }
            Err(Unreadable::Newer(found)) => {
                return Err(ProfileError::NewerFile { path, found });
            }
            Err(Unreadable::Damaged(detail)) => {
                let moved_to = set_aside(&path)?;
                self.profiles.clear();
                self.current = None;
                self.recovered = Some(ProfileError::Corrupt { moved_to, detail });
            }
        }
        Ok(())
    }

    /// The damaged profiles file found when loading, once: the app shows it to the user.
    pub fn take_recovery_notice(&mut self) -> Option<ProfileError> {
        self.recovered.take()
    }

    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `<config folder>/profiles.json`.
    pub fn profiles_path(&self) -> PathBuf {
        self.config_dir.join(PROFILES_FILE)
    }

    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    pub fn get(&self, id: &ProfileId) -> Option<&Profile> {
        self.profiles.iter().find(|p| &p.id == id)
    }

    fn profile(&self, id: &ProfileId) -> Result<&Profile> {
        self.get(id)
            .ok_or_else(|| ProfileError::UnknownProfile(id.clone()))
    }

    /// The profile the window opens on.
    pub fn current(&self) -> Option<&Profile> {
        self.current.as_ref().and_then(|id| self.get(id))
    }

    pub fn set_current(&mut self, id: &ProfileId) -> Result<()> {
        self.profile(id)?;
        let profiles = self.profiles.clone();
        self.commit(profiles, Some(id.clone()))
    }

    /// Adds a profile (the current one if it is the first) and returns its id. Its key is set
    /// afterwards with [`set_key`](ProfileStore::set_key).
    pub fn add(&mut self, settings: ProfileSettings) -> Result<ProfileId> {
        let settings = self.checked(settings, None)?;
        let mut id = ProfileId::generate();
        while self.get(&id).is_some() {
            id = ProfileId::generate();
        }
        let mut profiles = self.profiles.clone();
        profiles.push(Profile {
            id: id.clone(),
            name: settings.name,
            base_url: Some(settings.base_url),
            key_kind: settings.key_kind,
            key_source: settings.key_source,
            sandbox: false,
        });
        let current = self.current.clone().or_else(|| Some(id.clone()));
        self.commit(profiles, current)?;
        Ok(id)
    }

    pub fn rename(&mut self, id: &ProfileId, name: &str) -> Result<()> {
        self.profile(id)?;
        let name = self.checked_name(name, Some(id))?;
        let mut profiles = self.profiles.clone();
        for p in profiles.iter_mut().filter(|p| &p.id == id) {
            p.name = name.clone();
        }
        let current = self.current.clone();
        self.commit(profiles, current)
    }

    /// Changes a profile's name, address, kind of key and key source. When the key moves
    /// between the keyring and the key file, it is copied to the new place, the profile saved,
    /// then the old copy erased; moving to an environment variable erases the kept key. A
    /// system keyring that is not there at all does not stop the change (no key can be read
    /// from it or erased); a locked one does.
    pub fn edit(&mut self, id: &ProfileId, settings: ProfileSettings) -> Result<()> {
        let old = self.profile(id)?.clone();
        if old.sandbox {
            return Err(ProfileError::SandboxFixed);
        }
        let settings = self.checked(settings, Some(id))?;
        let moving = old.key_source != settings.key_source;
        if moving
            && let (Some(from), Some(to)) = (
                self.holder(&old.key_source),
                self.holder(&settings.key_source),
            )
            && let Some(Some(secret)) = reachable(from.get(id))?
        {
            to.set(id, &secret)?;
        }
        let mut profiles = self.profiles.clone();
        for p in profiles.iter_mut().filter(|p| &p.id == id) {
            p.name = settings.name.clone();
            p.base_url = Some(settings.base_url.clone());
            p.key_kind = settings.key_kind;
            p.key_source = settings.key_source.clone();
        }
        let current = self.current.clone();
        self.commit(profiles, current)?;
        if moving && let Some(from) = self.holder(&old.key_source) {
            reachable(from.delete(id))?;
        }
        Ok(())
    }

    /// Deletes a profile: its unpushed changes are dealt with as `drafts` says, then its key is
    /// erased, then its workspace folder removed, then the entry. If a step fails, the later
    /// ones are not done: in particular nothing is removed when the drafts could not be
    /// exported. A system keyring that is not there at all does not stop the deletion (the
    /// key, if another session kept one, stays in it); a locked one does. Close the profile's
    /// workspace first.
    pub fn delete(&mut self, id: &ProfileId, drafts: DraftsOnDelete) -> Result<()> {
        let profile = self.profile(id)?.clone();
        let dir = self.workspace_dir(id);
        if dir.join(DATABASE_FILE).exists() {
            let workspace = Workspace::open_dir(&dir)?;
            let count = workspace.pending_count()?;
            if count > 0 {
                match &drafts {
                    DraftsOnDelete::Ask => return Err(ProfileError::UnpushedDrafts { count }),
                    DraftsOnDelete::ExportTo(path) => {
                        let text = workspace.export_queue()?;
                        write_atomically(path, text.as_bytes())
                            .map_err(|e| io_error("write", path, &e))?;
                    }
                    DraftsOnDelete::Discard => {}
                }
            }
        }
        if let Some(holder) = self.holder(&profile.key_source) {
            reachable(holder.delete(id))?;
        }
        remove_dir(&dir)?;
        let profiles: Vec<Profile> = self
            .profiles
            .iter()
            .filter(|p| &p.id != id)
            .cloned()
            .collect();
        let current = match &self.current {
            Some(c) if c != id => Some(c.clone()),
            _ => profiles.first().map(|p| p.id.clone()),
        };
        self.commit(profiles, current)
    }

    /// `<data folder>/profiles/<id>/`: the profile's workspace (and, for the sandbox, the
    /// emulator's state).
    pub fn workspace_dir(&self, id: &ProfileId) -> PathBuf {
        self.data_dir.join("profiles").join(id.as_str())
    }

    /// Opens (creating if needed) the profile's workspace.
    pub fn open_workspace(&self, id: &ProfileId) -> Result<Workspace> {
        self.profile(id)?;
        Ok(Workspace::open_dir(&self.workspace_dir(id))?)
    }

    /// Where the sandbox's emulator keeps its stores: `<data folder>/profiles/<id>/emulator.json`.
    pub fn emulator_state_path(&self, id: &ProfileId) -> PathBuf {
        self.workspace_dir(id).join(EMULATOR_STATE_FILE)
    }

    /// The key store used for profiles whose key is in the keyring.
    pub fn keyring(&self) -> &dyn SecretStore {
        self.keyring.as_ref()
    }

    /// The key files of profiles that opted in to one.
    pub fn key_files(&self) -> &FileStore {
        &self.key_files
    }

    /// Where storedesk keeps the key of a profile with this source, if it keeps it itself.
    fn holder(&self, source: &KeySource) -> Option<&dyn SecretStore> {
        match source {
            KeySource::Keyring => Some(self.keyring.as_ref()),
            KeySource::File => Some(&self.key_files),
            KeySource::Environment { .. } | KeySource::Sandbox => None,
        }
    }

    /// The profile's key, read from where it is kept; `None` when none is set yet. Blocks on
    /// the keyring.
    pub fn key(&self, id: &ProfileId) -> Result<Option<ApiKey>> {
        let profile = self.profile(id)?;
        let secret = match &profile.key_source {
            KeySource::Keyring => self.keyring.get(id)?,
            KeySource::File => self.key_files.get(id)?,
            KeySource::Environment { variable } => EnvStore::new(variable.as_str()).get(id)?,
            KeySource::Sandbox => Some(Secret::new(SANDBOX_PRIVATE_KEY)),
        };
        Ok(secret.map(|s| s.into_api_key(profile.key_kind)))
    }

    /// Keeps the profile's key where its source says. Refused for an environment variable
    /// (set it outside storedesk) and for the sandbox. Blocks on the keyring.
    pub fn set_key(&self, id: &ProfileId, secret: &Secret) -> Result<()> {
        let profile = self.profile(id)?;
        if secret.is_empty() {
            return Err(SecretError::EmptyKey.into());
        }
        match &profile.key_source {
            KeySource::Environment { variable } => Err(SecretError::ReadOnly {
                variable: variable.clone(),
            }
            .into()),
            KeySource::Sandbox => Err(ProfileError::SandboxFixed),
            source => match self.holder(source) {
                Some(holder) => Ok(holder.set(id, secret)?),
                None => Ok(()),
            },
        }
    }

    /// Erases the profile's kept key, if storedesk keeps it. Blocks on the keyring.
    pub fn forget_key(&self, id: &ProfileId) -> Result<()> {
        let profile = self.profile(id)?;
        if let Some(holder) = self.holder(&profile.key_source) {
            holder.delete(id)?;
        }
        Ok(())
    }

    /// `None` when the keyring works, else the sentence to show next to the keyring choice.
    /// Blocks on the keyring.
    pub fn keyring_unavailable_reason(&self) -> Option<String> {
        super::secrets::unavailable_reason(self.keyring.as_ref())
    }

    /// The sandbox profile, if there is one.
    pub fn sandbox(&self) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.sandbox)
    }

    /// On first run (no profile at all), creates the sandbox profile and makes it current.
    /// Returns the sandbox's id when there is one. Its address is the emulator's, which the
    /// app starts with [`SANDBOX_PRIVATE_KEY`] and [`emulator_state_path`] and knows only then.
    ///
    /// [`emulator_state_path`]: ProfileStore::emulator_state_path
    pub fn ensure_sandbox(&mut self) -> Result<Option<ProfileId>> {
        if !self.profiles.is_empty() {
            return Ok(self.sandbox().map(|p| p.id.clone()));
        }
        let id = ProfileId::generate();
        let profiles = vec![Profile {
            id: id.clone(),
            name: SANDBOX_NAME.to_owned(),
            base_url: None,
            key_kind: KeyKind::Private,
            key_source: KeySource::Sandbox,
            sandbox: true,
        }];
        self.commit(profiles, Some(id.clone()))?;
        Ok(Some(id))
    }

    /// Erases the sandbox's workspace and emulator state; the profile stays. Close its
    /// workspace and stop its emulator first.
    pub fn reset_sandbox(&self) -> Result<()> {
        let sandbox = self.sandbox().ok_or(ProfileError::NoSandbox)?;
        remove_dir(&self.workspace_dir(&sandbox.id))
    }

    /// Writes `profiles` and `current`, and takes them as the state once written.
    fn commit(&mut self, profiles: Vec<Profile>, current: Option<ProfileId>) -> Result<()> {
        let out = ProfilesFileOut {
            format: FORMAT,
            version: VERSION,
            current: current.as_ref(),
            profiles: &profiles,
        };
        let mut bytes = serde_json::to_vec_pretty(&out).map_err(|e| ProfileError::Io {
            action: "write",
            path: self.profiles_path(),
            detail: e.to_string(),
        })?;
        bytes.push(b'\n');
        std::fs::create_dir_all(&self.config_dir)
            .map_err(|e| io_error("write", &self.config_dir, &e))?;
        let path = self.profiles_path();
        write_atomically(&path, &bytes).map_err(|e| io_error("write", &path, &e))?;
        self.profiles = profiles;
        self.current = current;
        Ok(())
    }

    /// `settings` cleaned up (name and address trimmed), or why they cannot be used.
    fn checked(
        &self,
        settings: ProfileSettings,
        editing: Option<&ProfileId>,
    ) -> Result<ProfileSettings> {
        let name = self.checked_name(&settings.name, editing)?;
        let base_url = checked_base_url(&settings.base_url)?;
        match &settings.key_source {
            KeySource::Sandbox => return Err(ProfileError::SandboxKeyElsewhere),
            KeySource::Environment { variable } if !is_variable_name(variable) => {
                return Err(ProfileError::BadVariableName(variable.clone()));
            }
            _ => {}
        }
        Ok(ProfileSettings {
            name,
            base_url,
            ..settings
        })
    }

    fn checked_name(&self, name: &str, editing: Option<&ProfileId>) -> Result<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ProfileError::EmptyName);
        }
        let folded = name.to_lowercase();
        let taken = self
            .profiles
            .iter()
            .any(|p| Some(&p.id) != editing && p.name.trim().to_lowercase() == folded);
        if taken {
            return Err(ProfileError::NameTaken(name.to_owned()));
        }
        Ok(name.to_owned())
    }
}

/// `Ok(None)` instead of the error when the system keyring is not there at all: nothing could
/// have been kept in it during this session.
fn reachable<T>(result: std::result::Result<T, SecretError>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(SecretError::KeyringUnavailable { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn checked_base_url(text: &str) -> Result<String> {
    let text = text.trim();
    let url = crate::api::check_base_url(text).map_err(|e| ProfileError::BadBaseUrl {
        detail: e.to_string(),
    })?;
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(ProfileError::BaseUrlWithExtras);
    }
    Ok(text.trim_end_matches('/').to_owned())
}

fn is_variable_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn parse(bytes: &[u8]) -> std::result::Result<ProfilesFile, Unreadable> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| Unreadable::Damaged(e.to_string()))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(Unreadable::Damaged(
            "it is not a storedesk profiles file".to_owned(),
        ));
    }
    let version = value
        .get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| Unreadable::Damaged("it has no version".to_owned()))?;
    if version > VERSION {
        return Err(Unreadable::Newer(version));
    }
    let file: ProfilesFile =
        serde_json::from_value(value).map_err(|e| Unreadable::Damaged(e.to_string()))?;
    let mut seen = HashSet::new();
    for p in &file.profiles {
        if !seen.insert(&p.id) {
            return Err(Unreadable::Damaged(format!(
                "two profiles have the id {}",
                p.id
            )));
        }
    }
    Ok(file)
}

/// Renames a damaged profiles file to `profiles.json.bad-<UTC time>` (with a number added if
/// that name is taken) and returns the new path.
fn set_aside(path: &Path) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| PROFILES_FILE.to_owned());
    let mut target = path.with_file_name(format!("{name}.bad-{stamp}"));
    let mut n = 2;
    while target.exists() {
        target = path.with_file_name(format!("{name}.bad-{stamp}-{n}"));
        n += 1;
    }
    std::fs::rename(path, &target).map_err(|e| io_error("move aside", path, &e))?;
    Ok(target)
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove", dir, &e)),
    }
}

fn io_error(action: &'static str, path: &Path, e: &std::io::Error) -> ProfileError {
    ProfileError::Io {
        action,
        path: path.to_owned(),
        detail: e.to_string(),
    }
}
