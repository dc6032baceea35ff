//! `krisp-tui mcp`: a read-only MCP server over the local store, for AI agents, over stdio (or
//! Streamable HTTP on loopback), answering every tool from the `Library`.
//!
//! `initialize` never touches the store (the Library opens it on the first tool call), so an
//! agent's start-up does not wait on a large store. Everything written to the client passes the
//! sanitizer's JSON policy at one place per transport: [`JsonEdge`] for stdout, the HTTP layer's
//! body mapping for `--http`.

pub mod http;
pub mod tools;

use std::borrow::Cow;
use std::pin::Pin;
use std::task::{Context, Poll};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use tokio::io::AsyncWrite;

use crate::krisp::MeetingId;
use crate::library::Library;

/// The resource template of a meeting's Markdown export.
pub const MEETING_URI_TEMPLATE: &str = "krisp://meetings/{id}";
const MEETING_URI_PREFIX: &str = "krisp://meetings/";

/// The server: cheap to clone (one per HTTP request), all state in the `Library`.
#[derive(Clone)]
pub struct LocalServer {
    library: Library,
}

impl LocalServer {
    pub fn new(library: Library) -> LocalServer {
        LocalServer { library }
    }
}

impl ServerHandler for LocalServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("krisp-tui", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "The user's Krisp meetings, read from krisp-tui's local store: search finds any \
             word said or written in any meeting; get_transcript reads the words around a hit \
             (pass the hit's time as from); get_meeting gives notes and action items. Dates are \
             the user's local time.",
        )
    }

    /// Every revision with the `initialize` handshake: agents in use speak 2024-11-05 to
    /// 2025-11-25.
    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(
            &ProtocolVersion::LATEST_WITH_INITIALIZE,
        ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::tools().to_vec()))
    }

    fn get_tool(&self, _name: &str) -> Option<Tool> {
        // None: rmcp would check arguments against the schema itself and answer a mistake with
        // a JSON-RPC error the agent never reads; `tools::call` answers with an isError
        // sentence naming the argument instead.
        None
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let library = self.library.clone();
        let name = request.name.to_string();
        let arguments = request.arguments;
        let started = std::time::Instant::now();
        // The store is SQLite: its calls block, so they run off the protocol's thread.
        let outcome = tokio::task::spawn_blocking(move || {
            tools::call(&library, &name, arguments.as_ref()).map(|r| (name, r))
        })
        .await
        .map_err(|e| ErrorData::internal_error(format!("the tool failed: {e}"), None))?;
        let Some((name, outcome)) = outcome else {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: {}", request.name),
                None,
            ));
        };
        tracing::info!(
            tool = %name,
            ok = outcome.is_ok(),
            ms = started.elapsed().as_millis() as u64,
            "tool call"
        );
        let result = match outcome {
            Ok(answer) => answer.into_result(),
            Err(sentence) => CallToolResult::error(vec![ContentBlock::text(sentence)]),
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        // Thousands of meetings are no list to attach from: the template names each one.
        Ok(ListResourcesResult::with_all_items(Vec::new()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(MEETING_URI_TEMPLATE, "meeting")
                .with_title("Krisp meeting")
                .with_description(
                    "A meeting as Markdown: facts, notes, action items and the whole transcript. \
                     {id} is a meeting id from search or list_meetings.",
                )
                .with_mime_type("text/markdown"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let id = uri
            .strip_prefix(MEETING_URI_PREFIX)
            .and_then(MeetingId::parse)
            .ok_or_else(|| {
                ErrorData::resource_not_found(
                    format!("{uri} is not a meeting: write krisp://meetings/ and a meeting id."),
                    None,
                )
            })?;
        let library = self.library.clone();
        let markdown = tokio::task::spawn_blocking(move || meeting_markdown(&library, &id))
            .await
            .map_err(|e| ErrorData::internal_error(format!("the read failed: {e}"), None))?
            .map_err(|sentence| ErrorData::resource_not_found(sentence, None))?;
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(markdown, uri).with_mime_type("text/markdown"),
        ])
        .into())
    }
}

/// The meeting's Markdown export, or the sentence saying why there is none.
fn meeting_markdown(library: &Library, id: &MeetingId) -> Result<String, String> {
    let meeting = library
        .meeting(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("There is no meeting {id} in the local store."))?;
    let (_, document) = library.document(id).map_err(|e| e.to_string())?;
    Ok(crate::export::render(
        crate::export::Format::Md,
        &meeting,
        document.as_ref(),
        library.zone(),
    ))
}

/// Serves MCP on stdin/stdout until the client closes stdin.
pub async fn serve_stdio(library: Library) -> Result<(), String> {
    let (stdin, stdout) = rmcp::transport::io::stdio();
    let service = LocalServer::new(library)
        .serve((stdin, JsonEdge::new(stdout)))
        .await
        .map_err(|e| format!("the MCP session did not start: {e}"))?;
    service
        .waiting()
        .await
        .map_err(|e| format!("the MCP session failed: {e}"))?;
    Ok(())
}

/// The stdout edge: passes each complete line (one JSON-RPC message) through the sanitizer's
/// JSON policy, so a server string's bidi or C1 characters leave as `\uXXXX` escapes.
pub struct JsonEdge<W> {
    inner: W,
    /// Bytes of an unfinished line.
    pending: Vec<u8>,
    /// Sanitized bytes not yet taken by `inner`.
    out: Vec<u8>,
}

impl<W> JsonEdge<W> {
    pub fn new(inner: W) -> JsonEdge<W> {
        JsonEdge {
            inner,
            pending: Vec::new(),
            out: Vec::new(),
        }
    }
}

impl<W: AsyncWrite + Unpin> JsonEdge<W> {
    /// Writes `out` into `inner` until it is empty or `inner` is not ready.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        while !self.out.is_empty() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.out) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => {
                    self.out.drain(..n);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for JsonEdge<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        // Back-pressure: take nothing new while earlier output is still waiting.
        match this.drain(cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
        if let Some(last) = buf.iter().rposition(|&b| b == b'\n') {
            let mut lines = std::mem::take(&mut this.pending);
            lines.extend_from_slice(&buf[..=last]);
            this.pending.extend_from_slice(&buf[last + 1..]);
            let text = String::from_utf8_lossy(&lines);
            this.out
                .extend_from_slice(crate::sanitize::json(&text).as_bytes());
            // Written or not, the bytes are ours now; `flush` finishes the job.
            let _ = this.drain(cx);
        } else {
            this.pending.extend_from_slice(buf);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if !this.pending.is_empty() {
            let rest = std::mem::take(&mut this.pending);
            let text = String::from_utf8_lossy(&rest).into_owned();
            this.out
                .extend_from_slice(crate::sanitize::json(&text).as_bytes());
        }
        match this.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.as_mut().poll_flush(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.get_mut().inner).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[test]
    fn the_stdout_edge_escapes_what_the_json_policy_escapes_and_keeps_the_value() {
        let message = serde_json::json!({"text": "evil\u{202e}txt.exe \u{9b}31m plain é"});
        let line = format!("{message}\n");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let written = runtime.block_on(async {
            let mut edge = JsonEdge::new(Vec::new());
            // Cut mid-character and mid-line: the edge waits for the whole line.
            let bytes = line.as_bytes();
            let cut = line.find('\u{202e}').unwrap() + 1;
            edge.write_all(&bytes[..cut]).await.unwrap();
            edge.write_all(&bytes[cut..]).await.unwrap();
            edge.flush().await.unwrap();
            edge.inner
        });
        let text = String::from_utf8(written).unwrap();
        assert_eq!(
            text,
            "{\"text\":\"evil\\u202etxt.exe \\u009b31m plain é\"}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, message);
    }
}
