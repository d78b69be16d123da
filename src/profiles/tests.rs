use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::api::CredentialStoreApi;

use super::secrets::{self, KEYRING_SERVICE};
use super::*;
use crate::api::KeyKind;
use crate::model::{Location, Store};
use crate::workspace::{DATABASE_FILE, Origin, Workspace};

struct Dirs {
    _root: tempfile::TempDir,
    config: PathBuf,
    data: PathBuf,
}

fn dirs() -> Dirs {
    let root = tempfile::tempdir().expect("temp dir");
    let config = root.path().join("config");
    let data = root.path().join("data");
    Dirs {
        _root: root,
        config,
        data,
    }
}

fn open(d: &Dirs, keyring: &Arc<MemoryStore>) -> ProfileStore {
    ProfileStore::at(&d.config, &d.data)
        .expect("opens")
        .with_keyring(keyring.clone())
}

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new())
}

fn settings(name: &str, source: KeySource) -> ProfileSettings {
    ProfileSettings {
        key_source: source,
        ..ProfileSettings::new(name)
    }
}

fn store(id: &str) -> Store {
    Store {
        store_id: Some(id.into()),
        name: Some("Shop".into()),
        location: Some(Location::new(48.0, 2.0)),
        ..Store::default()
    }
}

/// A profile whose workspace has one store added and not pushed.
fn with_pending_change(profiles: &mut ProfileStore, name: &str) -> ProfileId {
    let id = profiles
        .add(settings(name, KeySource::Keyring))
        .expect("adds");
    profiles
        .set_key(&id, &Secret::new("private-key-of-the-project"))
        .expect("sets the key");
    let mut ws = profiles.open_workspace(&id).expect("opens the workspace");
    ws.create(store("S1"), &Origin::Form).expect("creates");
    assert_eq!(ws.pending_count().expect("counts"), 1);
    id
}

/// Every file under `dir` with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("lists") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("reads");
                out.push((path, bytes));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// The list

#[test]
fn profiles_come_back_as_saved_after_reopening() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    assert!(profiles.profiles().is_empty());
    assert!(profiles.current().is_none());
    let a = profiles
        .add(settings("Paris shops", KeySource::Keyring))
        .expect("adds");
    let b = profiles
        .add(ProfileSettings {
            name: "  Lyon  ".into(),
            base_url: "http://127.0.0.1:8787/".into(),
            key_kind: KeyKind::Public,
            key_source: KeySource::Environment {
                variable: "LYON_PUBLIC_KEY".into(),
            },
        })
        .expect("adds");
    let c = profiles
        .add(settings("Nice", KeySource::File))
        .expect("adds");
    assert_ne!(a, b);
    let saved = profiles.profiles().to_vec();
    assert_eq!(saved[1].name, "Lyon", "names are trimmed");
    assert_eq!(
        saved[1].base_url.as_deref(),
        Some("http://127.0.0.1:8787"),
        "the address loses its trailing slash"
    );
    assert_eq!(
        saved[0].base_url.as_deref(),
        Some(crate::api::DEFAULT_BASE_URL)
    );

    let reopened = open(&d, &keyring);
    assert_eq!(reopened.profiles(), saved.as_slice());
    assert_eq!(reopened.current().map(|p| &p.id), Some(&a));
    assert_eq!(
        reopened.get(&c).map(|p| p.key_source.clone()),
        Some(KeySource::File)
    );
    let text = std::fs::read_to_string(d.config.join(PROFILES_FILE)).expect("reads");
    assert!(
        text.contains("\"format\": \"storedesk-profiles\""),
        "{text}"
    );
    assert!(text.contains("\"key_kind\": \"public\""), "{text}");
}

#[test]
fn the_first_profile_becomes_current_and_the_choice_is_kept() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let a = profiles
        .add(settings("A", KeySource::Keyring))
        .expect("adds");
    let b = profiles
        .add(settings("B", KeySource::Keyring))
        .expect("adds");
    assert_eq!(profiles.current().map(|p| &p.id), Some(&a));
    profiles.set_current(&b).expect("switches");
    assert_eq!(open(&d, &keyring).current().map(|p| &p.id), Some(&b));

    let unknown = ProfileId::parse("0123456789abcdef").expect("an id");
    assert!(matches!(
        profiles.set_current(&unknown),
        Err(ProfileError::UnknownProfile(_))
    ));
    assert_eq!(profiles.current().map(|p| &p.id), Some(&b));
}

#[test]
fn renaming_keeps_the_id_and_refuses_empty_or_taken_names() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let a = profiles
        .add(settings("Paris", KeySource::Keyring))
        .expect("adds");
    profiles
        .add(settings("Lyon", KeySource::Keyring))
        .expect("adds");
    profiles.rename(&a, "Paris (test)").expect("renames");
    assert_eq!(
        open(&d, &keyring).get(&a).map(|p| p.name.as_str()),
        Some("Paris (test)")
    );
    assert!(matches!(
        profiles.rename(&a, "   "),
        Err(ProfileError::EmptyName)
    ));
    assert!(matches!(
        profiles.rename(&a, "LYON"),
        Err(ProfileError::NameTaken(_))
    ));
    profiles
        .rename(&a, "paris (TEST)")
        .expect("its own name, recased");
}

#[test]
fn settings_are_checked_before_anything_is_saved() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let bad = |base_url: &str| ProfileSettings {
        base_url: base_url.into(),
        ..ProfileSettings::new("P")
    };
    assert!(matches!(
        profiles.add(bad("http://api.example.com")),
        Err(ProfileError::BadBaseUrl { .. })
    ));
    assert!(matches!(
        profiles.add(bad("not an address")),
        Err(ProfileError::BadBaseUrl { .. })
    ));
    assert!(matches!(
        profiles.add(bad("https://api.woosmap.com/?private_key=abc")),
        Err(ProfileError::BaseUrlWithExtras)
    ));
    assert!(matches!(
        profiles.add(bad("https://user:pw@api.woosmap.com")),
        Err(ProfileError::BaseUrlWithExtras)
    ));
    assert!(matches!(
        profiles.add(settings(
            "P",
            KeySource::Environment {
                variable: "1BAD-NAME".into()
            }
        )),
        Err(ProfileError::BadVariableName(_))
    ));
    assert!(matches!(
        profiles.add(settings("P", KeySource::Sandbox)),
        Err(ProfileError::SandboxKeyElsewhere)
    ));
    assert!(profiles.profiles().is_empty());
    assert!(!d.config.join(PROFILES_FILE).exists());
}

#[test]
fn editing_moves_the_key_between_keyring_and_file() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let id = profiles
        .add(settings("P", KeySource::Keyring))
        .expect("adds");
    profiles
        .set_key(&id, &Secret::new("moving-key-123"))
        .expect("sets");

    profiles
        .edit(&id, settings("P", KeySource::File))
        .expect("moves to a file");
    assert!(keyring.is_empty(), "the keyring copy is erased");
    assert!(profiles.key_files().path(&id).exists());
    let key = profiles.key(&id).expect("reads").expect("a key");
    assert_eq!(key.expose_secret(), "moving-key-123");

    profiles
        .edit(&id, settings("P", KeySource::Keyring))
        .expect("moves back");
    assert!(!profiles.key_files().path(&id).exists());
    assert_eq!(keyring.len(), 1);

    profiles
        .edit(
            &id,
            settings(
                "P",
                KeySource::Environment {
                    variable: "P_KEY".into(),
                },
            ),
        )
        .expect("to a variable");
    assert!(
        keyring.is_empty(),
        "a key storedesk no longer uses is erased"
    );
}

// ---------------------------------------------------------------------------------------------
// Deleting

#[test]
fn deleting_with_unpushed_drafts_asks_first_and_removes_nothing() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let id = with_pending_change(&mut profiles, "P");
    let err = profiles
        .delete(&id, DraftsOnDelete::Ask)
        .expect_err("must ask");
    assert!(
        matches!(err, ProfileError::UnpushedDrafts { count: 1 }),
        "{err}"
    );
    assert!(err.to_string().contains("1 changes not pushed"), "{err}");
    assert!(profiles.get(&id).is_some());
    assert!(profiles.workspace_dir(&id).join(DATABASE_FILE).exists());
    assert_eq!(keyring.len(), 1);
}

#[test]
fn deleting_exports_the_drafts_then_erases_key_workspace_and_entry() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let other = profiles
        .add(settings("Other", KeySource::Keyring))
        .expect("adds");
    let id = with_pending_change(&mut profiles, "P");
    profiles.set_current(&id).expect("current");
    let export = d.data.join("drafts.json");

    profiles
        .delete(&id, DraftsOnDelete::ExportTo(export.clone()))
        .expect("deletes");
    assert!(profiles.get(&id).is_none());
    assert!(!profiles.workspace_dir(&id).exists());
    assert!(keyring.is_empty());
    assert_eq!(profiles.current().map(|p| &p.id), Some(&other));
    assert!(open(&d, &keyring).get(&id).is_none());

    let text = std::fs::read_to_string(&export).expect("the drafts file");
    let target = tempfile::tempdir().expect("temp dir");
    let mut ws = Workspace::open_dir(target.path()).expect("opens");
    assert_eq!(ws.import_queue(&text).expect("reads back"), 1);
    assert!(ws.store("S1").expect("reads").is_some());
}

#[test]
fn a_failed_export_leaves_the_profile_whole() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let id = with_pending_change(&mut profiles, "P");
    let nowhere = d.data.join("no such folder").join("drafts.json");
    let err = profiles
        .delete(&id, DraftsOnDelete::ExportTo(nowhere))
        .expect_err("cannot write there");
    assert!(matches!(err, ProfileError::Io { .. }), "{err}");
    assert!(profiles.get(&id).is_some());
    assert_eq!(keyring.len(), 1);
    let ws = profiles.open_workspace(&id).expect("still there");
    assert_eq!(ws.pending_count().expect("counts"), 1);
}

#[test]
fn deleting_can_discard_the_drafts() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let id = with_pending_change(&mut profiles, "P");
    profiles
        .delete(&id, DraftsOnDelete::Discard)
        .expect("deletes");
    assert!(profiles.profiles().is_empty());
    assert!(profiles.current().is_none());
    assert!(!profiles.workspace_dir(&id).exists());
    assert!(keyring.is_empty());
}

#[test]
fn a_profile_without_changes_or_workspace_is_deleted_without_asking() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let never_opened = profiles
        .add(settings("A", KeySource::Keyring))
        .expect("adds");
    let pushed = profiles.add(settings("B", KeySource::File)).expect("adds");
    profiles
        .set_key(&pushed, &Secret::new("file-key"))
        .expect("sets");
    profiles.open_workspace(&pushed).expect("creates it");
    profiles
        .delete(&never_opened, DraftsOnDelete::Ask)
        .expect("deletes");
    assert!(!profiles.workspace_dir(&never_opened).exists());
    profiles
        .delete(&pushed, DraftsOnDelete::Ask)
        .expect("deletes");
    assert!(!profiles.key_files().path(&pushed).exists());
    assert!(profiles.profiles().is_empty());
}

// ---------------------------------------------------------------------------------------------
// A damaged file

#[test]
fn a_damaged_profiles_file_is_moved_aside_and_reported() {
    let d = dirs();
    let keyring = memory();
    std::fs::create_dir_all(&d.config).expect("dir");
    let path = d.config.join(PROFILES_FILE);
    std::fs::write(
        &path,
        b"{\"format\": \"storedesk-profiles\", \"version\": 1, \"profi",
    )
    .expect("writes");

    let mut profiles = open(&d, &keyring);
    assert!(profiles.profiles().is_empty());
    let notice = profiles.take_recovery_notice().expect("reported");
    let ProfileError::Corrupt { moved_to, .. } = &notice else {
        panic!("not a damaged-file notice: {notice:?}");
    };
    assert!(!path.exists());
    assert!(
        moved_to
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .starts_with("profiles.json.bad-")
    );
    assert_eq!(
        std::fs::read(moved_to).expect("kept"),
        b"{\"format\": \"storedesk-profiles\", \"version\": 1, \"profi"
    );
    assert!(
        notice.to_string().contains("Add your projects again"),
        "{notice}"
    );
    assert!(profiles.take_recovery_notice().is_none(), "reported once");

    profiles
        .add(settings("New", KeySource::Keyring))
        .expect("adds");
    assert!(
        moved_to.exists(),
        "a new file does not overwrite the damaged one"
    );
}

#[test]
fn files_that_are_not_profiles_or_hold_unsafe_ids_are_damaged() {
    let cases: [&[u8]; 4] = [
        b"",
        b"[1, 2]",
        br#"{"format": "storedesk-profiles", "version": 1, "profiles": [{"id": "../../x", "name": "A", "key_kind": "private", "key_source": {"kind": "keyring"}}]}"#,
        br#"{"format": "storedesk-profiles", "version": 1, "profiles": [
            {"id": "aa", "name": "A", "key_kind": "private", "key_source": {"kind": "keyring"}},
            {"id": "aa", "name": "B", "key_kind": "public", "key_source": {"kind": "file"}}]}"#,
    ];
    for bytes in cases {
        let d = dirs();
        std::fs::create_dir_all(&d.config).expect("dir");
        std::fs::write(d.config.join(PROFILES_FILE), bytes).expect("writes");
        let mut profiles = open(&d, &memory());
        assert!(
            matches!(
                profiles.take_recovery_notice(),
                Some(ProfileError::Corrupt { .. })
            ),
            "{}",
            String::from_utf8_lossy(bytes)
        );
        assert!(profiles.profiles().is_empty());
    }
}

#[test]
fn a_file_from_a_newer_storedesk_is_left_alone() {
    let d = dirs();
    std::fs::create_dir_all(&d.config).expect("dir");
    let path = d.config.join(PROFILES_FILE);
    let text = r#"{"format": "storedesk-profiles", "version": 7, "profiles": []}"#;
    std::fs::write(&path, text).expect("writes");
    let err = ProfileStore::at(&d.config, &d.data).expect_err("refused");
    assert!(
        matches!(err, ProfileError::NewerFile { found: 7, .. }),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("reads"), text);
}

#[test]
fn an_unknown_current_profile_is_dropped_on_load() {
    let d = dirs();
    std::fs::create_dir_all(&d.config).expect("dir");
    let text = r#"{"format": "storedesk-profiles", "version": 1, "current": "ff",
        "profiles": [{"id": "aa", "name": "A", "base_url": "https://api.woosmap.com",
                      "key_kind": "private", "key_source": {"kind": "keyring"}}]}"#;
    std::fs::write(d.config.join(PROFILES_FILE), text).expect("writes");
    let mut profiles = open(&d, &memory());
    assert!(profiles.take_recovery_notice().is_none());
    assert_eq!(profiles.profiles().len(), 1);
    assert!(profiles.current().is_none());
}

// ---------------------------------------------------------------------------------------------
// Keys

#[cfg(unix)]
#[test]
fn key_files_are_readable_by_the_user_alone() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().expect("temp dir");
    let files = FileStore::new(dir.path().join("keys"));
    let id = ProfileId::generate();
    assert!(files.get(&id).expect("reads").is_none());
    files
        .set(&id, &Secret::new("file-secret-1\n"))
        .expect("writes");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&files.path(&id)), 0o600);
    assert_eq!(mode(files.dir()), 0o700);
    files
        .set(&id, &Secret::new("file-secret-2"))
        .expect("rewrites");
    assert_eq!(mode(&files.path(&id)), 0o600);
    assert_eq!(
        files
            .get(&id)
            .expect("reads")
            .map(|s| s.expose().to_owned()),
        Some("file-secret-2".to_owned())
    );

    std::fs::set_permissions(files.path(&id), std::fs::Permissions::from_mode(0o644))
        .expect("opens it up");
    let err = files.get(&id).expect_err("refused");
    assert!(matches!(err, SecretError::KeyFileTooOpen { .. }), "{err}");
    assert!(err.to_string().contains("chmod 600"), "{err}");
    files
        .set(&id, &Secret::new("file-secret-3"))
        .expect("rewrites");
    assert_eq!(mode(&files.path(&id)), 0o600);

    files.delete(&id).expect("erases");
    assert!(!files.path(&id).exists());
    files.delete(&id).expect("erasing twice is fine");
    assert!(matches!(
        files.set(&id, &Secret::new("  ")),
        Err(SecretError::EmptyKey)
    ));
    let names: Vec<_> = std::fs::read_dir(files.dir())
        .expect("lists")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(names.is_empty(), "no temporary file left: {names:?}");
}

#[test]
fn an_environment_variable_is_read_and_never_written() {
    let id = ProfileId::generate();
    let path = EnvStore::new("PATH");
    assert_eq!(
        path.get(&id).expect("reads").map(|s| s.expose().to_owned()),
        std::env::var("PATH").ok().map(|v| v.trim().to_owned())
    );
    let unset = EnvStore::new("STOREDESK_TEST_VARIABLE_NEVER_SET_7f3a");
    assert!(unset.get(&id).expect("reads").is_none());
    let err = unset.set(&id, &Secret::new("x")).expect_err("read-only");
    assert!(matches!(err, SecretError::ReadOnly { .. }));
    assert!(
        err.to_string()
            .contains("STOREDESK_TEST_VARIABLE_NEVER_SET_7f3a"),
        "{err}"
    );
    unset.delete(&id).expect("nothing to erase");

    let d = dirs();
    let mut profiles = open(&d, &memory());
    let p = profiles
        .add(settings(
            "From the environment",
            KeySource::Environment {
                variable: "PATH".into(),
            },
        ))
        .expect("adds");
    let key = profiles.key(&p).expect("reads");
    assert_eq!(
        key.map(|k| k.kind),
        std::env::var("PATH").ok().map(|_| KeyKind::Private)
    );
    assert!(matches!(
        profiles.set_key(&p, &Secret::new("x")),
        Err(ProfileError::Secret(SecretError::ReadOnly { .. }))
    ));
}

#[test]
fn a_key_is_never_written_to_the_configuration_or_shown() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let in_keyring = "KEYRING-SECRET-3b9f0c";
    let in_file = "FILE-SECRET-91d2aa";
    let a = profiles
        .add(settings("Keyring", KeySource::Keyring))
        .expect("adds");
    let b = profiles
        .add(settings("File", KeySource::File))
        .expect("adds");
    profiles
        .set_key(&a, &Secret::new(in_keyring))
        .expect("sets");
    profiles.set_key(&b, &Secret::new(in_file)).expect("sets");
    profiles.rename(&a, "Keyring, renamed").expect("renames");
    profiles.set_current(&b).expect("switches");
    profiles.open_workspace(&a).expect("opens");

    let key_file = profiles.key_files().path(&b);
    let mut seen_key_file = false;
    for (path, bytes) in files_under(&d.config) {
        assert!(
            !contains(&bytes, in_keyring),
            "{} holds a key",
            path.display()
        );
        if path == key_file {
            seen_key_file = true;
            assert!(contains(&bytes, in_file));
        } else {
            assert!(!contains(&bytes, in_file), "{} holds a key", path.display());
        }
    }
    assert!(seen_key_file);
    for (path, bytes) in files_under(&d.data) {
        assert!(
            !contains(&bytes, in_keyring) && !contains(&bytes, in_file),
            "{}",
            path.display()
        );
    }

    let key_a = profiles.key(&a).expect("reads").expect("a key");
    let key_b = profiles.key(&b).expect("reads").expect("a key");
    assert_eq!(key_a.expose_secret(), in_keyring);
    let mock = keyring_core::mock::Store::new().expect("mock store");
    let in_mock = KeyringStore::with_store(mock);
    in_mock.set(&a, &Secret::new(in_keyring)).expect("sets");
    let shown = [
        format!("{profiles:?}"),
        format!("{:?}", profiles.profiles()),
        format!("{:?}", profiles.get(&a)),
        format!("{keyring:?}"),
        format!("{:?}", profiles.key_files()),
        format!("{in_mock:?}"),
        format!("{:?}", EnvStore::new("WOOSMAP_PRIVATE_KEY")),
        format!("{:?}", Secret::new(in_keyring)),
        format!("{:?}", in_mock.get(&a)),
        format!("{key_a:?} {key_b:?}"),
        format!("{:?}", profiles.keyring().get(&a)),
        format!("{:?}", profiles.key_files().get(&b)),
    ];
    for text in shown {
        assert!(
            !text.contains(in_keyring) && !text.contains(in_file),
            "{text}"
        );
    }
}

#[test]
fn keyring_errors_never_carry_the_stored_bytes() {
    let mock = keyring_core::mock::Store::new().expect("mock store");
    let keys = KeyringStore::with_store(mock.clone());
    let id = ProfileId::generate();
    keys.set(&id, &Secret::new("kept")).expect("sets");
    let entry = mock
        .build(KEYRING_SERVICE, id.as_str(), None)
        .expect("entry");
    let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().expect("a mock credential");

    cred.set_error(keyring_core::Error::BadEncoding(b"LEAKY-BYTES".to_vec()));
    let err = keys.get(&id).expect_err("not text");
    assert!(matches!(err, SecretError::NotText));
    assert!(!format!("{err} {err:?}").contains("LEAKY"));

    cred.set_error(keyring_core::Error::NoStorageAccess("locked".into()));
    assert!(matches!(
        keys.get(&id),
        Err(SecretError::KeyringLocked { .. })
    ));

    cred.set_error(keyring_core::Error::PlatformFailure("no bus".into()));
    let err = keys.get(&id).expect_err("unavailable");
    assert_eq!(err.to_string(), KEYRING_UNAVAILABLE);
    assert_eq!(err.detail(), Some("Platform failure: no bus"));
}

#[test]
fn the_keyring_store_keeps_keys_in_a_keyring_backend() {
    let keys = KeyringStore::with_store(keyring_core::mock::Store::new().expect("mock store"));
    let a = ProfileId::generate();
    let b = ProfileId::generate();
    assert!(keys.get(&a).expect("reads").is_none());
    keys.set(&a, &Secret::new("key-a")).expect("sets");
    keys.set(&b, &Secret::new("key-b")).expect("sets");
    keys.set(&a, &Secret::new("key-a2")).expect("replaces");
    assert_eq!(keys.get(&a).expect("reads"), Some(Secret::new("key-a2")));
    assert_eq!(keys.get(&b).expect("reads"), Some(Secret::new("key-b")));
    keys.delete(&a).expect("erases");
    assert!(keys.get(&a).expect("reads").is_none());
    keys.delete(&a).expect("erasing twice is fine");
    assert!(secrets::probe(&keys).is_ok());
    assert!(secrets::unavailable_reason(&keys).is_none());
}

#[derive(Debug)]
struct NoKeyring;

impl SecretStore for NoKeyring {
    fn get(&self, _: &ProfileId) -> Result<Option<Secret>, SecretError> {
        Err(SecretError::KeyringUnavailable {
            detail: "no bus".into(),
        })
    }
    fn set(&self, _: &ProfileId, _: &Secret) -> Result<(), SecretError> {
        Err(SecretError::Keyring {
            detail: "refused".into(),
        })
    }
    fn delete(&self, _: &ProfileId) -> Result<(), SecretError> {
        Ok(())
    }
}

#[test]
fn a_missing_keyring_is_told_in_one_sentence() {
    assert_eq!(
        secrets::unavailable_reason(&NoKeyring).as_deref(),
        Some(KEYRING_UNAVAILABLE)
    );
    let d = dirs();
    let profiles = ProfileStore::at(&d.config, &d.data)
        .expect("opens")
        .with_keyring(Arc::new(NoKeyring));
    assert_eq!(
        profiles.keyring_unavailable_reason().as_deref(),
        Some(KEYRING_UNAVAILABLE)
    );
    assert!(secrets::unavailable_reason(&MemoryStore::new()).is_none());
}

#[test]
fn a_missing_keyring_does_not_trap_a_profile() {
    let d = dirs();
    let mut profiles = ProfileStore::at(&d.config, &d.data)
        .expect("opens")
        .with_keyring(Arc::new(NoKeyring));
    let a = profiles.add(ProfileSettings::new("A")).expect("adds");
    let err = profiles.key(&a).expect_err("no keyring");
    assert_eq!(err.to_string(), KEYRING_UNAVAILABLE);
    profiles
        .edit(&a, settings("A", KeySource::File))
        .expect("moves to a key file");
    profiles
        .set_key(&a, &Secret::new("now-in-a-file"))
        .expect("sets");
    profiles
        .edit(&a, settings("A", KeySource::Keyring))
        .expect_err("the key cannot be copied into a keyring that refuses it");
    assert!(
        profiles.key_files().path(&a).exists(),
        "the key stays where it was"
    );
    let b = profiles.add(ProfileSettings::new("B")).expect("adds");
    profiles.delete(&b, DraftsOnDelete::Ask).expect("deletes");
    assert!(profiles.get(&b).is_none());
}

#[test]
fn the_system_keyring_keeps_a_key_when_asked_to_test_it() {
    if std::env::var("STOREDESK_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!(
            "SKIPPED: set STOREDESK_TEST_KEYRING=1 (with a Secret Service running) to test the system keyring"
        );
        return;
    }
    let keys = KeyringStore::system();
    if let Err(e) = secrets::probe(&keys) {
        panic!("the system keyring does not work: {e} ({:?})", e.detail());
    }
    let id = ProfileId::parse(&format!("test-{}", ProfileId::generate())).expect("an id");
    keys.set(&id, &Secret::new("system-keyring-test-key"))
        .expect("sets");
    let back = keys.get(&id);
    keys.delete(&id).expect("erases");
    assert_eq!(
        back.expect("reads"),
        Some(Secret::new("system-keyring-test-key"))
    );
    assert!(keys.get(&id).expect("reads").is_none());
}

#[test]
fn secrets_are_trimmed_and_kept_out_of_debug() {
    let s = Secret::new("  abc \n");
    assert_eq!(s.expose(), "abc");
    assert_eq!(format!("{s:?}"), "Secret(***)");
    assert_eq!(s.into_api_key(KeyKind::Public).kind, KeyKind::Public);
}

#[test]
fn profile_ids_are_safe_in_paths() {
    assert!(ProfileId::parse("0a1b2c3d4e5f6789").is_some());
    for bad in [
        "",
        "..",
        "../x",
        "a/b",
        "ABC",
        "a b",
        "a".repeat(65).as_str(),
    ] {
        assert!(ProfileId::parse(bad).is_none(), "{bad}");
    }
    let id = ProfileId::generate();
    assert_eq!(id.as_str().len(), 16);
    assert_eq!(ProfileId::parse(id.as_str()), Some(id));
}

// ---------------------------------------------------------------------------------------------
// Read-only profiles and the sandbox

#[test]
fn a_public_key_profile_is_read_only_with_a_reason() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let public = profiles
        .add(ProfileSettings {
            key_kind: KeyKind::Public,
            ..ProfileSettings::new("Public")
        })
        .expect("adds");
    let private = profiles.add(ProfileSettings::new("Private")).expect("adds");
    let public = profiles.get(&public).expect("there");
    assert!(!public.can_write());
    assert_eq!(public.read_only_reason(), Some(READ_ONLY_REASON));
    let private = profiles.get(&private).expect("there");
    assert!(private.can_write());
    assert_eq!(private.read_only_reason(), None);

    let id = public.id.clone();
    profiles
        .set_key(&id, &Secret::new("public-key"))
        .expect("sets");
    assert_eq!(
        profiles.key(&id).expect("reads").map(|k| k.kind),
        Some(KeyKind::Public)
    );
}

#[test]
fn the_sandbox_is_made_on_first_run_only() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let id = profiles
        .ensure_sandbox()
        .expect("creates")
        .expect("a sandbox");
    let sandbox = profiles.current().expect("current").clone();
    assert_eq!(sandbox.id, id);
    assert!(sandbox.sandbox);
    assert_eq!(sandbox.base_url, None);
    assert_eq!(sandbox.key_source, KeySource::Sandbox);
    assert!(sandbox.can_write());
    let key = profiles.key(&id).expect("reads").expect("the sandbox key");
    assert_eq!(key.expose_secret(), SANDBOX_PRIVATE_KEY);
    assert_eq!(key.kind, KeyKind::Private);
    assert!(keyring.is_empty(), "the sandbox key is not kept anywhere");
    assert_eq!(
        profiles.emulator_state_path(&id),
        d.data
            .join("profiles")
            .join(id.as_str())
            .join("emulator.json")
    );

    let mut again = open(&d, &keyring);
    assert_eq!(again.ensure_sandbox().expect("runs"), Some(id.clone()));
    assert_eq!(again.profiles().len(), 1);

    assert!(matches!(
        again.edit(&id, ProfileSettings::new("Sandbox")),
        Err(ProfileError::SandboxFixed)
    ));
    assert!(matches!(
        again.set_key(&id, &Secret::new("x")),
        Err(ProfileError::SandboxFixed)
    ));
    again.rename(&id, "Practice").expect("renames");

    let other = dirs();
    let mut existing = open(&other, &keyring);
    existing.add(ProfileSettings::new("Real")).expect("adds");
    assert_eq!(existing.ensure_sandbox().expect("runs"), None);
    assert_eq!(existing.profiles().len(), 1);
    assert!(matches!(
        existing.reset_sandbox(),
        Err(ProfileError::NoSandbox)
    ));
}

#[test]
fn resetting_the_sandbox_erases_its_workspace_and_emulator_state() {
    let d = dirs();
    let keyring = memory();
    let mut profiles = open(&d, &keyring);
    let id = profiles
        .ensure_sandbox()
        .expect("creates")
        .expect("a sandbox");
    {
        let mut ws = profiles.open_workspace(&id).expect("opens");
        ws.create(store("S1"), &Origin::Form).expect("creates");
    }
    let state = profiles.emulator_state_path(&id);
    crate::files::write_atomically(&state, b"{\"stores\": []}").expect("writes");

    profiles.reset_sandbox().expect("resets");
    assert!(!state.exists());
    assert!(!profiles.workspace_dir(&id).exists());
    assert!(profiles.get(&id).is_some_and(|p| p.sandbox));
    let ws = profiles.open_workspace(&id).expect("opens anew");
    assert_eq!(ws.pending_count().expect("counts"), 0);
}
