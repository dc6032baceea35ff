//! The authorization server's state: clients, pending consents, codes, and rotating token families.
//!
//! Secrets, codes and tokens are kept only as SHA-256 digests, so nothing here (or in a debug
//! print of it) can leak a usable credential. Every grant starts a *family*: the tokens issued
//! from one authorization code and all their refreshes. Replaying a used code or a rotated refresh
//! token revokes the whole family, as RFC 6749 §4.1.2 and the OAuth security BCP recommend.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest as _, Sha256};

use super::clock::Clock;

/// The scopes Krisp advertises (KRISP.md §2).
pub const SCOPES: [&str; 6] = [
    "user::me::read",
    "user::meetings::list",
    "user::meetings:metadata::read",
    "user::meetings:notes::read",
    "user::meetings:transcripts::read",
    "user::activities::list",
];

/// Scopes seen in use against Krisp although not advertised; accepted, never offered.
const ALSO_ACCEPTED: [&str; 2] = ["user::subscriptions::read", "user::meetings::read"];

const CODE_LIFETIME: Duration = Duration::from_secs(60);
const CONSENT_LIFETIME: Duration = Duration::from_secs(600);

pub fn is_known_scope(scope: &str) -> bool {
    SCOPES.contains(&scope) || ALSO_ACCEPTED.contains(&scope)
}

/// RFC 6749 §5.2 (and RFC 7591 §3.2.2, RFC 8707 §2) errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    #[error("invalid_client: {0}")]
    InvalidClient(&'static str),
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("unsupported_response_type")]
    UnsupportedResponseType,
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
    #[error("invalid_target: {0}")]
    InvalidTarget(String),
    #[error("invalid_redirect_uri: {0}")]
    InvalidRedirectUri(String),
    #[error("invalid_client_metadata: {0}")]
    InvalidClientMetadata(String),
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope(_) => "invalid_scope",
            Self::InvalidTarget(_) => "invalid_target",
            Self::InvalidRedirectUri(_) => "invalid_redirect_uri",
            Self::InvalidClientMetadata(_) => "invalid_client_metadata",
        }
    }

    pub fn description(&self) -> String {
        match self {
            Self::InvalidRequest(why)
            | Self::InvalidScope(why)
            | Self::InvalidTarget(why)
            | Self::InvalidRedirectUri(why)
            | Self::InvalidClientMetadata(why) => why.clone(),
            Self::InvalidClient(why) | Self::InvalidGrant(why) => (*why).to_owned(),
            Self::UnsupportedGrantType => {
                "grant_type must be authorization_code or refresh_token".to_owned()
            }
            Self::UnsupportedResponseType => "response_type must be code".to_owned(),
        }
    }
}

type Digest = [u8; 32];

fn digest(secret: &str) -> Digest {
    Sha256::digest(secret.as_bytes()).into()
}

/// 256 random bits, base64url: codes, tokens, consent ids.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A random (version 4) UUID, as Krisp's client ids and secrets are.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    secret: Digest,
    pub name: Option<String>,
    pub redirect_uris: Vec<String>,
}

/// What a user consents to: everything `/authorize` validated, waiting for Allow or Deny.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
    pub state: Option<String>,
}

struct Pending {
    grant: Grant,
    expires_at: Timestamp,
}

struct Code {
    grant: Grant,
    expires_at: Timestamp,
    used: bool,
    /// The family its exchange started, to revoke when the code is replayed.
    family: Option<u64>,
}

struct Access {
    client_id: String,
    scope: String,
    family: u64,
    issued_at: Timestamp,
    expires_at: Timestamp,
}

struct Refresh {
    client_id: String,
    scope: String,
    family: u64,
    used: bool,
}

#[derive(Default)]
struct Inner {
    clients: HashMap<String, Client>,
    pending: HashMap<Digest, Pending>,
    codes: HashMap<Digest, Code>,
    access: HashMap<Digest, Access>,
    refresh: HashMap<Digest, Refresh>,
    revoked_families: std::collections::HashSet<u64>,
    next_family: u64,
}

/// A token endpoint success (RFC 6749 §5.1).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    pub scope: String,
}

/// RFC 7662's answer, before serialisation. `Inactive` covers unknown, expired and revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Introspection {
    Inactive,
    Access {
        client_id: String,
        scope: String,
        issued_at: i64,
        expires_at: i64,
    },
    Refresh {
        client_id: String,
        scope: String,
    },
}

pub struct Store {
    inner: Mutex<Inner>,
    clock: Clock,
    access_ttl: Duration,
}

impl Store {
    pub fn new(clock: Clock, access_ttl: Duration) -> Self {
        Self {
            inner: Mutex::default(),
            clock,
            access_ttl,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a client; returns its id and (the only copy of) its secret.
    pub fn register(&self, name: Option<String>, redirect_uris: Vec<String>) -> (String, String) {
        let id = random_uuid();
        let secret = random_uuid();
        let client = Client {
            id: id.clone(),
            secret: digest(&secret),
            name,
            redirect_uris,
        };
        self.lock().clients.insert(id.clone(), client);
        (id, secret)
    }

    pub fn client(&self, id: &str) -> Option<Client> {
        self.lock().clients.get(id).cloned()
    }

    pub fn authenticate(&self, id: &str, secret: &str) -> Result<(), OAuthError> {
        match self.lock().clients.get(id) {
            Some(client) if client.secret == digest(secret) => Ok(()),
            Some(_) => Err(OAuthError::InvalidClient("client authentication failed")),
            None => Err(OAuthError::InvalidClient("unknown client")),
        }
    }

    /// Parks a validated authorization request until the user answers the consent page.
    pub fn park(&self, grant: Grant) -> String {
        let id = random_token();
        let expires_at = self.clock.now() + CONSENT_LIFETIME;
        let mut inner = self.lock();
        let now = self.clock.now();
        inner.pending.retain(|_, pending| pending.expires_at > now);
        inner
            .pending
            .insert(digest(&id), Pending { grant, expires_at });
        id
    }

    /// The parked request, once: a consent form cannot be submitted twice.
    pub fn unpark(&self, id: &str) -> Option<Grant> {
        let pending = self.lock().pending.remove(&digest(id))?;
        (pending.expires_at > self.clock.now()).then_some(pending.grant)
    }

    pub fn issue_code(&self, grant: Grant) -> String {
        let code = random_token();
        let now = self.clock.now();
        let mut inner = self.lock();
        // Used codes are kept until they expire so that a replay is recognised as one.
        inner.codes.retain(|_, code| code.expires_at > now);
        inner.codes.insert(
            digest(&code),
            Code {
                grant,
                expires_at: now + CODE_LIFETIME,
                used: false,
                family: None,
            },
        );
        code
    }

    /// `grant_type=authorization_code` for an authenticated client.
    pub fn exchange_code(
        &self,
        client_id: &str,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenResponse, OAuthError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let Some(entry) = inner.codes.get_mut(&digest(code)) else {
            return Err(OAuthError::InvalidGrant("unknown authorization code"));
        };
        if entry.used {
            let family = entry.family;
            if let Some(family) = family {
                inner.revoke_family(family);
            }
            return Err(OAuthError::InvalidGrant(
                "authorization code already used; tokens issued from it are revoked",
            ));
        }
        if entry.expires_at <= now {
            return Err(OAuthError::InvalidGrant("authorization code expired"));
        }
        if entry.grant.client_id != client_id {
            return Err(OAuthError::InvalidGrant(
                "authorization code was issued to another client",
            ));
        }
        if entry.grant.redirect_uri != redirect_uri {
            return Err(OAuthError::InvalidGrant(
                "redirect_uri does not match the authorization request",
            ));
        }
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if challenge != entry.grant.code_challenge {
            return Err(OAuthError::InvalidGrant("PKCE verification failed"));
        }
        entry.used = true;
        let scope = entry.grant.scope.clone();
        let family = inner.new_family();
        if let Some(entry) = inner.codes.get_mut(&digest(code)) {
            entry.family = Some(family);
        }
        Ok(inner.issue_tokens(client_id, scope, family, now, self.access_ttl))
    }

    /// `grant_type=refresh_token`: rotates the refresh token; a replay revokes the family.
    pub fn refresh(
        &self,
        client_id: &str,
        refresh_token: &str,
        scope: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let key = digest(refresh_token);
        let Some(entry) = inner.refresh.get(&key) else {
            return Err(OAuthError::InvalidGrant("unknown refresh token"));
        };
        if entry.client_id != client_id {
            return Err(OAuthError::InvalidGrant(
                "refresh token was issued to another client",
            ));
        }
        let family = entry.family;
        if entry.used {
            inner.revoke_family(family);
            return Err(OAuthError::InvalidGrant(
                "refresh token already used; the whole grant is revoked, log in again",
            ));
        }
        if inner.revoked_families.contains(&family) {
            return Err(OAuthError::InvalidGrant("refresh token revoked"));
        }
        let granted = entry.scope.clone();
        let scope = match scope {
            Some(asked) => {
                let allowed: Vec<&str> = granted.split(' ').collect();
                if let Some(extra) = asked.split(' ').find(|s| !allowed.contains(s)) {
                    return Err(OAuthError::InvalidScope(format!(
                        "scope {extra} was not granted"
                    )));
                }
                asked.to_owned()
            }
            None => granted,
        };
        if let Some(entry) = inner.refresh.get_mut(&key) {
            entry.used = true;
        }
        Ok(inner.issue_tokens(client_id, scope, family, now, self.access_ttl))
    }

    pub fn introspect(&self, token: &str) -> Introspection {
        let now = self.clock.now();
        let inner = self.lock();
        let key = digest(token);
        if let Some(access) = inner.access.get(&key) {
            if access.expires_at > now && !inner.revoked_families.contains(&access.family) {
                return Introspection::Access {
                    client_id: access.client_id.clone(),
                    scope: access.scope.clone(),
                    issued_at: access.issued_at.as_second(),
                    expires_at: access.expires_at.as_second(),
                };
            }
        } else if let Some(refresh) = inner.refresh.get(&key)
            && !refresh.used
            && !inner.revoked_families.contains(&refresh.family)
        {
            return Introspection::Refresh {
                client_id: refresh.client_id.clone(),
                scope: refresh.scope.clone(),
            };
        }
        Introspection::Inactive
    }

    /// RFC 7009: revoking either token of a grant ends the whole grant. Tokens of other clients
    /// and unknown tokens are ignored (the endpoint answers 200 regardless).
    pub fn revoke(&self, client_id: &str, token: &str) {
        let mut inner = self.lock();
        let key = digest(token);
        let family = inner
            .access
            .get(&key)
            .filter(|access| access.client_id == client_id)
            .map(|access| access.family)
            .or_else(|| {
                inner
                    .refresh
                    .get(&key)
                    .filter(|refresh| refresh.client_id == client_id)
                    .map(|refresh| refresh.family)
            });
        if let Some(family) = family {
            inner.revoke_family(family);
        }
    }
}

impl Inner {
    fn new_family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    fn revoke_family(&mut self, family: u64) {
        self.revoked_families.insert(family);
        self.access.retain(|_, access| access.family != family);
    }

    fn issue_tokens(
        &mut self,
        client_id: &str,
        scope: String,
        family: u64,
        now: Timestamp,
        ttl: Duration,
    ) -> TokenResponse {
        self.access.retain(|_, access| access.expires_at > now);
        let access_token = random_token();
        let refresh_token = random_token();
        self.access.insert(
            digest(&access_token),
            Access {
                client_id: client_id.to_owned(),
                scope: scope.clone(),
                family,
                issued_at: now,
                expires_at: now + ttl,
            },
        );
        self.refresh.insert(
            digest(&refresh_token),
            Refresh {
                client_id: client_id.to_owned(),
                scope: scope.clone(),
                family,
                used: false,
            },
        );
        TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: ttl.as_secs(),
            refresh_token,
            scope,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn store() -> (Store, Clock, String, String) {
        let clock = Clock::manual("2026-11-27T12:00:00Z".parse().unwrap());
        let store = Store::new(clock.clone(), Duration::from_secs(60));
        let (id, secret) = store.register(None, vec!["http://127.0.0.1:1/cb".into()]);
        (store, clock, id, secret)
    }

    fn grant(client_id: &str) -> Grant {
        Grant {
            client_id: client_id.into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            code_challenge: CHALLENGE.into(),
            scope: "user::me::read".into(),
            state: None,
        }
    }

    #[test]
    fn pkce_uses_s256_as_in_rfc_7636_appendix_b() {
        let (store, _, id, secret) = store();
        assert_eq!(store.authenticate(&id, &secret), Ok(()));
        let code = store.issue_code(grant(&id));
        assert_eq!(
            store
                .exchange_code(&id, &code, "http://127.0.0.1:1/cb", "wrong")
                .map(|_| ()),
            Err(OAuthError::InvalidGrant("PKCE verification failed"))
        );
        let tokens = store
            .exchange_code(&id, &code, "http://127.0.0.1:1/cb", VERIFIER)
            .expect("valid exchange");
        assert!(matches!(
            store.introspect(&tokens.access_token),
            Introspection::Access { .. }
        ));
    }

    #[test]
    fn access_tokens_expire_on_the_clock() {
        let (store, clock, id, _) = store();
        let code = store.issue_code(grant(&id));
        let tokens = store
            .exchange_code(&id, &code, "http://127.0.0.1:1/cb", VERIFIER)
            .expect("valid exchange");
        clock.advance(Duration::from_secs(59));
        assert_ne!(
            store.introspect(&tokens.access_token),
            Introspection::Inactive
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            store.introspect(&tokens.access_token),
            Introspection::Inactive
        );
    }

    #[test]
    fn replaying_a_rotated_refresh_token_revokes_the_family() {
        let (store, _, id, _) = store();
        let code = store.issue_code(grant(&id));
        let first = store
            .exchange_code(&id, &code, "http://127.0.0.1:1/cb", VERIFIER)
            .expect("valid exchange");
        let second = store
            .refresh(&id, &first.refresh_token, None)
            .expect("first refresh");
        assert!(store.refresh(&id, &first.refresh_token, None).is_err());
        assert_eq!(
            store.introspect(&second.access_token),
            Introspection::Inactive
        );
        assert_eq!(
            store.refresh(&id, &second.refresh_token, None).map(|_| ()),
            Err(OAuthError::InvalidGrant("refresh token revoked"))
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let uuid = random_uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!("89ab".contains(&uuid[19..20]));
    }
}
