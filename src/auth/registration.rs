//! Dynamic client registration (RFC 7591), done here rather than by rmcp because Krisp turns a
//! public client into a confidential one: its reply carries a `client_secret` and names
//! `client_secret_basic`, and the token endpoint must then be called that way. rmcp's own
//! registration keeps the secret but picks the auth method from the server metadata instead.

use rmcp::transport::auth::{AuthError, AuthorizationMetadata};
use serde::{Deserialize, Serialize};

use super::store::ClientRegistration;

#[derive(Serialize)]
struct Request<'a> {
    client_name: &'a str,
    redirect_uris: [&'a str; 1],
    grant_types: [&'static str; 2],
    response_types: [&'static str; 1],
    token_endpoint_auth_method: &'static str,
    application_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct Reply {
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
}

pub async fn register(
    http: &reqwest::Client,
    metadata: &AuthorizationMetadata,
    redirect_uri: &str,
    scopes: &[String],
) -> Result<ClientRegistration, AuthError> {
    let Some(endpoint) = metadata.registration_endpoint.as_deref() else {
        return Err(AuthError::RegistrationFailed(
            "the authorization server offers no client registration; pass --client-id".into(),
        ));
    };
    let body = Request {
        client_name: "krisp-tui",
        redirect_uris: [redirect_uri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        // Ask to be a public client; the reply says what we really are.
        token_endpoint_auth_method: "none",
        application_type: "native",
        scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
    };
    let url = url::Url::parse(endpoint).map_err(|e| {
        AuthError::RegistrationFailed(format!("invalid registration endpoint {endpoint}: {e}"))
    })?;
    super::http::check_transport(&url).map_err(|e| AuthError::RegistrationFailed(e.to_string()))?;
    let response = http
        .post(url)
        .header(http::header::ACCEPT, "application/json")
        .json(&body)
        .send()
        .await
        .map_err(|e| AuthError::RegistrationFailed(format!("could not reach {endpoint}: {e}")))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| AuthError::RegistrationFailed(format!("could not read the reply: {e}")))?;
    if !status.is_success() {
        // The body is the server's error, not ours; it holds no secret of ours.
        let text = String::from_utf8_lossy(&bytes);
        let text: String = text.chars().take(300).collect();
        return Err(AuthError::RegistrationFailed(format!(
            "the server refused to register krisp-tui (HTTP {}): {text}",
            status.as_u16()
        )));
    }
    let reply: Reply = serde_json::from_slice(&bytes).map_err(|e| {
        AuthError::RegistrationFailed(format!("the registration reply is not valid JSON: {e}"))
    })?;
    let client_secret = reply.client_secret.filter(|s| !s.is_empty());
    let auth_method = reply.token_endpoint_auth_method.or_else(|| {
        client_secret
            .as_ref()
            .map(|_| "client_secret_basic".to_string())
    });
    Ok(ClientRegistration {
        client_id: reply.client_id,
        client_secret,
        auth_method,
        redirect_uri: redirect_uri.to_string(),
    })
}

/// rmcp chooses Basic vs. request-body client auth from the metadata's
/// `token_endpoint_auth_methods_supported`; narrow that list to the method the registration
/// named so rmcp uses it.
pub fn pin_auth_method(metadata: &mut AuthorizationMetadata, method: Option<&str>) {
    if let Some(m @ ("client_secret_basic" | "client_secret_post")) = method {
        metadata.additional_fields.insert(
            "token_endpoint_auth_methods_supported".into(),
            serde_json::json!([m]),
        );
    }
}
