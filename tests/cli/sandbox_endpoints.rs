//! The sandbox over real loopback HTTP: discovery, OAuth (and its refusals), MCP, tools, faults.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use krisp_tui::sandbox::{Clock, Sandbox, SandboxArgs};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

const REDIRECT: &str = "http://127.0.0.1:53682/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const ROADMAP_ID: &str = "744b1d8da3165e8b99f56a8c56e33f5c";
const SCOPES: [&str; 6] = [
    "user::me::read",
    "user::meetings::list",
    "user::meetings:metadata::read",
    "user::meetings:notes::read",
    "user::meetings:transcripts::read",
    "user::activities::list",
];

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

fn auto() -> SandboxArgs {
    SandboxArgs {
        auto_approve: true,
        ..SandboxArgs::default()
    }
}

/// A sandbox on a manual clock set to the morning after the demo data.
async fn start(args: SandboxArgs) -> Sandbox {
    Sandbox::start_with_clock(
        args,
        Clock::manual("2026-11-27T09:00:00Z".parse().expect("a timestamp")),
    )
    .await
    .expect("sandbox starts")
}

struct Registered {
    id: String,
    secret: String,
}

async fn register(http: &reqwest::Client, base: &str) -> Registered {
    let reply: Value = http
        .post(format!("{base}/.well-known/oauth-registration"))
        .json(&json!({
            "client_name": "endpoint tests",
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
        }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    Registered {
        id: reply["client_id"].as_str().expect("client_id").to_owned(),
        secret: reply["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned(),
    }
}

fn authorize_url(base: &str, client: &Registered, extra: &[(&str, &str)]) -> Url {
    let mut url = Url::parse(&format!("{base}/platform/v1/oauth2/authorize")).expect("url");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", "xyz");
    for (key, value) in extra {
        url.query_pairs_mut().append_pair(key, value);
    }
    url
}

/// The query of a redirect to `REDIRECT`, as sorted pairs.
fn redirect_query(response: &reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION].to_str().expect("ascii");
    let url = Url::parse(location).expect("absolute redirect");
    assert_eq!(&url[..url::Position::AfterPath], REDIRECT);
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    pairs.sort();
    pairs
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = list
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

async fn code(http: &reqwest::Client, base: &str, client: &Registered) -> String {
    let url = authorize_url(base, client, &[("resource", &format!("{base}/mcp"))]);
    let response = http.get(url).send().await.expect("authorize");
    let query = redirect_query(&response);
    assert_eq!(query.len(), 2, "code and state only: {query:?}");
    assert_eq!(query[1], ("state".into(), "xyz".into()));
    query[0].1.clone()
}

async fn token_request(
    http: &reqwest::Client,
    base: &str,
    client: &Registered,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = http
        .post(format!("{base}/platform/v1/oauth2/token"))
        .basic_auth(&client.id, Some(&client.secret))
        .form(form)
        .send()
        .await
        .expect("token");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

async fn exchange(http: &reqwest::Client, base: &str, client: &Registered, code: &str) -> Value {
    let (status, tokens) = token_request(
        http,
        base,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

struct Login {
    client: Registered,
    access: String,
    refresh: String,
}

async fn login(http: &reqwest::Client, base: &str) -> Login {
    let client = register(http, base).await;
    let code = code(http, base, &client).await;
    let tokens = exchange(http, base, &client, &code).await;
    Login {
        access: tokens["access_token"].as_str().expect("access").to_owned(),
        refresh: tokens["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned(),
        client,
    }
}

async fn introspect(http: &reqwest::Client, base: &str, client: &Registered, token: &str) -> Value {
    http.post(format!("{base}/platform/v1/oauth2/introspect"))
        .basic_auth(&client.id, Some(&client.secret))
        .form(&[("token", token)])
        .send()
        .await
        .expect("introspect")
        .json()
        .await
        .expect("json")
}

type Params<'a> = &'a [(&'a str, &'a str)];

const BOTH: &str = "application/json, text/event-stream";

fn mcp_post(
    http: &reqwest::Client,
    sandbox: &Sandbox,
    token: &str,
    body: &Value,
) -> reqwest::RequestBuilder {
    http.post(sandbox.mcp_url())
        .bearer_auth(token)
        .header(ACCEPT, BOTH)
        .json(body)
}

/// The JSON-RPC message of a reply in either mode; SSE must be exactly one `message` frame.
async fn message(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()[CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body = response.text().await.expect("body");
    if kind.starts_with("text/event-stream") {
        let data = body
            .strip_prefix("event: message\ndata: ")
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .unwrap_or_else(|| panic!("one SSE frame expected, got {body:?}"));
        assert!(!data.contains('\n'));
        serde_json::from_str(data).expect("frame holds JSON")
    } else {
        assert_eq!(kind, "application/json");
        serde_json::from_str(&body).expect("JSON body")
    }
}

async fn call(
    http: &reqwest::Client,
    sandbox: &Sandbox,
    token: &str,
    name: &str,
    arguments: Value,
) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": name, "arguments": arguments}});
    let reply = message(
        mcp_post(http, sandbox, token, &body)
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert_eq!(reply["id"], 7);
    reply["result"].clone()
}

/// `structuredContent` of a successful call.
async fn structured(
    http: &reqwest::Client,
    sandbox: &Sandbox,
    token: &str,
    name: &str,
    arguments: Value,
) -> Value {
    let result = call(http, sandbox, token, name, arguments).await;
    assert_eq!(result["isError"], false, "{result}");
    result["structuredContent"].clone()
}

/// The demo meetings as the data files have them.
fn demo_meetings() -> Vec<Value> {
    serde_json::from_str(include_str!(
        "../../crates/krisp-sandbox/assets/demo/meetings.json"
    ))
    .expect("demo meetings")
}

fn ids(search: &Value) -> Vec<String> {
    search["meetings"]
        .as_array()
        .expect("meetings")
        .iter()
        .map(|m| m["meeting_id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn discovery_documents_name_the_sandbox_itself() {
    let sandbox = start(auto()).await;
    let http = http();
    let base = sandbox.base_url();
    let prm = json!({
        "resource": format!("{base}/mcp"),
        "authorization_servers": [base],
        "scopes_supported": SCOPES,
        "bearer_methods_supported": ["header"],
        "resource_name": "Krisp MCP (sandbox)",
    });
    for path in [
        "/.well-known/oauth-protected-resource",
        "/mcp/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let got: Value = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("prm")
            .json()
            .await
            .expect("json");
        assert_eq!(got, prm, "{path}");
    }
    let metadata: Value = http
        .get(format!("{base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .expect("as metadata")
        .json()
        .await
        .expect("json");
    assert_eq!(
        metadata,
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/platform/v1/oauth2/authorize"),
            "token_endpoint": format!("{base}/platform/v1/oauth2/token"),
            "registration_endpoint": format!("{base}/.well-known/oauth-registration"),
            "introspection_endpoint": format!("{base}/platform/v1/oauth2/introspect"),
            "revocation_endpoint": format!("{base}/platform/v1/oauth2/revoke"),
            "scopes_supported": SCOPES,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })
    );
    let root = http.get(format!("{base}/")).send().await.expect("root");
    assert_eq!(root.status(), StatusCode::NOT_FOUND);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn mcp_refuses_missing_and_bad_tokens_with_krisps_exact_header() {
    let sandbox = start(auto()).await;
    let http = http();
    let expected = format!(
        "Bearer error=\"invalid_token\", error_description=\"Missing or invalid access token\", resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
        sandbox.base_url()
    );
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    for token in [None, Some("not-a-token")] {
        let mut request = http
            .post(sandbox.mcp_url())
            .header(ACCEPT, BOTH)
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("post");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], expected.as_str());
        assert_eq!(
            response.json::<Value>().await.expect("json"),
            json!({"error": "invalid_token", "error_description": "Missing or invalid access token"})
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn mcp_answers_406_unless_both_media_types_are_accepted() {
    let sandbox = start(auto()).await;
    let http = http();
    let login = login(&http, sandbox.base_url()).await;
    for accept in ["application/json", "text/event-stream", "*/*"] {
        let response = http
            .post(sandbox.mcp_url())
            .bearer_auth(&login.access)
            .header(ACCEPT, accept)
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE, "{accept}");
        assert_eq!(
            response.text().await.expect("text"),
            "Not Acceptable: Client must accept both application/json and text/event-stream"
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn registration_always_issues_a_secret_and_echoes_scope_and_redirects() {
    let sandbox = start(auto()).await;
    let http = http();
    let base = sandbox.base_url();
    let response = http
        .post(format!("{base}/.well-known/oauth-registration"))
        .json(&json!({
            "client_name": "public client",
            "redirect_uris": [REDIRECT, "https://example.com/cb"],
            "token_endpoint_auth_method": "none",
            "scope": "user::me::read user::meetings::list",
        }))
        .send()
        .await
        .expect("register");
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut reply: Value = response.json().await.expect("json");
    let uuid = |v: &Value| {
        let s = v.as_str().expect("string");
        s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
    };
    assert!(
        uuid(&reply["client_id"]) && uuid(&reply["client_secret"]),
        "{reply}"
    );
    assert!(reply["client_id_issued_at"].is_i64());
    for key in ["client_id", "client_secret", "client_id_issued_at"] {
        reply.as_object_mut().expect("object").remove(key);
    }
    assert_eq!(
        reply,
        json!({
            "client_secret_expires_at": 0,
            "redirect_uris": [REDIRECT, "https://example.com/cb"],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "user::me::read user::meetings::list",
            "client_name": "public client",
        })
    );

    for (body, error) in [
        (
            json!({"redirect_uris": ["http://evil.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ] {
        let response = http
            .post(format!("{base}/.well-known/oauth-registration"))
            .json(&body)
            .send()
            .await
            .expect("register");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let reply: Value = response.json().await.expect("json");
        assert_eq!(reply["error"], error, "{body}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn authorize_refuses_bad_clients_and_redirects_other_errors() {
    let sandbox = start(auto()).await;
    let http = http();
    let base = sandbox.base_url();
    let client = register(&http, base).await;

    // Not redirectable: an HTML page.
    let stranger = Registered {
        id: "00000000-0000-4000-8000-000000000000".into(),
        secret: String::new(),
    };
    let response = http
        .get(authorize_url(base, &stranger, &[]))
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .expect("html")
            .contains("invalid_client")
    );
    let mut wrong_redirect = authorize_url(base, &client, &[]);
    let query: Vec<(String, String)> = wrong_redirect
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "redirect_uri" {
                (k, "http://127.0.0.1:9/other".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    wrong_redirect.query_pairs_mut().clear().extend_pairs(query);
    let response = http.get(wrong_redirect).send().await.expect("authorize");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = response.text().await.expect("html");
    assert!(
        page.contains("redirect_uri is missing or is not one registered"),
        "{page}"
    );

    // Redirectable errors carry error, error_description and state.
    // A repeated response_type is a repeated parameter: invalid_request.
    let cases: [(Params, &str, &str); 3] = [
        (
            &[("scope", "user::me::read mcp:read")],
            "invalid_scope",
            "unknown scope mcp:read",
        ),
        (
            &[("resource", "https://mcp.krisp.ai/mcp")],
            "invalid_target",
            "",
        ),
        (&[("response_type", "token")], "invalid_request", ""),
    ];
    for (extra, error, description) in cases {
        let response = http
            .get(authorize_url(base, &client, extra))
            .send()
            .await
            .expect("authorize");
        let query = redirect_query(&response);
        let got: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(got, ["error", "error_description", "state"], "{extra:?}");
        assert_eq!(query[0].1, error);
        if !description.is_empty() {
            assert_eq!(query[1].1, description);
        }
        assert_eq!(query[2].1, "xyz");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_consent_page_posts_allow_or_deny() {
    let sandbox = start(SandboxArgs::default()).await;
    let http = http();
    let base = sandbox.base_url();
    let client = register(&http, base).await;

    let consent_id = async |scope: &str| {
        let response = http
            .get(authorize_url(base, &client, &[("scope", scope)]))
            .send()
            .await
            .expect("authorize");
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.expect("html");
        assert!(
            page.contains("Signed in as <strong>Maya Okafor</strong>"),
            "{page}"
        );
        assert!(page.contains("<strong>endpoint tests</strong> wants to access"));
        assert!(page.contains("<li><code>user::meetings::list</code></li>"));
        assert!(page.contains("method=\"post\" action=\"/platform/v1/oauth2/authorize\""));
        let start = page
            .find("name=\"request_id\" value=\"")
            .expect("request id")
            + 25;
        let end = start + page[start..].find('"').expect("end quote");
        page[start..end].to_owned()
    };

    let denied = consent_id("user::meetings::list").await;
    let response = http
        .post(format!("{base}/platform/v1/oauth2/authorize"))
        .form(&[("request_id", denied.as_str()), ("decision", "deny")])
        .send()
        .await
        .expect("deny");
    assert_eq!(
        redirect_query(&response),
        pairs(&[
            ("error", "access_denied"),
            ("error_description", "The user denied access."),
            ("state", "xyz")
        ])
    );

    let allowed = consent_id("user::meetings::list user::me::read").await;
    let response = http
        .post(format!("{base}/platform/v1/oauth2/authorize"))
        .form(&[("request_id", allowed.as_str()), ("decision", "allow")])
        .send()
        .await
        .expect("allow");
    let query = redirect_query(&response);
    assert_eq!(query[0].0, "code");
    let tokens = exchange(&http, base, &client, &query[0].1).await;
    assert_eq!(tokens["scope"], "user::meetings::list user::me::read");

    // A consent answer counts once.
    let again = http
        .post(format!("{base}/platform/v1/oauth2/authorize"))
        .form(&[("request_id", allowed.as_str()), ("decision", "allow")])
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_token_endpoint_refuses_what_it_should() {
    let sandbox = start(auto()).await;
    let http = http();
    let base = sandbox.base_url();
    let client = register(&http, base).await;
    let token_url = format!("{base}/platform/v1/oauth2/token");

    // Missing client auth and a wrong secret: 401 invalid_client.
    let code1 = code(&http, base, &client).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code1.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let response = http
        .post(&token_url)
        .form(&form)
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[WWW_AUTHENTICATE],
        "Basic realm=\"krisp-sandbox\""
    );
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({"error": "invalid_client", "error_description": "client authentication is required"})
    );
    let wrong = Registered {
        id: client.id.clone(),
        secret: "wrong".into(),
    };
    assert_eq!(
        token_request(&http, base, &wrong, &form).await,
        (
            StatusCode::UNAUTHORIZED,
            json!({"error": "invalid_client", "error_description": "client authentication failed"})
        )
    );

    // Wrong verifier, wrong redirect URI: invalid_grant (and the code survives both).
    let mut bad = form;
    bad[3] = (
        "code_verifier",
        "a-verifier-that-does-not-hash-to-the-challenge-xx",
    );
    assert_eq!(
        token_request(&http, base, &client, &bad).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "PKCE verification failed"})
        )
    );
    let mut bad = form;
    bad[2] = ("redirect_uri", "http://127.0.0.1:53682/other");
    assert_eq!(
        token_request(&http, base, &client, &bad).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "redirect_uri does not match the authorization request"})
        )
    );

    // client_secret_post works too.
    let mut posted = form.to_vec();
    posted.push(("client_id", &client.id));
    posted.push(("client_secret", &client.secret));
    let response = http
        .post(&token_url)
        .form(&posted)
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: Value = response.json().await.expect("json");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], SCOPES.join(" "));
    let access = tokens["access_token"].as_str().expect("access");

    // Reusing the code: invalid_grant, and the tokens it gave are revoked.
    assert_eq!(
        token_request(&http, base, &client, &form).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "authorization code already used; tokens issued from it are revoked"})
        )
    );
    assert_eq!(
        introspect(&http, base, &client, access).await,
        json!({"active": false})
    );

    assert_eq!(
        token_request(&http, base, &client, &[("grant_type", "password")]).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type", "error_description": "grant_type must be authorization_code or refresh_token"})
        )
    );
    assert_eq!(
        token_request(
            &http,
            base,
            &client,
            &[("grant_type", "authorization_code")]
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "code is required"})
        )
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replay_revokes_the_family() {
    let sandbox = start(auto()).await;
    let http = http();
    let base = sandbox.base_url();
    let first = login(&http, base).await;
    let refresh = |token: String| {
        let http = &http;
        let client = &first.client;
        async move {
            token_request(
                http,
                base,
                client,
                &[("grant_type", "refresh_token"), ("refresh_token", &token)],
            )
            .await
        }
    };
    let (status, second) = refresh(first.refresh.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let second_access = second["access_token"].as_str().expect("access").to_owned();
    let second_refresh = second["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(second_refresh, first.refresh);
    assert_eq!(
        introspect(&http, base, &first.client, &second_access).await["active"],
        true
    );

    assert_eq!(
        refresh(first.refresh.clone()).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "refresh token already used; the whole grant is revoked, log in again"})
        )
    );
    assert_eq!(
        introspect(&http, base, &first.client, &second_access).await,
        json!({"active": false})
    );
    assert_eq!(
        refresh(second_refresh).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "refresh token revoked"})
        )
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn access_tokens_expire_after_access_ttl_on_the_sandbox_clock() {
    let sandbox = start(SandboxArgs {
        access_ttl: 1,
        ..auto()
    })
    .await;
    let http = http();
    let base = sandbox.base_url();
    let login = login(&http, base).await;
    let active = introspect(&http, base, &login.client, &login.access).await;
    let iat = active["iat"].as_i64().expect("iat");
    assert_eq!(
        active,
        json!({
            "active": true,
            "token_type": "Bearer",
            "client_id": login.client.id,
            "scope": SCOPES.join(" "),
            "iat": iat,
            "exp": iat + 1,
            "sub": "sandbox-user",
            "aud": sandbox.mcp_url(),
            "iss": base,
        })
    );
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let ok = mcp_post(&http, &sandbox, &login.access, &list)
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), StatusCode::OK);

    sandbox.clock().advance(Duration::from_secs(1));
    assert_eq!(
        introspect(&http, base, &login.client, &login.access).await,
        json!({"active": false})
    );
    let refused = mcp_post(&http, &sandbox, &login.access, &list)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // The refresh token outlives the access token.
    let (status, _) = token_request(
        &http,
        base,
        &login.client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &login.refresh),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn revocation_ends_the_grant_at_once() {
    let sandbox = start(auto()).await;
    let http = http();
    let base = sandbox.base_url();
    let login = login(&http, base).await;
    let response = http
        .post(format!("{base}/platform/v1/oauth2/revoke"))
        .basic_auth(&login.client.id, Some(&login.client.secret))
        .form(&[
            ("token", login.refresh.as_str()),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        introspect(&http, base, &login.client, &login.access).await,
        json!({"active": false})
    );
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let refused = mcp_post(&http, &sandbox, &login.access, &list)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let unauthenticated = http
        .post(format!("{base}/platform/v1/oauth2/revoke"))
        .form(&[("token", "whatever")])
        .send()
        .await
        .expect("revoke");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    sandbox.shutdown().await;
}

async fn initialize(http: &reqwest::Client, sandbox: &Sandbox, token: &str) -> (String, Value) {
    let response = mcp_post(
        http,
        sandbox,
        token,
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-03-26",
            "capabilities": {},
            "clientInfo": {"name": "sandbox-tests", "version": "0"}
        }}),
    )
    .send()
    .await
    .expect("initialize");
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    (session, message(response).await)
}

async fn full_dance_and_every_tool(json_responses: bool) {
    let sandbox = start(SandboxArgs {
        json_responses,
        ..auto()
    })
    .await;
    let http = http();
    let login = login(&http, sandbox.base_url()).await;
    let (session, init) = initialize(&http, &sandbox, &login.access).await;
    assert_eq!(session.len(), 32);
    assert_eq!(init["result"]["protocolVersion"], "2025-03-26");
    assert_eq!(init["result"]["serverInfo"]["name"], "krisp-sandbox");
    assert!(init["result"]["capabilities"]["tools"].is_object());

    let initialized = mcp_post(
        &http,
        &sandbox,
        &login.access,
        &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .header("mcp-session-id", &session)
    .send()
    .await
    .expect("initialized");
    assert_eq!(initialized.status(), StatusCode::ACCEPTED);

    let list = mcp_post(
        &http,
        &sandbox,
        &login.access,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .header("mcp-session-id", &session)
    .send()
    .await
    .expect("tools/list");
    let list = message(list).await;
    // The captured tools/list (KRISP.md §3), kept beside the sandbox with the prefix stripped.
    let captured: Value = serde_json::from_str(include_str!(
        "../../crates/krisp-sandbox/src/krisp-tools.json"
    ))
    .expect("captured tools");
    let expected: Vec<Value> = captured["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|tool| {
            json!({
                "name": tool["name"],
                "description": tool["description"],
                "inputSchema": tool["inputSchema"],
            })
        })
        .collect();
    assert_eq!(list["result"]["tools"], Value::Array(expected));

    // Every tool, sessionless (Krisp tolerates that).
    let search = structured(
        &http,
        &sandbox,
        &login.access,
        "search_meetings",
        json!({"search": "roadmap", "fields": ["name", "date"]}),
    )
    .await;
    assert!(ids(&search).contains(&ROADMAP_ID.to_owned()), "{search}");
    let docs = structured(
        &http,
        &sandbox,
        &login.access,
        "get_multiple_documents",
        json!({"ids": [ROADMAP_ID]}),
    )
    .await;
    let document = docs["results"][0]["document"].as_str().expect("document");
    // Links are Krisp's, whatever port the sandbox runs on.
    assert!(document.starts_with(&format!(
        "[Download recording](https://app.krisp.ai/t/{ROADMAP_ID}/recording)\n"
    )));
    assert!(document.contains("\n### Key Points\n"));
    assert!(document.contains("| 00:00**\n"));
    let legacy = call(
        &http,
        &sandbox,
        &login.access,
        "get_document",
        json!({"documentId": ROADMAP_ID}),
    )
    .await;
    let text = legacy["content"][0]["text"].as_str().expect("text");
    assert_eq!(
        text,
        format!("Retrieved document {ROADMAP_ID}\n\n{document}")
    );
    let items = structured(
        &http,
        &sandbox,
        &login.access,
        "list_action_items",
        json!({"limit": 3}),
    )
    .await;
    assert_eq!(items["count"], 3);
    assert_eq!(items["criteria"], json!({"limit": 3}));
    let item = &items["action_items"][0];
    for key in [
        "title",
        "assignee",
        "completed",
        "meeting_id",
        "meeting_name",
        "meeting_date",
    ] {
        assert!(item.get(key).is_some(), "{key} in {item}");
    }
    assert!(
        !item["title"]
            .as_str()
            .expect("title")
            .contains("{{Speaker_")
    );
    let activities = structured(
        &http,
        &sandbox,
        &login.access,
        "list_activities",
        json!({"limit": 1}),
    )
    .await;
    assert_eq!(activities["count"], 1);
    let upcoming = structured(
        &http,
        &sandbox,
        &login.access,
        "list_upcoming_meetings",
        json!({"days": 14}),
    )
    .await;
    assert!(
        upcoming["count"].as_u64().expect("count") >= 1,
        "{upcoming}"
    );
    let agenda_id = upcoming["meetings"][0]["agenda_id"]
        .as_str()
        .expect("agenda id");
    let agenda = structured(
        &http,
        &sandbox,
        &login.access,
        "get_document",
        json!({"documentId": agenda_id}),
    )
    .await;
    assert!(
        agenda["document"]
            .as_str()
            .expect("agenda")
            .starts_with("# Agenda: ")
    );
    let now = structured(&http, &sandbox, &login.access, "date_time", json!({})).await;
    assert_eq!(
        now,
        json!({"now": "2026-11-27T09:00:00Z", "date": "2026-11-27", "time": "09:00:00",
            "weekday": "Friday", "timezone": "UTC", "account_timezone": "Europe/Berlin"})
    );
    let range = structured(
        &http,
        &sandbox,
        &login.access,
        "date_time",
        json!({"start_date": "30/12/2025", "end_date": "2026-01-01"}),
    )
    .await;
    assert_eq!(
        range,
        json!({"start_date": "2025-12-30", "end_date": "2026-01-01", "count": 3, "dates": [
            {"date": "2025-12-30", "weekday": "Tuesday"},
            {"date": "2025-12-31", "weekday": "Wednesday"},
            {"date": "2026-01-01", "weekday": "Thursday"}]})
    );

    // Sessions: unknown ids are 404, DELETE ends one.
    let list_body = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let stale = mcp_post(&http, &sandbox, &login.access, &list_body)
        .header("mcp-session-id", "0123456789abcdef0123456789abcdef")
        .send()
        .await
        .expect("stale");
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    let deleted = http
        .delete(sandbox.mcp_url())
        .bearer_auth(&login.access)
        .header("mcp-session-id", &session)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::OK);
    let gone = mcp_post(&http, &sandbox, &login.access, &list_body)
        .header("mcp-session-id", &session)
        .send()
        .await
        .expect("gone");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_full_dance_and_every_tool_over_sse() {
    full_dance_and_every_tool(false).await;
}

#[tokio::test]
async fn the_full_dance_and_every_tool_over_plain_json() {
    full_dance_and_every_tool(true).await;
}

#[tokio::test]
async fn search_semantics_match_krisps() {
    let sandbox = start(auto()).await;
    let http = http();
    let token = login(&http, sandbox.base_url()).await.access;
    let search = async |arguments: Value| {
        structured(&http, &sandbox, &token, "search_meetings", arguments).await
    };

    // An id lookup with a few fields: the whole value.
    let one =
        search(json!({"id": ROADMAP_ID, "fields": ["name", "date", "url", "is_recurring"]})).await;
    assert_eq!(
        one,
        json!({
            "criteria": {"id": ROADMAP_ID, "fields": ["name", "date", "url", "is_recurring"], "limit": 10},
            "count": 1,
            "meetings": [{
                "meeting_id": ROADMAP_ID,
                "name": "Q4 roadmap review",
                "date": "2026-10-06T12:00:00Z",
                "url": format!("https://app.krisp.ai/t/{ROADMAP_ID}"),
                "is_recurring": false,
            }]
        })
    );
    // Notes fields asked one by one come at the top level; meeting_notes groups them.
    let notes = search(json!({"id": [ROADMAP_ID], "fields": ["key_points"]})).await;
    let meeting = notes["meetings"][0].as_object().expect("meeting");
    assert_eq!(
        meeting.keys().collect::<Vec<_>>(),
        ["meeting_id", "key_points"]
    );
    let all = search(json!({"id": [ROADMAP_ID]})).await;
    let meeting = &all["meetings"][0];
    assert_eq!(
        meeting["meeting_notes"]["key_points"],
        notes["meetings"][0]["key_points"]
    );
    assert_eq!(
        meeting["transcript"],
        json!({"document_id": ROADMAP_ID, "available": true})
    );
    assert!(meeting.get("key_points").is_none());

    // Text search is case-insensitive and reaches transcripts.
    let lower = ids(&search(json!({"search": "roadmap", "limit": 50})).await);
    let upper = ids(&search(json!({"search": "ROADMAP", "limit": 50})).await);
    assert_eq!(lower, upper);
    assert!(lower.contains(&ROADMAP_ID.to_owned()));
    let nothing = call(
        &http,
        &sandbox,
        &token,
        "search_meetings",
        json!({"search": "zzqxj-nothing"}),
    )
    .await;
    assert_eq!(nothing["structuredContent"]["count"], 0);
    assert_eq!(
        nothing["content"],
        json!([{"type": "text", "text": "No meetings found."}])
    );

    // Expected answers computed from the demo data itself, newest first.
    let expect = |keep: &dyn Fn(&Value) -> bool| -> Vec<String> {
        let mut kept: Vec<Value> = demo_meetings().into_iter().filter(|m| keep(m)).collect();
        let key = |m: &Value| {
            (
                m["date"].as_str().map(str::to_owned),
                m["id"].as_str().map(str::to_owned),
            )
        };
        kept.sort_by(|a, b| {
            key(b)
                .0
                .cmp(&key(a).0)
                .then_with(|| key(a).1.cmp(&key(b).1))
        });
        kept.iter()
            .map(|m| m["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let date = |m: &Value| m["date"].as_str().expect("date").to_owned();

    // before is exclusive of its day, after inclusive.
    let before = ids(&search(json!({"before": "2026-10-06", "limit": 50})).await);
    assert_eq!(before, expect(&|m| date(m).as_str() < "2026-10-06"));
    let before_next = ids(&search(json!({"before": "2026-10-07", "limit": 50})).await);
    assert_eq!(before_next, expect(&|m| date(m).as_str() < "2026-10-07"));
    assert!(before_next.contains(&ROADMAP_ID.to_owned()));
    let on_the_day = ids(&search(json!({"after": "2026-10-06", "before": "2026-10-07"})).await);
    assert_eq!(on_the_day, expect(&|m| date(m).starts_with("2026-10-06")));

    // Newest first; offset/limit page through the same order.
    let everything = ids(&search(json!({"limit": 50, "fields": ["date"]})).await);
    assert_eq!(everything, expect(&|_| true));
    let page1 = ids(&search(json!({"limit": 3})).await);
    let page2 = ids(&search(json!({"limit": 3, "offset": 3})).await);
    assert_eq!([page1, page2].concat(), everything[..6]);

    // Tags (any of, case-insensitive) and participant domains (any attendee's email domain).
    let tagged = ids(&search(json!({"tags": ["Standup", "ALL-HANDS"], "limit": 50})).await);
    assert_eq!(
        tagged,
        expect(&|m| m["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t == "standup" || t == "all-hands"))
    );
    let internal =
        ids(&search(json!({"participant_domains": ["northwindlabs.io"], "limit": 50})).await);
    assert_eq!(
        internal,
        expect(&|m| m["attendees"]
            .as_array()
            .expect("attendees")
            .iter()
            .any(|a| {
                a["email"]
                    .as_str()
                    .is_some_and(|e| e.ends_with("@northwindlabs.io"))
            }))
    );
    let foreign = search(json!({"participant_domains": ["nowhere.example"]})).await;
    assert_eq!(foreign["count"], 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn invalid_arguments_are_tool_errors_with_a_clear_message() {
    let sandbox = start(auto()).await;
    let http = http();
    let token = login(&http, sandbox.base_url()).await.access;
    let cases = [
        (
            "search_meetings",
            json!({"search": "ab"}),
            "Invalid arguments for search_meetings: \"search\" must be at least 3 characters long (got 2)",
        ),
        (
            "search_meetings",
            json!({"after": "last tuesday"}),
            "Invalid arguments for search_meetings: \"after\" must be an ISO 8601 date such as 2026-01-15, not \"last tuesday\"",
        ),
        (
            "get_document",
            json!({"documentId": "XYZ"}),
            "Invalid arguments for get_document: \"documentId\" must be at least 32 characters long (got 3)",
        ),
        (
            "get_document",
            json!({"documentId": "0123456789abcdef0123456789abcdef"}),
            "Document 0123456789abcdef0123456789abcdef not found",
        ),
        (
            "get_multiple_documents",
            json!({"ids": []}),
            "Invalid arguments for get_multiple_documents: \"ids\" must have at least 1 items (got 0)",
        ),
        (
            "list_upcoming_meetings",
            json!({"days": 15}),
            "Invalid arguments for list_upcoming_meetings: \"days\" must be at most 14 (got 15)",
        ),
        (
            "date_time",
            json!({"start_date": "2026-01-01"}),
            "Invalid arguments for date_time: \"start_date\" and \"end_date\" must be given together",
        ),
    ];
    for (tool, arguments, text) in cases {
        let result = call(&http, &sandbox, &token, tool, arguments).await;
        assert_eq!(
            result,
            json!({"content": [{"type": "text", "text": text}], "isError": true}),
            "{tool}"
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn hostile_data_carries_escapes_and_megabyte_lines() {
    let sandbox = start(SandboxArgs {
        hostile: true,
        ..auto()
    })
    .await;
    let http = http();
    let token = login(&http, sandbox.base_url()).await.access;
    let found = structured(
        &http,
        &sandbox,
        &token,
        "search_meetings",
        json!({"limit": 2}),
    )
    .await;
    let name = found["meetings"][0]["name"].as_str().expect("name");
    assert_eq!(
        name,
        "\u{1b}[31mURGENT\u{1b}[0m budget review \u{1b}]0;you have been pwned\u{7}\u{202e}txt.exe\u{202c}"
    );
    let summary = found["meetings"][0]["meeting_notes"]["detailed_summary"]
        .as_str()
        .expect("summary");
    assert!(summary.lines().any(|line| line.len() >= 1 << 20));
    let odd = &found["meetings"][1];
    assert_eq!(odd["is_recurring"], "yes");
    assert_eq!(odd["speakers"], "Odd Person");
    assert_eq!(odd["attendees"][0], 42);
    let id = found["meetings"][0]["meeting_id"].as_str().expect("id");
    let docs = structured(
        &http,
        &sandbox,
        &token,
        "get_multiple_documents",
        json!({"ids": [id]}),
    )
    .await;
    let document = docs["results"][0]["document"].as_str().expect("document");
    assert!(document.contains("\u{1b}]8;;https://evil.example/\u{1b}\\click me"));
    assert!(document.lines().any(|line| line.len() == 1 << 20));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn transient_401_refuses_the_first_uses_of_a_new_token() {
    let sandbox = start(SandboxArgs {
        transient_401: 2,
        ..auto()
    })
    .await;
    let http = http();
    let token = login(&http, sandbox.base_url()).await.access;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = mcp_post(&http, &sandbox, &token, &list)
            .send()
            .await
            .expect("post");
        statuses.push(response.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::OK
        ]
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn faults_rate_limit_fail_and_drop_sessions() {
    let http = http();

    let limited = start(SandboxArgs {
        rate_limit: Some(2),
        ..auto()
    })
    .await;
    let token = login(&http, limited.base_url()).await.access;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    // Requests go out back to back; whichever one-second window they fall in, the third
    // request of a window is refused, so ten requests must meet a 429 (unless each took
    // longer than half a second, which loopback does not).
    let mut refused = None;
    for _ in 0..10 {
        let response = mcp_post(&http, &limited, &token, &list)
            .send()
            .await
            .expect("post");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = refused.expect("a 429 within ten requests");
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(refused.text().await.expect("text"), "Too Many Requests");
    limited.shutdown().await;

    let failing = start(SandboxArgs {
        fail_rate: 1.0,
        ..auto()
    })
    .await;
    let token = login(&http, failing.base_url()).await.access;
    let response = mcp_post(&http, &failing, &token, &list)
        .send()
        .await
        .expect("post");
    assert!(
        [500, 502, 503].contains(&response.status().as_u16()),
        "{}",
        response.status()
    );
    assert_eq!(
        response.text().await.expect("text"),
        "simulated failure (--fail-rate)"
    );
    failing.shutdown().await;

    let dropping = start(SandboxArgs {
        drop_sessions: true,
        ..auto()
    })
    .await;
    let token = login(&http, dropping.base_url()).await.access;
    let (session, _) = initialize(&http, &dropping, &token).await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let response = mcp_post(&http, &dropping, &token, &list)
            .header("mcp-session-id", &session)
            .send()
            .await
            .expect("post");
        statuses.push(response.status());
        if response.status() == StatusCode::NOT_FOUND {
            break;
        }
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::NOT_FOUND),
        "{statuses:?}"
    );
    assert!(
        statuses[..statuses.len() - 1]
            .iter()
            .all(|s| *s == StatusCode::OK)
    );
    // Forgotten for good.
    let again = mcp_post(&http, &dropping, &token, &list)
        .header("mcp-session-id", &session)
        .send()
        .await
        .expect("post");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    dropping.shutdown().await;
}

#[tokio::test]
async fn generated_meetings_are_deterministic_and_searchable() {
    let http = http();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let sandbox = start(SandboxArgs {
            meetings: Some(500),
            seed: 42,
            ..auto()
        })
        .await;
        let token = login(&http, sandbox.base_url()).await.access;
        let page = structured(
            &http,
            &sandbox,
            &token,
            "search_meetings",
            json!({"search": "pricing", "limit": 50, "fields": ["name"]}),
        )
        .await;
        assert_eq!(page["count"], 50);
        let first = ids(&page)[0].clone();
        let docs = structured(
            &http,
            &sandbox,
            &token,
            "get_multiple_documents",
            json!({"ids": [first]}),
        )
        .await;
        let document = docs["results"][0]["document"]
            .as_str()
            .expect("document")
            .replace(sandbox.base_url(), "BASE");
        assert!(document.to_lowercase().contains("pricing"), "{document}");
        seen.push((ids(&page), document));
        sandbox.shutdown().await;
    }
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test]
async fn remote_addresses_need_allow_remote() {
    let refused = Sandbox::start(SandboxArgs {
        addr: "0.0.0.0:0".parse().expect("addr"),
        ..SandboxArgs::default()
    })
    .await;
    let error = refused.err().expect("refused").to_string();
    assert!(error.contains("--allow-remote"), "{error}");
}

/// rmcp's own Streamable HTTP client (what krisp-tui's client is built on) against the sandbox.
async fn rmcp_client_round_trip(json_responses: bool) {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

    let sandbox = start(SandboxArgs {
        json_responses,
        ..auto()
    })
    .await;
    let token = login(&http(), sandbox.base_url()).await.access;
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(sandbox.mcp_url()).auth_header(token),
    );
    let client = ().serve(transport).await.expect("initialize");
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "date_time",
            "get_document",
            "get_multiple_documents",
            "list_action_items",
            "list_activities",
            "list_upcoming_meetings",
            "search_meetings"
        ]
    );
    let arguments = json!({"id": ROADMAP_ID, "fields": ["name"]});
    let result = client
        .call_tool(
            CallToolRequestParams::new("search_meetings")
                .with_arguments(arguments.as_object().expect("object").clone()),
        )
        .await
        .expect("tools/call");
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        result.structured_content,
        Some(json!({
            "criteria": {"id": ROADMAP_ID, "fields": ["name"], "limit": 10},
            "count": 1,
            "meetings": [{"meeting_id": ROADMAP_ID, "name": "Q4 roadmap review"}],
        }))
    );
    client.cancel().await.expect("close");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn rmcp_client_works_over_sse() {
    rmcp_client_round_trip(false).await;
}

#[tokio::test]
async fn rmcp_client_works_over_plain_json() {
    rmcp_client_round_trip(true).await;
}

#[tokio::test]
async fn documents_follow_krisps_markdown() {
    let sandbox = start(auto()).await;
    let http = http();
    let token = login(&http, sandbox.base_url()).await.access;
    let meetings = demo_meetings();
    let id_of = |m: &Value| m["id"].as_str().expect("id").to_owned();

    let processing = meetings
        .iter()
        .find(|m| m["processing"] == true)
        .map(id_of)
        .expect("a processing meeting");
    let docs = structured(
        &http,
        &sandbox,
        &token,
        "get_multiple_documents",
        json!({"ids": [processing]}),
    )
    .await;
    assert_eq!(
        docs,
        json!({"results": [{"id": processing, "document": null}]})
    );
    let legacy = call(
        &http,
        &sandbox,
        &token,
        "get_document",
        json!({"documentId": processing}),
    )
    .await;
    assert_eq!(
        legacy["content"][0]["text"],
        format!("Retrieved document {processing}\n")
    );

    let longest = meetings
        .iter()
        .max_by_key(|m| m["duration_s"].as_u64())
        .expect("meetings");
    let document = structured(
        &http,
        &sandbox,
        &token,
        "get_document",
        json!({"documentId": id_of(longest)}),
    )
    .await;
    let document = document["document"].as_str().expect("document");
    let turns: Vec<&str> = document
        .lines()
        .filter(|l| l.starts_with("**") && l.ends_with("**") && l.contains(" | "))
        .collect();
    assert_eq!(
        turns.len(),
        longest["transcript"].as_array().expect("turns").len()
    );
    let last = &longest["transcript"]
        .as_array()
        .expect("turns")
        .last()
        .cloned()
        .expect("a turn");
    assert_eq!(
        turns.last().copied(),
        Some(
            format!(
                "**{} | {}**",
                last["speaker"].as_str().expect("speaker"),
                last["start"].as_str().expect("start")
            )
            .as_str()
        )
    );

    // Every transcript heading form turns up across the demo documents.
    let ready: Vec<String> = meetings
        .iter()
        .filter(|m| m["processing"] == false)
        .map(id_of)
        .collect();
    let mut headings = std::collections::BTreeSet::new();
    for chunk in ready.chunks(10) {
        let docs = structured(
            &http,
            &sandbox,
            &token,
            "get_multiple_documents",
            json!({"ids": chunk}),
        )
        .await;
        for result in docs["results"].as_array().expect("results") {
            let document = result["document"].as_str().expect("document");
            let before_first_turn = &document[..document.find("\n**").expect("a turn")];
            let heading = before_first_turn
                .lines()
                .rev()
                .find(|l| !l.is_empty())
                .filter(|l| l.contains("Transcript"))
                .unwrap_or("(none)")
                .to_owned();
            headings.insert(heading);
        }
    }
    assert_eq!(
        headings.into_iter().collect::<Vec<_>>(),
        [
            "## Transcript",
            "## Transcript 1",
            "### Transcript",
            "(none)"
        ]
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn max_concurrent_refuses_the_call_beyond_the_limit_until_others_finish() {
    let http = http();
    // Every call waits 800 ms in the server holding its slot, so three calls sent together
    // overlap: two run and the third is refused, whichever of them arrives last.
    let sandbox = start(SandboxArgs {
        max_concurrent: Some(2),
        latency_ms: 800,
        ..auto()
    })
    .await;
    let token = login(&http, sandbox.base_url()).await.access;
    let args = || json!({"id": ROADMAP_ID, "fields": ["name"]});
    let (a, b, c) = tokio::join!(
        call(&http, &sandbox, &token, "search_meetings", args()),
        call(&http, &sandbox, &token, "search_meetings", args()),
        call(&http, &sandbox, &token, "search_meetings", args()),
    );
    let (refused, served): (Vec<Value>, Vec<Value>) =
        [a, b, c].into_iter().partition(|r| r["isError"] == true);
    let text =
        "TOO_MANY_REQUESTS: too many concurrent requests (limit 2); retry after blocked_seconds=1";
    assert_eq!(
        refused,
        [json!({
            "content": [{"type": "text", "text": text}],
            "structuredContent": {
                "error": "TOO_MANY_REQUESTS",
                "message": text,
                "blocked_seconds": 1,
            },
            "isError": true,
        })]
    );
    assert_eq!(served.len(), 2);
    for result in &served {
        assert_eq!(result["structuredContent"]["count"], 1, "{result}");
    }
    // All slots were given back: the next two calls together both succeed, and other methods
    // are not counted.
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let (d, e, listed) = tokio::join!(
        call(&http, &sandbox, &token, "search_meetings", args()),
        call(&http, &sandbox, &token, "search_meetings", args()),
        async { mcp_post(&http, &sandbox, &token, &list).send().await },
    );
    assert_eq!([&d["isError"], &e["isError"]], [false, false]);
    let listed = message(listed.expect("tools/list")).await;
    assert!(listed["result"]["tools"].is_array(), "{listed}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn rare_tokens_and_the_phrase_are_found_in_exactly_their_meetings() {
    use krisp_tui::sandbox::generated::{self, RareKind};
    let (count, seed) = (200, 5);
    let http = http();
    let sandbox = start(SandboxArgs {
        meetings: Some(count),
        seed,
        ..auto()
    })
    .await;
    let token = login(&http, sandbox.base_url()).await.access;
    let mut all = Vec::new();
    for offset in (0..count).step_by(50) {
        let page = structured(
            &http,
            &sandbox,
            &token,
            "search_meetings",
            json!({"limit": 50, "offset": offset, "fields": ["name"]}),
        )
        .await;
        all.extend(ids(&page));
    }
    assert_eq!(all.len(), count);
    let search = async |text: &str| -> Vec<String> {
        let page = structured(
            &http,
            &sandbox,
            &token,
            "search_meetings",
            json!({"search": text, "limit": 50, "fields": ["name"]}),
        )
        .await;
        ids(&page)
    };
    let tokens = generated::rare_tokens(count, seed);
    let company = tokens
        .iter()
        .find(|t| t.kind == RareKind::Company)
        .expect("a company");
    let ticket = tokens
        .iter()
        .find(|t| t.kind == RareKind::Ticket)
        .expect("a ticket");
    for rare in [company, ticket] {
        let mut meetings = rare.meetings.clone();
        meetings.sort_unstable();
        let expected: Vec<String> = meetings.iter().map(|&i| all[i].clone()).collect();
        assert_eq!(search(&rare.token).await, expected, "{rare:?}");
    }
    let phrase: Vec<String> = generated::phrase_meetings(count, seed)
        .iter()
        .map(|&i| all[i].clone())
        .collect();
    assert_eq!(search(generated::PHRASE).await, phrase);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn processing_meetings_become_ready_after_n_document_requests() {
    use krisp_tui::sandbox::generated;
    let http = http();
    let sandbox = start(SandboxArgs {
        meetings: Some(20),
        ready_after: Some(2),
        ..auto()
    })
    .await;
    let token = login(&http, sandbox.base_url()).await.access;
    assert_eq!(generated::processing_meetings(20, 1).first(), Some(&1));
    let newest = structured(
        &http,
        &sandbox,
        &token,
        "search_meetings",
        json!({"limit": 2, "fields": ["transcript", "key_points"]}),
    )
    .await;
    let id = ids(&newest)[1].clone();
    let notes = |search: &Value| search["meetings"][1].clone();
    assert_eq!(
        notes(&newest),
        json!({"meeting_id": id, "key_points": [],
               "transcript": {"document_id": id, "available": false}})
    );
    let fetch = async || {
        structured(
            &http,
            &sandbox,
            &token,
            "get_multiple_documents",
            json!({"ids": [id]}),
        )
        .await["results"][0]["document"]
            .clone()
    };
    assert_eq!(fetch().await, Value::Null);
    assert_eq!(fetch().await, Value::Null);
    let document = fetch().await;
    let document = document.as_str().expect("ready on the third request");
    assert!(document.contains("### Key Points"), "{document}");
    assert!(document.contains(" | 00:00**"), "{document}");
    let later = structured(
        &http,
        &sandbox,
        &token,
        "search_meetings",
        json!({"limit": 2, "fields": ["transcript", "key_points"]}),
    )
    .await;
    assert_eq!(
        notes(&later)["transcript"],
        json!({"document_id": id, "available": true})
    );
    assert!(
        !notes(&later)["key_points"]
            .as_array()
            .expect("points")
            .is_empty()
    );
    sandbox.shutdown().await;
}
