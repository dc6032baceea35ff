//! `krisp-tui mcp --http 127.0.0.1:PORT`: the same server over Streamable HTTP, on loopback only,
//! behind a bearer token, with `Host` and `Origin` checked against DNS rebinding (by rmcp).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use sha2::{Digest, Sha256};

use super::LocalServer;
use crate::library::Library;

/// Largest reply body passed through the sanitizer (a tool result is at most 40,000 bytes).
const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;

/// `--http`'s address: `127.0.0.1:PORT`, `[::1]:PORT` or `localhost:PORT`; anything that is not
/// loopback is refused with a sentence.
pub fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    let addr = match text.strip_prefix("localhost:") {
        Some(port) => port
            .parse::<u16>()
            .map(|p| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p))
            .map_err(|_| format!("--http {text:?}: {port:?} is not a port number.")),
        None => text
            .parse::<SocketAddr>()
            .map_err(|_| format!("--http {text:?} is not an address; write 127.0.0.1:PORT.")),
    }?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "--http {text}: krisp-tui serves MCP over HTTP on loopback only (127.0.0.1 or [::1]), \
             so that no other machine can read your meetings."
        ));
    }
    Ok(addr)
}

/// The bearer token: the first line of `--token-file`, or a fresh random one.
pub fn token(file: Option<&std::path::Path>) -> Result<String, String> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--token-file {}: {e}", path.display()))?;
            let token = text.lines().next().unwrap_or("").trim().to_owned();
            if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!(
                    "--token-file {}: its first line must be a token of at least 16 printable characters.",
                    path.display()
                ));
            }
            Ok(token)
        }
        None => {
            let bytes: [u8; 32] = rand::random();
            Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
        }
    }
}

/// The digest of the expected token: compared digest to digest, so the comparison's time says
/// nothing about the token.
#[derive(Clone)]
struct Gate(Arc<[u8; 32]>);

async fn gate(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| Sha256::digest(token.trim().as_bytes()));
    if given.is_none_or(|d| d.as_slice() != gate.0.as_slice()) {
        let mut response = (
            StatusCode::UNAUTHORIZED,
            "krisp-tui mcp needs the bearer token it printed when it started (or the one in --token-file).\n",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let response = next.run(request).await;
    json_edge(response).await
}

/// The HTTP edge of the sanitizer's JSON policy: each reply body (JSON, or SSE frames of JSON)
/// leaves with C1, bidi and zero-width characters as `\uXXXX` escapes.
async fn json_edge(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_REPLY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the reply was too large\n",
            )
                .into_response();
        }
    };
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = match std::str::from_utf8(&bytes) {
        Ok(text) => Body::from(crate::sanitize::json(text).into_owned()),
        Err(_) => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// Serves until Ctrl-C. `ready` gets the bound address once the socket listens.
pub async fn serve(
    library: Library,
    addr: SocketAddr,
    token: &str,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--http {addr}: cannot listen there: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("--http {addr}: {e}"))?;
    // Loopback names on any port (the socket itself only listens on loopback): what a
    // rebinding page sends is its own name, refused whatever the port.
    let hosts = ["127.0.0.1", "localhost", "::1"];
    let origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"];
    let stop = tokio_util::sync::CancellationToken::new();
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .enforce_origin_validation()
        .with_cancellation_token(stop.child_token());
    let service = StreamableHttpService::new(
        move || Ok(LocalServer::new(library.clone())),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let gate = Gate(Arc::new(Sha256::digest(token.as_bytes()).into()));
    let router = Router::new()
        .route_service("/mcp", service)
        .layer(from_fn_with_state(gate, self::gate));
    ready(bound);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        })
        .await
        .map_err(|e| format!("the HTTP server failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses_are_served() {
        assert_eq!(
            parse_addr("127.0.0.1:8123").unwrap(),
            "127.0.0.1:8123".parse::<SocketAddr>().unwrap()
        );
        assert!(parse_addr("[::1]:0").is_ok());
        assert_eq!(parse_addr("localhost:9").unwrap().port(), 9);
        for far in ["0.0.0.0:8123", "192.168.1.4:80", "[::]:80"] {
            let e = parse_addr(far).unwrap_err();
            assert!(e.contains("loopback only"), "{e}");
        }
        assert!(
            parse_addr("nowhere")
                .unwrap_err()
                .contains("not an address")
        );
    }
}
