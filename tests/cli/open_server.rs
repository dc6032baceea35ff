//! The real binary against a server that needs no login (any spec-following MCP server):
//! `tools` pages through `tools/list`, `call` types its arguments, in SSE and in plain JSON.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::json;

/// Two pages of tools; `sum` adds two integers.
#[derive(Clone)]
struct Open;

fn tool(name: &str, description: &str, schema: serde_json::Value) -> Tool {
    Tool::new(
        name.to_string(),
        description.to_string(),
        Arc::new(schema.as_object().cloned().unwrap_or_default()),
    )
}

impl ServerHandler for Open {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let second_page = request.and_then(|r| r.cursor).as_deref() == Some("page-2");
        if second_page {
            Ok(ListToolsResult::with_all_items(vec![tool(
                "echo",
                "Echo a message",
                json!({"type": "object", "properties": {"message": {"type": "string"}}}),
            )]))
        } else {
            let mut page = ListToolsResult::with_all_items(vec![tool(
                "sum",
                "Add two integers",
                json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}),
            )]);
            page.next_cursor = Some("page-2".into());
            Ok(page)
        }
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let result = match request.name.as_ref() {
            "sum" => match (
                args.get("a").and_then(|v| v.as_i64()),
                args.get("b").and_then(|v| v.as_i64()),
            ) {
                (Some(a), Some(b)) => {
                    CallToolResult::success(vec![ContentBlock::text(format!("{}", a + b))])
                }
                _ => CallToolResult::error(vec![ContentBlock::text("a and b must be integers")]),
            },
            "echo" => CallToolResult::success(vec![ContentBlock::text(
                args.get("message")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            )]),
            other => return Err(ErrorData::invalid_params(format!("no tool {other}"), None)),
        };
        Ok(result.into())
    }
}

/// Serve `Open` on 127.0.0.1 in a background thread; returns the MCP URL.
fn serve(json_response: bool) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let config = StreamableHttpServerConfig::default()
                .with_legacy_session_mode(false)
                .with_json_response(json_response)
                .with_sse_keep_alive(None);
            let service = StreamableHttpService::new(
                || Ok(Open),
                Arc::new(NeverSessionManager::default()),
                config,
            );
            let app = axum::Router::new().route_service("/mcp", service);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!(
                "http://127.0.0.1:{}/mcp",
                listener.local_addr().unwrap().port()
            ))
            .unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn tools_and_call_against_an_open_server_in_both_reply_modes() {
    for json_response in [false, true] {
        let user = crate::common::User::new(&serve(json_response));
        let tools = user.run(&["tools", "--no-login"]).ok();
        assert_eq!(
            tools.stdout, "sum   Add two integers\necho  Echo a message\n",
            "json_response={json_response}"
        );
        let sum = user.run(&["call", "sum", "a=2", "b=40", "--no-login"]).ok();
        assert_eq!(sum.stdout, "42\n");
        let json = user
            .run(&["call", "echo", "--args", r#"{"message": "hi"}"#, "--json"])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(v["content"][0]["text"], "hi");
        let error = user.run(&["call", "sum", "a=1", "b=x"]);
        assert_eq!(error.code, 2, "{}", error.stderr);
        let tool_error = user.run(&["call", "sum", "--args", r#"{"a": "one", "b": 2}"#]);
        assert_eq!(tool_error.code, 1);
        assert_eq!(tool_error.stderr.trim(), "a and b must be integers");
        // Nothing was stored for a server that needs no login.
        assert!(!user.credentials_file().exists());
    }
}
