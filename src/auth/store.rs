//! Where credentials live: the OS keyring, a 0600 JSON file, or memory; one record per server URL.
//!
//! A record holds rmcp's `StoredCredentials` (tokens, granted scopes, issuer), the client
//! registration (id, secret, token-endpoint auth method, redirect URI) and the authorization
//! server metadata, cached so that a headless call does not repeat discovery.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rmcp::transport::auth::{
    AuthError, AuthorizationMetadata, CredentialStore, OAuthTokenResponse, StoredCredentials,
};
use serde::{Deserialize, Serialize};

/// Keyring service name; the account is the server URL.
const KEYRING_SERVICE: &str = "krisp-tui";
const FILE_NAME: &str = "credentials.json";

/// The store the user asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum StoreKind {
    /// The OS keyring when it really works, else the file.
    #[default]
    Auto,
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    Keyring,
    /// credentials.json in the configuration directory, readable only by you (0600).
    File,
    /// Kept in this process only: nothing is stored, every run logs in again.
    Memory,
}

/// A client registration, from `--client-id`/`--client-secret` or dynamic registration.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClientRegistration {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// `client_secret_basic`, `client_secret_post` or `none`, as the registration reply said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<String>,
    /// Krisp matches `redirect_uri` exactly, so a registration is only good for this URI.
    pub redirect_uri: String,
}

impl fmt::Debug for ClientRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientRegistration")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("auth_method", &self.auth_method)
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// Everything kept for one server.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Record {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<StoredCredentials>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientRegistration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<AuthorizationMetadata>,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // StoredCredentials' own Debug redacts the tokens; ClientRegistration's the secret.
        f.debug_struct("Record")
            .field("credentials", &self.credentials)
            .field("client", &self.client)
            .field("metadata", &self.metadata.as_ref().map(|m| &m.issuer))
            .finish()
    }
}

impl Record {
    pub fn token(&self) -> Option<&OAuthTokenResponse> {
        self.credentials.as_ref()?.token_response.as_ref()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the OS keyring is not usable ({0}); use --token-store file")]
    KeyringUnavailable(String),
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a credential file krisp-tui understands ({reason}); move it away and log in again"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error("the OS keyring failed: {0}")]
    Keyring(String),
}

/// The backend chosen for this process.
#[derive(Clone)]
pub enum Backend {
    Keyring,
    File(PathBuf),
    Memory,
}

impl Backend {
    /// Resolve `kind` to a working backend. Only `auto` and `keyring` touch the keyring.
    pub fn open(kind: StoreKind, config_dir: &Path, server: &str) -> Result<Backend, StoreError> {
        Self::open_with(kind, config_dir, server, probe_keyring)
    }

    /// `open`, then this server's record; `auto` reuses the file it read to decide.
    pub fn open_and_load(
        kind: StoreKind,
        config_dir: &Path,
        server: &str,
    ) -> Result<(Backend, Option<Record>), StoreError> {
        if kind == StoreKind::Auto {
            let file = config_dir.join(FILE_NAME);
            if let Ok(mut map) = read_file(&file)
                && let Some(record) = map.remove(server)
            {
                // Credentials already in the file stay there: probing the keyring first would
                // split one login across two stores.
                return Ok((Backend::File(file), Some(record)));
            }
        }
        let backend = Self::open(kind, config_dir, server)?;
        let record = backend.load(server)?;
        Ok((backend, record))
    }

    fn open_with(
        kind: StoreKind,
        config_dir: &Path,
        server: &str,
        probe_keyring: impl Fn() -> Result<(), String>,
    ) -> Result<Backend, StoreError> {
        let file = config_dir.join(FILE_NAME);
        match kind {
            StoreKind::Memory => Ok(Backend::Memory),
            StoreKind::File => Ok(Backend::File(file)),
            StoreKind::Keyring => {
                probe_keyring().map_err(StoreError::KeyringUnavailable)?;
                Ok(Backend::Keyring)
            }
            StoreKind::Auto => {
                // Credentials already in the file stay there: probing the keyring first would
                // split one login across two stores.
                if matches!(read_file(&file), Ok(map) if map.contains_key(server)) {
                    return Ok(Backend::File(file));
                }
                match probe_keyring() {
                    Ok(()) => Ok(Backend::Keyring),
                    Err(reason) => {
                        tracing::info!(%reason, "OS keyring unusable; using the credential file");
                        Ok(Backend::File(file))
                    }
                }
            }
        }
    }

    /// What `status` shows.
    pub fn describe(&self) -> String {
        match self {
            Backend::Keyring => "OS keyring".to_string(),
            Backend::File(path) => format!("file {}", path.display()),
            Backend::Memory => "memory (nothing kept after exit)".to_string(),
        }
    }

    pub fn load(&self, server: &str) -> Result<Option<Record>, StoreError> {
        match self {
            Backend::Memory => Ok(memory().lock().map_err(poisoned)?.get(server).cloned()),
            Backend::File(path) => Ok(read_file(path)?.remove(server)),
            Backend::Keyring => {
                let entry = keyring_entry(server)?;
                match entry.get_password() {
                    Ok(json) => {
                        serde_json::from_str(&json)
                            .map(Some)
                            .map_err(|e| StoreError::Corrupt {
                                path: PathBuf::from("OS keyring entry"),
                                reason: e.to_string(),
                            })
                    }
                    Err(keyring_core::Error::NoEntry) => Ok(None),
                    Err(e) => Err(StoreError::Keyring(e.to_string())),
                }
            }
        }
    }

    /// Replace the record for `server`; `None` deletes it.
    pub fn store(&self, server: &str, record: Option<&Record>) -> Result<(), StoreError> {
        match self {
            Backend::Memory => {
                let mut map = memory().lock().map_err(poisoned)?;
                match record {
                    Some(r) => map.insert(server.to_string(), r.clone()),
                    None => map.remove(server),
                };
                Ok(())
            }
            Backend::File(path) => {
                let mut map = read_file(path)?;
                match record {
                    Some(r) => map.insert(server.to_string(), r.clone()),
                    None => map.remove(server),
                };
                write_file(path, &map)
            }
            Backend::Keyring => {
                let entry = keyring_entry(server)?;
                match record {
                    Some(r) => {
                        let json = serde_json::to_string(r).map_err(|e| {
                            StoreError::Keyring(format!("could not encode credentials: {e}"))
                        })?;
                        entry
                            .set_password(&json)
                            .map_err(|e| StoreError::Keyring(e.to_string()))
                    }
                    None => match entry.delete_credential() {
                        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                        Err(e) => Err(StoreError::Keyring(e.to_string())),
                    },
                }
            }
        }
    }

    /// Read-modify-write of one server's record.
    pub fn update(&self, server: &str, f: impl FnOnce(&mut Record)) -> Result<(), StoreError> {
        let mut record = self.load(server)?.unwrap_or_default();
        f(&mut record);
        let empty = record.credentials.is_none() && record.client.is_none();
        self.store(server, (!empty).then_some(&record))
    }
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> StoreError {
    StoreError::Keyring("the in-memory credential store was poisoned by a panic".to_string())
}

fn memory() -> &'static Mutex<BTreeMap<String, Record>> {
    static MEMORY: OnceLock<Mutex<BTreeMap<String, Record>>> = OnceLock::new();
    MEMORY.get_or_init(Default::default)
}

/// The platform's store (Secret Service, Keychain, Credential Manager, through `keyring`),
/// installed as keyring-core's default unless one is already set (tests set the mock store).
fn ensure_keyring_store() -> Result<(), String> {
    if keyring_core::get_default_store().is_some() {
        return Ok(());
    }
    keyring::Entry::store_status()
        .as_ref()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn keyring_entry(server: &str) -> Result<keyring_core::Entry, StoreError> {
    ensure_keyring_store().map_err(StoreError::Keyring)?;
    keyring_core::Entry::new(KEYRING_SERVICE, server)
        .map_err(|e| StoreError::Keyring(e.to_string()))
}

/// A real write, read and delete: the Secret Service can report success while locked.
fn probe_keyring() -> Result<(), String> {
    ensure_keyring_store()?;
    let account = format!("probe-{}", std::process::id());
    let entry = keyring_core::Entry::new(KEYRING_SERVICE, &account).map_err(|e| e.to_string())?;
    let value = format!("krisp-tui keyring probe {}", rand::random::<u64>());
    entry.set_password(&value).map_err(|e| e.to_string())?;
    let read = entry.get_password().map_err(|e| e.to_string());
    let deleted = entry.delete_credential().map_err(|e| e.to_string());
    match read {
        Ok(v) if v == value => deleted,
        Ok(_) => Err("the keyring returned a different value than was written".to_string()),
        Err(e) => Err(e),
    }
}

fn read_file(path: &Path) -> Result<BTreeMap<String, Record>, StoreError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(source) => Err(StoreError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes the whole map atomically, 0600 (`fsx::write_atomic`, replacing).
fn write_file(path: &Path, map: &BTreeMap<String, Record>) -> Result<(), StoreError> {
    let err = |source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::fsx::create_private_dir(dir).map_err(err)?;
    let json = serde_json::to_vec_pretty(map)
        .map_err(|e| err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    crate::fsx::write_atomic(path, &json, true).map_err(err)
}

/// rmcp's view of one server's record.
#[derive(Clone)]
pub struct ServerStore {
    backend: Backend,
    server: String,
    /// Set when a token is saved, so a 401 right after issuance can be told apart (Krisp's
    /// resource server lags the authorization server by a few seconds).
    pub fresh: Arc<Mutex<Option<std::time::Instant>>>,
    /// A file locked across a refresh: Krisp rotates refresh tokens and revokes the grant when
    /// an old one is reused, so two krisp-tui processes must not refresh at once.
    lock_path: Option<PathBuf>,
}

impl ServerStore {
    pub fn new(backend: Backend, server: &str) -> Self {
        Self {
            backend,
            server: server.to_string(),
            fresh: Arc::new(Mutex::new(None)),
            lock_path: None,
        }
    }

    /// Coordinate refreshes with other processes through `dir/credentials.lock` (persistent
    /// stores only; memory is private to this process).
    pub fn with_refresh_lock(mut self, dir: &Path) -> Self {
        if !matches!(self.backend, Backend::Memory) {
            self.lock_path = Some(dir.join("credentials.lock"));
        }
        self
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    pub fn load_record(&self) -> Result<Option<Record>, StoreError> {
        self.backend.load(&self.server)
    }

    pub fn update(&self, f: impl FnOnce(&mut Record)) -> Result<(), StoreError> {
        self.backend.update(&self.server, f)
    }

    /// Seconds since a token was last saved by this process, if any.
    pub fn token_age(&self) -> Option<std::time::Duration> {
        self.fresh.lock().ok()?.map(|t| t.elapsed())
    }
}

fn store_err(e: StoreError) -> AuthError {
    AuthError::CredentialStoreError(e.to_string())
}

#[async_trait::async_trait]
impl CredentialStore for ServerStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        Ok(self
            .load_record()
            .map_err(store_err)?
            .and_then(|r| r.credentials))
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        // Krisp rotates refresh tokens: this write must land before the new access token is used.
        self.update(|r| r.credentials = Some(credentials))
            .map_err(store_err)?;
        if let Ok(mut fresh) = self.fresh.lock() {
            *fresh = Some(std::time::Instant::now());
        }
        Ok(())
    }

    async fn clear(&self) -> Result<(), AuthError> {
        // rmcp clears when the issuer changed: the registration belongs to the old server too.
        self.backend.store(&self.server, None).map_err(store_err)
    }

    async fn acquire_refresh_guard(
        &self,
    ) -> Result<Option<rmcp::transport::auth::CredentialRefreshGuard>, AuthError> {
        let Some(path) = self.lock_path.clone() else {
            return Ok(None);
        };
        let file = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
            if let Some(dir) = path.parent() {
                crate::fsx::create_private_dir(dir)?;
            }
            crate::fsx::lock_file(&path)
        })
        .await
        .map_err(|e| AuthError::CredentialStoreError(e.to_string()))?
        .map_err(|e| {
            AuthError::CredentialStoreError(format!("could not lock the credentials: {e}"))
        })?;
        // Dropping the file releases the lock.
        Ok(Some(rmcp::transport::auth::CredentialRefreshGuard::new(
            file,
        )))
    }

    async fn on_refresh_token_rejected(
        &self,
        _credentials: &StoredCredentials,
    ) -> Result<(), AuthError> {
        // `invalid_grant`: the tokens are dead; keep the registration for the next login.
        self.update(|r| r.credentials = None).map_err(store_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration() -> ClientRegistration {
        ClientRegistration {
            client_id: "client-1".into(),
            client_secret: Some("s3cr3t-value".into()),
            auth_method: Some("client_secret_basic".into()),
            redirect_uri: "http://127.0.0.1:8976/callback".into(),
        }
    }

    #[test]
    fn file_store_is_0600_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let backend = Backend::open(StoreKind::File, dir.path(), "https://x/mcp").unwrap();
        backend
            .update("https://x/mcp", |r| r.client = Some(registration()))
            .unwrap();
        let path = dir.path().join(FILE_NAME);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let record = backend.load("https://x/mcp").unwrap().unwrap();
        assert_eq!(record.client, Some(registration()));
        assert!(backend.load("https://other/mcp").unwrap().is_none());
        // No temp file is left behind by the atomic write.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![FILE_NAME.to_string()]);
    }

    #[test]
    fn removing_the_last_field_deletes_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let backend = Backend::File(dir.path().join(FILE_NAME));
        backend
            .update("s", |r| r.client = Some(registration()))
            .unwrap();
        backend.update("s", |r| r.client = None).unwrap();
        assert!(backend.load("s").unwrap().is_none());
    }

    #[test]
    fn corrupt_file_is_a_sentence_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, b"{not json").unwrap();
        let err = Backend::File(path).load("s").unwrap_err().to_string();
        assert!(err.contains("is not a credential file"), "{err}");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let record = Record {
            credentials: None,
            client: Some(registration()),
            metadata: None,
        };
        let debug = format!("{record:?}");
        assert!(!debug.contains("s3cr3t-value"), "{debug}");
        assert!(debug.contains("[REDACTED]"));
    }

    #[test]
    fn auto_uses_the_keyring_only_when_the_probe_passes() {
        let dir = tempfile::tempdir().unwrap();
        let works = || Ok(());
        let locked = || Err("locked".to_string());
        let b = Backend::open_with(StoreKind::Auto, dir.path(), "s", works).unwrap();
        assert!(matches!(b, Backend::Keyring));
        let b = Backend::open_with(StoreKind::Auto, dir.path(), "s", locked).unwrap();
        assert!(matches!(b, Backend::File(p) if p == dir.path().join(FILE_NAME)));
        let err = Backend::open_with(StoreKind::Keyring, dir.path(), "s", locked);
        assert!(matches!(err, Err(StoreError::KeyringUnavailable(r)) if r == "locked"));
        // Memory and file never probe.
        let panics = || -> Result<(), String> { panic!("probed") };
        assert!(matches!(
            Backend::open_with(StoreKind::Memory, dir.path(), "s", panics),
            Ok(Backend::Memory)
        ));
    }

    #[test]
    fn the_keyring_backend_round_trips_through_keyring_cores_mock_store() {
        // The mock stands in for the OS keyring (CI has no Secret Service).
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        assert_eq!(probe_keyring(), Ok(()));
        let dir = tempfile::tempdir().unwrap();
        let backend = Backend::open(StoreKind::Keyring, dir.path(), "https://k/mcp").unwrap();
        assert!(matches!(backend, Backend::Keyring));
        assert!(backend.load("https://k/mcp").unwrap().is_none());
        backend
            .update("https://k/mcp", |r| r.client = Some(registration()))
            .unwrap();
        let record = backend.load("https://k/mcp").unwrap().unwrap();
        assert_eq!(record.client, Some(registration()));
        backend.store("https://k/mcp", None).unwrap();
        assert!(backend.load("https://k/mcp").unwrap().is_none());
        // Nothing was written to the config dir.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn auto_keeps_using_a_file_that_already_holds_this_server() {
        let dir = tempfile::tempdir().unwrap();
        Backend::File(dir.path().join(FILE_NAME))
            .update("s", |r| r.client = Some(registration()))
            .unwrap();
        let panics = || -> Result<(), String> { panic!("probed") };
        let b = Backend::open_with(StoreKind::Auto, dir.path(), "s", panics).unwrap();
        assert!(matches!(b, Backend::File(_)));
    }
}
