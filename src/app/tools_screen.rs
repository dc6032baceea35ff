//! Host state of the Tools screen: the `tools/list` request, the embedded `ToolsPanel`, and the
//! call in flight.

use crate::app::Screen;
use crate::app::meeting::MeetingView;
use crate::app::tools::ToolsPanel;
use crate::message::RequestId;

#[derive(Debug, Default, Clone)]
pub struct ToolsScreen {
    /// `None` until `tools/list` answered.
    pub panel: Option<ToolsPanel>,
    pub loading: Option<RequestId>,
    pub error: Option<String>,
    /// The `tools/call` in flight.
    pub call: Option<RequestId>,
    /// The meeting view was opened from a result, so `Esc` there comes back here.
    pub opened_meeting: bool,
    /// The screen the panel was opened from, where closing it goes back to.
    pub return_to: Option<Screen>,
    /// The meeting the panel was opened over, kept (scroll, find and all) while a result's
    /// meeting takes the view, and given back when the panel closes.
    pub parked: Option<Box<MeetingView>>,
}

impl ToolsScreen {
    pub fn busy(&self) -> bool {
        self.loading.is_some() || self.call.is_some()
    }
}
