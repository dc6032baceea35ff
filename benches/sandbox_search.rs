//! `search_meetings` over loopback HTTP against a sandbox of 10,000 generated meetings, and its start-up.

use std::hint::black_box;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use krisp_tui::sandbox::{Sandbox, SandboxArgs};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const MEETINGS: usize = 10_000;
const REDIRECT: &str = "http://127.0.0.1:53682/callback";

fn args() -> SandboxArgs {
    SandboxArgs {
        auto_approve: true,
        meetings: Some(MEETINGS),
        ..SandboxArgs::default()
    }
}

/// Registers, authorizes (auto-approved) and exchanges the code: a bearer token.
async fn token(http: &reqwest::Client, base: &str) -> String {
    let client: Value = http
        .post(format!("{base}/.well-known/oauth-registration"))
        .json(&json!({"redirect_uris": [REDIRECT]}))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let (id, secret) = (
        client["client_id"].as_str().expect("id"),
        client["client_secret"].as_str().expect("secret"),
    );
    let verifier = "bench-verifier-bench-verifier-bench-verifier";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut authorize =
        url::Url::parse(&format!("{base}/platform/v1/oauth2/authorize")).expect("url");
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let redirect = http.get(authorize).send().await.expect("authorize");
    let location =
        url::Url::parse(redirect.headers()["location"].to_str().expect("ascii")).expect("redirect");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("code")
        .1
        .into_owned();
    let tokens: Value = http
        .post(format!("{base}/platform/v1/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    tokens["access_token"].as_str().expect("access").to_owned()
}

async fn search(http: &reqwest::Client, url: &str, token: &str, arguments: &Value) -> usize {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "search_meetings", "arguments": arguments}});
    let reply = http
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .json(&body)
        .send()
        .await
        .expect("call")
        .text()
        .await
        .expect("body");
    assert!(reply.contains("\"isError\":false"), "{reply}");
    reply.len()
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let sandbox = runtime
        .block_on(Sandbox::start(args()))
        .expect("sandbox starts");
    let token = runtime.block_on(token(&http, sandbox.base_url()));
    let url = sandbox.mcp_url();

    let text = json!({"search": "pricing tiers", "limit": 10});
    c.bench_function("search_meetings text, 10k meetings", |b| {
        b.iter(|| runtime.block_on(search(&http, &url, &token, black_box(&text))))
    });

    // Worst case: nothing matches, so every meeting's text and transcript is scanned.
    let miss = json!({"search": "no meeting says this", "limit": 10});
    c.bench_function("search_meetings text miss, 10k meetings", |b| {
        b.iter(|| runtime.block_on(search(&http, &url, &token, black_box(&miss))))
    });

    // An id from the middle of the data set.
    let middle = runtime.block_on(async {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "search_meetings", "arguments": {"limit": 1, "offset": MEETINGS / 2, "fields": ["name"]}}});
        let reply = http
            .post(&url)
            .bearer_auth(&token)
            .header("accept", "application/json, text/event-stream")
            .json(&body)
            .send()
            .await
            .expect("call")
            .text()
            .await
            .expect("body");
        let start = reply.find("\"meeting_id\":\"").expect("an id") + 14;
        reply[start..start + 32].to_owned()
    });
    let by_id = json!({"id": middle});
    c.bench_function("search_meetings id, 10k meetings", |b| {
        b.iter(|| runtime.block_on(search(&http, &url, &token, black_box(&by_id))))
    });
    runtime.block_on(sandbox.shutdown());

    let mut group = c.benchmark_group("start");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("Sandbox::start, 10k meetings", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let sandbox = Sandbox::start(args()).await.expect("starts");
                sandbox.shutdown().await;
            })
        })
    });
    group.finish();
}

criterion_group!(sandbox_search, benches);
criterion_main!(sandbox_search);
