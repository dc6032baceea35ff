//! The loopback listener that receives the browser's redirect after the user approves access.
//!
//! It binds 127.0.0.1 only, ignores requests that carry neither `code` nor `error` (favicon,
//! prefetches), answers a wrong `state` with an error page and keeps waiting, and stops when
//! dropped.

use std::net::{Ipv4Addr, SocketAddr};

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Html;
use tokio::sync::{mpsc, oneshot};

/// The default port: Krisp matches `redirect_uri` exactly, so a stable port keeps a stored
/// registration usable from one login to the next.
pub const DEFAULT_PORT: u16 = 38976;
pub const CALLBACK_PATH: &str = "/callback";

/// What a redirect (from the browser or pasted by the user) means for the login.
#[derive(Debug, PartialEq, Eq)]
pub enum Redirect {
    /// Carries neither `code` nor `error`: not the redirect we wait for.
    Stray,
    /// `state` does not match the login in progress.
    WrongState,
    /// The authorization server redirected with `error=...`.
    Error {
        error: String,
        description: Option<String>,
    },
    /// A code for this login; the full URL goes to rmcp, which also checks `iss`.
    Code { url: String },
}

/// Classify a redirect URL against the `state` of the login in progress.
pub fn classify(url: &url::Url, expected_state: &str) -> Redirect {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url.query_pairs() {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    if code.is_none() && error.is_none() {
        return Redirect::Stray;
    }
    if state.as_deref() != Some(expected_state) {
        return Redirect::WrongState;
    }
    match (code, error) {
        (_, Some(error)) => Redirect::Error { error, description },
        (Some(_), None) => Redirect::Code {
            url: url.to_string(),
        },
        (None, None) => Redirect::Stray,
    }
}

/// A running listener. Dropping it shuts the server down.
pub struct CallbackServer {
    pub redirect_uri: String,
    pub port: u16,
    _shutdown: oneshot::Sender<()>,
}

#[derive(Clone)]
struct Shared {
    base: String,
    expected_state: std::sync::Arc<std::sync::Mutex<String>>,
    tx: mpsc::Sender<String>,
}

/// Bind 127.0.0.1:`port`, or an ephemeral port when `port` is taken (reported in `port`).
pub async fn bind(port: u16) -> std::io::Result<(tokio::net::TcpListener, u16)> {
    let listener = match tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
        Ok(l) => l,
        Err(e) if port != 0 && e.kind() == std::io::ErrorKind::AddrInUse => {
            tracing::info!(port, "redirect port taken; using an ephemeral port");
            tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?
        }
        Err(e) => return Err(e),
    };
    let port = listener.local_addr()?.port();
    Ok((listener, port))
}

pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{CALLBACK_PATH}")
}

impl CallbackServer {
    /// Serve on `listener`; matching redirects (full URLs) are sent to `tx`. The expected
    /// state is set later with the returned setter, once the authorization URL exists.
    pub fn serve(
        listener: tokio::net::TcpListener,
        tx: mpsc::Sender<String>,
    ) -> std::io::Result<(Self, StateSetter)> {
        let addr: SocketAddr = listener.local_addr()?;
        let expected_state = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let shared = Shared {
            base: format!("http://127.0.0.1:{}", addr.port()),
            expected_state: expected_state.clone(),
            tx,
        };
        let app = axum::Router::new()
            .route(CALLBACK_PATH, axum::routing::get(callback))
            .fallback(|| async { (StatusCode::NOT_FOUND, "Not found") })
            .with_state(shared);
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = shutdown_rx.await;
            });
            if let Err(e) = server.await {
                tracing::warn!(error = %e, "login callback listener stopped");
            }
        });
        Ok((
            Self {
                redirect_uri: redirect_uri(addr.port()),
                port: addr.port(),
                _shutdown: shutdown_tx,
            },
            StateSetter(expected_state),
        ))
    }
}

/// Sets the `state` the listener accepts.
pub struct StateSetter(std::sync::Arc<std::sync::Mutex<String>>);

impl StateSetter {
    pub fn set(&self, state: &str) {
        if let Ok(mut s) = self.0.lock() {
            *s = state.to_string();
        }
    }
}

async fn callback(
    State(shared): State<Shared>,
    uri: Uri,
    Query(_): Query<Vec<(String, String)>>,
) -> (StatusCode, Html<String>) {
    let full = format!("{}{}", shared.base, uri);
    let Ok(url) = url::Url::parse(&full) else {
        return (
            StatusCode::BAD_REQUEST,
            page("That is not a login redirect."),
        );
    };
    let expected = shared
        .expected_state
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    match classify(&url, &expected) {
        Redirect::Stray => (
            StatusCode::NOT_FOUND,
            page("Waiting for the login redirect."),
        ),
        Redirect::WrongState => {
            tracing::warn!("login redirect with a state that does not match; ignored");
            (
                StatusCode::BAD_REQUEST,
                page(
                    "This login link does not belong to the login in progress. Start the login again from krisp-tui.",
                ),
            )
        }
        Redirect::Error { .. } => {
            let _ = shared.tx.send(full).await;
            (
                StatusCode::OK,
                page("Login did not complete. You can close this tab and return to krisp-tui."),
            )
        }
        Redirect::Code { .. } => {
            let _ = shared.tx.send(full).await;
            (
                StatusCode::OK,
                page("krisp-tui is logged in. You can close this tab."),
            )
        }
    }
}

fn page(message: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>krisp-tui</title></head>\
         <body style=\"font-family:sans-serif;margin:4em\"><h1>krisp-tui</h1><p>{message}</p></body></html>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn classifies_redirects() {
        let base = "http://127.0.0.1:1/callback";
        assert_eq!(classify(&u(base), "s"), Redirect::Stray);
        assert_eq!(
            classify(&u("http://127.0.0.1:1/favicon.ico"), "s"),
            Redirect::Stray
        );
        assert_eq!(
            classify(&u(&format!("{base}?code=c&state=evil")), "s"),
            Redirect::WrongState
        );
        assert_eq!(
            classify(&u(&format!("{base}?code=c")), "s"),
            Redirect::WrongState
        );
        assert_eq!(
            classify(
                &u(&format!(
                    "{base}?error=access_denied&error_description=no&state=s"
                )),
                "s"
            ),
            Redirect::Error {
                error: "access_denied".into(),
                description: Some("no".into())
            }
        );
        assert_eq!(
            classify(&u(&format!("{base}?code=c&state=s")), "s"),
            Redirect::Code {
                url: format!("{base}?code=c&state=s")
            }
        );
    }

    #[tokio::test]
    async fn listener_ignores_strays_rejects_wrong_state_and_forwards_codes() {
        let (listener, port) = bind(0).await.unwrap();
        let (tx, mut rx) = mpsc::channel(4);
        let (server, state) = CallbackServer::serve(listener, tx).unwrap();
        state.set("good");
        let http = reqwest::Client::new();
        let get = |path: &str| http.get(format!("http://127.0.0.1:{port}{path}")).send();

        assert_eq!(get("/favicon.ico").await.unwrap().status(), 404);
        assert_eq!(get("/callback").await.unwrap().status(), 404);
        let wrong = get("/callback?code=x&state=bad").await.unwrap();
        assert_eq!(wrong.status(), 400);
        assert!(
            rx.try_recv().is_err(),
            "stray and wrong-state requests must not complete the login"
        );

        let ok = get("/callback?code=abc&state=good").await.unwrap();
        assert_eq!(ok.status(), 200);
        assert!(ok.text().await.unwrap().contains("close this tab"));
        assert_eq!(
            rx.recv().await.unwrap(),
            format!("http://127.0.0.1:{port}/callback?code=abc&state=good")
        );

        let denied = get("/callback?error=access_denied&state=good")
            .await
            .unwrap();
        assert_eq!(denied.status(), 200);
        assert!(rx.recv().await.unwrap().contains("error=access_denied"));

        // Dropping the server (cancel) closes the port.
        drop(server);
        let mut closed = false;
        for _ in 0..50 {
            if get("/callback").await.is_err() {
                closed = true;
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(closed, "listener still answering after drop");
    }

    #[tokio::test]
    async fn a_taken_port_falls_back_to_an_ephemeral_one() {
        let (first, port) = bind(0).await.unwrap();
        let (_second, other) = bind(port).await.unwrap();
        assert_ne!(port, other);
        drop(first);
    }
}
