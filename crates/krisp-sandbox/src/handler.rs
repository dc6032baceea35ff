//! The rmcp `ServerHandler`: `tools/list` serves the captured tools, `tools/call` runs them.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ProtocolVersion, ServerCapabilities, ServerConfig,
    Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::clock::Clock;
use super::data::Dataset;
use super::faults::TooManyConcurrent;
use super::schema;
use super::tools::{self, Readiness, ToolContext};

/// One per request (rmcp's stateless service builds one each time), so it only holds `Arc`s.
#[derive(Clone)]
pub struct KrispTools {
    pub data: Arc<Dataset>,
    pub clock: Clock,
    pub readiness: Arc<Readiness>,
}

impl ServerHandler for KrispTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "krisp-sandbox",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Krisp sandbox: a stand-in for mcp.krisp.ai serving demo meetings. \
                 Search with search_meetings, read transcripts with get_multiple_documents.",
            )
    }

    /// Every revision that still has the `initialize` handshake (Krisp accepts 2024-11-05
    /// and 2025-03-26; newer clients negotiate down or stay on their own).
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
        Ok(ListToolsResult::with_all_items(schema::tools().to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        schema::tool(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // `--max-concurrent`: the faults layer marked this call as one too many.
        let refused = context
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<TooManyConcurrent>());
        if let Some(refused) = refused {
            return Ok(refused.result().into());
        }
        let cx = ToolContext {
            data: &self.data,
            now: self.clock.now(),
            readiness: &self.readiness,
        };
        let Some(outcome) = tools::call(&request.name, request.arguments.as_ref(), &cx) else {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: {}", request.name),
                None,
            ));
        };
        let result = match outcome {
            Ok(output) => {
                let mut result = CallToolResult::success(
                    output.text.into_iter().map(ContentBlock::text).collect(),
                );
                result.structured_content = Some(output.structured);
                result
            }
            Err(error) => CallToolResult::error(vec![ContentBlock::text(error.to_string())]),
        };
        Ok(result.into())
    }
}
