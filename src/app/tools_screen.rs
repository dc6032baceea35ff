//! Host state of the Tools screen: the `tools/list` request and the last call. Temporary list
//! until `ui::tools::ToolsPanel` (tools branch) is embedded here.

use rmcp::model::{CallToolResult, Tool};

use crate::message::RequestId;

#[derive(Debug, Clone, Default)]
pub struct ToolsScreen {
    /// `None` until `tools/list` answered.
    pub tools: Option<Vec<Tool>>,
    pub loading: Option<RequestId>,
    pub error: Option<String>,
    pub selected: usize,
    pub call: Option<RequestId>,
    /// The last call's tool name and result (or error sentence).
    pub result: Option<(String, Result<CallToolResult, String>)>,
}

impl ToolsScreen {
    pub fn busy(&self) -> bool {
        self.loading.is_some() || self.call.is_some()
    }
}
