//! The OAuth 2.0 authorization server: discovery documents, registration, authorize, token,
//! introspection and revocation, with Krisp's paths and quirks (KRISP.md §2, §5).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use url::Url;

use super::pages;
use super::store::{Grant, Introspection, OAuthError, SCOPES, Store, is_known_scope};

pub const AUTHORIZE_PATH: &str = "/platform/v1/oauth2/authorize";
pub const TOKEN_PATH: &str = "/platform/v1/oauth2/token";
pub const INTROSPECT_PATH: &str = "/platform/v1/oauth2/introspect";
pub const REVOKE_PATH: &str = "/platform/v1/oauth2/revoke";
pub const REGISTER_PATH: &str = "/.well-known/oauth-registration";
pub const PRM_PATH: &str = "/.well-known/oauth-protected-resource";

pub struct OAuth {
    pub store: Store,
    pub base_url: String,
    pub account_name: String,
    pub auto_approve: bool,
}

impl OAuth {
    fn resource(&self) -> String {
        format!("{}/mcp", self.base_url)
    }
}

pub fn router(oauth: Arc<OAuth>) -> Router {
    Router::new()
        .route(PRM_PATH, get(protected_resource))
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(protected_resource),
        )
        .route(
            "/mcp/.well-known/oauth-protected-resource",
            get(protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(authorization_server),
        )
        .route(REGISTER_PATH, post(register))
        .route(AUTHORIZE_PATH, get(authorize).post(consent))
        .route(TOKEN_PATH, post(token))
        .route(INTROSPECT_PATH, post(introspect))
        .route(REVOKE_PATH, post(revoke))
        .with_state(oauth)
}

async fn protected_resource(State(oauth): State<Arc<OAuth>>) -> Response {
    no_store(axum::Json(json!({
        "resource": oauth.resource(),
        "authorization_servers": [oauth.base_url],
        "scopes_supported": SCOPES,
        "bearer_methods_supported": ["header"],
        "resource_name": "Krisp MCP (sandbox)",
    })))
}

async fn authorization_server(State(oauth): State<Arc<OAuth>>) -> Response {
    let base = &oauth.base_url;
    no_store(axum::Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{base}{TOKEN_PATH}"),
        "registration_endpoint": format!("{base}{REGISTER_PATH}"),
        "introspection_endpoint": format!("{base}{INTROSPECT_PATH}"),
        "revocation_endpoint": format!("{base}{REVOKE_PATH}"),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })))
}

fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An RFC 6749 §5.2 error body; `invalid_client` is a 401 with a Basic challenge.
fn error_response(error: &OAuthError) -> Response {
    let status = match error {
        OAuthError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = no_store((
        status,
        axum::Json(json!({"error": error.code(), "error_description": error.description()})),
    ));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"krisp-sandbox\""),
        );
    }
    response
}

/// RFC 7591 registration. Krisp's quirk: whatever auth method is asked for, the client gets a
/// secret and `client_secret_basic`; `scope` is echoed (or defaults to everything supported).
async fn register(State(oauth): State<Arc<OAuth>>, body: Bytes) -> Response {
    match registration(&oauth, &body) {
        Ok(reply) => no_store((StatusCode::CREATED, axum::Json(reply))),
        Err(error) => error_response(&error),
    }
}

fn registration(oauth: &OAuth, body: &[u8]) -> Result<Value, OAuthError> {
    let request: Value = serde_json::from_slice(body).map_err(|e| {
        OAuthError::InvalidClientMetadata(format!("the body must be a JSON object: {e}"))
    })?;
    let Some(request) = request.as_object() else {
        return Err(OAuthError::InvalidClientMetadata(
            "the body must be a JSON object".into(),
        ));
    };
    let redirect_uris: Vec<String> = match request.get("redirect_uris") {
        Some(Value::Array(uris)) if !uris.is_empty() => uris
            .iter()
            .map(|uri| {
                uri.as_str().map(str::to_owned).ok_or_else(|| {
                    OAuthError::InvalidRedirectUri("redirect_uris must be strings".into())
                })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(OAuthError::InvalidRedirectUri(
                "redirect_uris must be a non-empty array".into(),
            ));
        }
    };
    for uri in &redirect_uris {
        check_redirect_uri(uri)?;
    }
    let scope = match request.get("scope") {
        Some(Value::String(scope)) => scope.clone(),
        Some(_) => {
            return Err(OAuthError::InvalidClientMetadata(
                "scope must be a string".into(),
            ));
        }
        None => SCOPES.join(" "),
    };
    let name = request
        .get("client_name")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (client_id, client_secret) = oauth.store.register(name.clone(), redirect_uris.clone());
    let mut reply = json!({
        "client_id": client_id,
        "client_secret": client_secret,
        "client_id_issued_at": jiff::Timestamp::now().as_second(),
        "client_secret_expires_at": 0,
        "redirect_uris": redirect_uris,
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": scope,
    });
    if let (Some(name), Value::Object(map)) = (name, &mut reply) {
        map.insert("client_name".into(), json!(name));
    }
    Ok(reply)
}

/// Loopback `http` (any port) or any `https` URI, without a fragment.
fn check_redirect_uri(uri: &str) -> Result<(), OAuthError> {
    let bad = |why: &str| OAuthError::InvalidRedirectUri(format!("{uri:?}: {why}"));
    let url = Url::parse(uri).map_err(|e| bad(&e.to_string()))?;
    if url.fragment().is_some() {
        return Err(bad("must not have a fragment"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" => match url.host() {
            Some(url::Host::Domain("localhost")) => Ok(()),
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            _ => Err(bad("http is only allowed for loopback hosts")),
        },
        _ => Err(bad("must be http (loopback) or https")),
    }
}

/// Parameters of a query or form body; a repeated parameter is an error (RFC 6749 §3.1).
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(bytes: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(bytes).into_owned().collect())
    }

    fn get(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self.0.iter().filter(|(key, _)| key == name);
        let first = values.next().map(|(_, value)| value.as_str());
        if values.next().is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "{name} given more than once"
            )));
        }
        Ok(first.filter(|value| !value.is_empty()))
    }

    fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)?
            .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required")))
    }
}

async fn authorize(
    State(oauth): State<Arc<OAuth>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let params = Params(query);
    // Until the client and its redirect URI are known good, errors go to the browser.
    let client = match params.get("client_id") {
        Ok(Some(id)) => oauth.store.client(id),
        _ => None,
    };
    let Some(client) = client else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Unknown or missing client_id.",
        );
    };
    let redirect_uri = match params.get("redirect_uri") {
        Ok(Some(uri)) if client.redirect_uris.iter().any(|known| known == uri) => uri.to_owned(),
        _ => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "redirect_uri is missing or is not one registered for this client.",
            );
        }
    };
    let state = params.get("state").ok().flatten().map(str::to_owned);
    match authorization_request(&oauth, &params, &client.id, &redirect_uri, state.clone()) {
        Err(error) => redirect_error(&redirect_uri, &error, state.as_deref()),
        Ok(grant) if oauth.auto_approve => approve(&oauth, grant),
        Ok(grant) => {
            let scope = grant.scope.clone();
            let client_name = client.name.unwrap_or(client.id);
            let request_id = oauth.store.park(grant);
            no_store(pages::consent(
                &oauth.account_name,
                &client_name,
                &scope,
                &request_id,
            ))
        }
    }
}

fn authorization_request(
    oauth: &OAuth,
    params: &Params,
    client_id: &str,
    redirect_uri: &str,
    state: Option<String>,
) -> Result<Grant, OAuthError> {
    match params.get("response_type")? {
        Some("code") => {}
        Some(_) => return Err(OAuthError::UnsupportedResponseType),
        None => {
            return Err(OAuthError::InvalidRequest(
                "response_type is required".into(),
            ));
        }
    }
    let code_challenge = params.require("code_challenge")?;
    match params.get("code_challenge_method")? {
        Some("S256") => {}
        _ => {
            return Err(OAuthError::InvalidRequest(
                "code_challenge_method must be S256".into(),
            ));
        }
    }
    if let Some(resource) = params.get("resource")?
        && resource.trim_end_matches('/') != oauth.resource()
    {
        return Err(OAuthError::InvalidTarget(format!(
            "resource must be {}",
            oauth.resource()
        )));
    }
    let scope = match params.get("scope")? {
        Some(scope) => {
            let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
            if let Some(unknown) = scopes.iter().find(|s| !is_known_scope(s)) {
                return Err(OAuthError::InvalidScope(format!("unknown scope {unknown}")));
            }
            scopes.join(" ")
        }
        None => SCOPES.join(" "),
    };
    Ok(Grant {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        code_challenge: code_challenge.to_owned(),
        scope,
        state,
    })
}

/// The consent form's answer.
async fn consent(State(oauth): State<Arc<OAuth>>, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let grant = match params.get("request_id") {
        Ok(Some(id)) => oauth.store.unpark(id),
        _ => None,
    };
    let Some(grant) = grant else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "This authorization request is unknown, expired or already answered.",
        );
    };
    match params.get("decision") {
        Ok(Some("allow")) => approve(&oauth, grant),
        _ => redirect_with(
            &grant.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "The user denied access."),
            ],
            grant.state.as_deref(),
        ),
    }
}

fn approve(oauth: &OAuth, grant: Grant) -> Response {
    let redirect_uri = grant.redirect_uri.clone();
    let state = grant.state.clone();
    let code = oauth.store.issue_code(grant);
    redirect_with(&redirect_uri, &[("code", &code)], state.as_deref())
}

fn redirect_error(redirect_uri: &str, error: &OAuthError, state: Option<&str>) -> Response {
    redirect_with(
        redirect_uri,
        &[
            ("error", error.code()),
            ("error_description", &error.description()),
        ],
        state,
    )
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The redirect_uri cannot be parsed.",
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in params {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    // 302, as authorization servers answer; axum's `Redirect` offers only 303, 307 and 308.
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => no_store((StatusCode::FOUND, [(header::LOCATION, location)])),
        Err(_) => pages::error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The redirect_uri cannot be used.",
        ),
    }
}

/// Client authentication by HTTP Basic or by `client_id` + `client_secret` in the body.
fn authenticate_client(
    store: &Store,
    headers: &HeaderMap,
    params: &Params,
) -> Result<String, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, credentials) = value.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("basic")
                .then(|| credentials.trim())
        });
    let body_secret = params.get("client_secret")?;
    let (id, secret) = match (basic, body_secret) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::InvalidRequest(
                "use one client authentication method, not two".into(),
            ));
        }
        (Some(credentials), None) => {
            let decoded = STANDARD
                .decode(credentials)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or(OAuthError::InvalidClient("malformed Basic credentials"))?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or(OAuthError::InvalidClient("malformed Basic credentials"))?;
            let (id, secret) = (form_decode(id), form_decode(secret));
            if let Some(body_id) = params.get("client_id")?
                && body_id != id
            {
                return Err(OAuthError::InvalidClient(
                    "client_id does not match the Basic credentials",
                ));
            }
            (id, secret)
        }
        (None, Some(secret)) => {
            let id = params
                .get("client_id")?
                .ok_or(OAuthError::InvalidClient("client_id is required"))?;
            (id.to_owned(), secret.to_owned())
        }
        (None, None) => {
            return Err(OAuthError::InvalidClient(
                "client authentication is required",
            ));
        }
    };
    store.authenticate(&id, &secret)?;
    Ok(id)
}

/// RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
fn form_decode(text: &str) -> String {
    let pair = format!("x={text}");
    url::form_urlencoded::parse(pair.as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

async fn token(State(oauth): State<Arc<OAuth>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&body);
    match token_grant(&oauth, &headers, &params) {
        Ok(tokens) => no_store(axum::Json(tokens)),
        Err(error) => error_response(&error),
    }
}

fn token_grant(
    oauth: &OAuth,
    headers: &HeaderMap,
    params: &Params,
) -> Result<super::store::TokenResponse, OAuthError> {
    let client_id = authenticate_client(&oauth.store, headers, params)?;
    if let Some(resource) = params.get("resource")?
        && resource.trim_end_matches('/') != oauth.resource()
    {
        return Err(OAuthError::InvalidTarget(format!(
            "resource must be {}",
            oauth.resource()
        )));
    }
    match params.require("grant_type")? {
        "authorization_code" => oauth.store.exchange_code(
            &client_id,
            params.require("code")?,
            params.require("redirect_uri")?,
            params.require("code_verifier")?,
        ),
        "refresh_token" => oauth.store.refresh(
            &client_id,
            params.require("refresh_token")?,
            params.get("scope")?,
        ),
        _ => Err(OAuthError::UnsupportedGrantType),
    }
}

/// RFC 7662. The MCP side calls this for every request, with the sandbox's own client.
async fn introspect(State(oauth): State<Arc<OAuth>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let result = authenticate_client(&oauth.store, &headers, &params)
        .and_then(|_| params.require("token").map(str::to_owned));
    let token = match result {
        Ok(token) => token,
        Err(error) => return error_response(&error),
    };
    let reply = match oauth.store.introspect(&token) {
        Introspection::Inactive => json!({"active": false}),
        Introspection::Access {
            client_id,
            scope,
            issued_at,
            expires_at,
        } => json!({
            "active": true,
            "token_type": "Bearer",
            "client_id": client_id,
            "scope": scope,
            "iat": issued_at,
            "exp": expires_at,
            "sub": "sandbox-user",
            "aud": oauth.resource(),
            "iss": oauth.base_url,
        }),
        Introspection::Refresh { client_id, scope } => json!({
            "active": true,
            "token_type": "refresh_token",
            "client_id": client_id,
            "scope": scope,
            "sub": "sandbox-user",
            "iss": oauth.base_url,
        }),
    };
    no_store(axum::Json(reply))
}

/// RFC 7009: 200 for any token, known or not, once the client is authenticated.
async fn revoke(State(oauth): State<Arc<OAuth>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let result = authenticate_client(&oauth.store, &headers, &params)
        .and_then(|client| Ok((client, params.require("token")?.to_owned())));
    match result {
        Ok((client, token)) => {
            oauth.store.revoke(&client, &token);
            no_store(StatusCode::OK)
        }
        Err(error) => error_response(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_loopback_http_or_https() {
        for ok in [
            "http://127.0.0.1:8765/callback",
            "http://localhost/cb",
            "http://[::1]:1/cb",
            "https://example.com/cb",
        ] {
            assert_eq!(check_redirect_uri(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://example.com/cb",
            "myapp://cb",
            "https://example.com/cb#x",
            "not a url",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(form_decode("a%3Ab+c"), "a:b c");
    }
}
