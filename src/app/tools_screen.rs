//! Host state of the Tools screen: the `tools/list` request, the embedded `ToolsPanel`, and the
//! call in flight.

use crate::message::RequestId;
use crate::ui::tools::ToolsPanel;

#[derive(Debug, Default, Clone)]
pub struct ToolsScreen {
    /// `None` until `tools/list` answered.
    pub panel: Option<ToolsHost>,
    pub loading: Option<RequestId>,
    pub error: Option<String>,
    /// The `tools/call` in flight.
    pub call: Option<RequestId>,
}

impl ToolsScreen {
    pub fn busy(&self) -> bool {
        self.loading.is_some() || self.call.is_some()
    }
}

/// The panel, cloneable so `State` stays `Clone` (tests and benches clone states). A clone
/// starts from the same tool list with empty forms and no result: the panel keeps render-time
/// scroll cells and text fields that are not `Clone`.
#[derive(Debug)]
pub struct ToolsHost(pub ToolsPanel);

impl Clone for ToolsHost {
    fn clone(&self) -> Self {
        ToolsHost(ToolsPanel::new(self.0.tools().to_vec()))
    }
}
