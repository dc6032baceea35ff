//! Transcript export to Markdown, text, JSON, SRT and WebVTT: pure functions of the model.
