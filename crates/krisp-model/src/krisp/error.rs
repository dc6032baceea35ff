//! Why a Krisp result could not be read.

/// A Krisp result that could not be turned into the model. Each message is a plain sentence.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    #[error("The {what} from Krisp is not a JSON object.")]
    NotAnObject { what: &'static str },
    #[error("The {what} from Krisp has no id.")]
    MissingId { what: &'static str },
    #[error("{value:?} is not a Krisp id (expected 32 hexadecimal digits).")]
    BadId { value: String },
    #[error("The {what} result from Krisp has a shape krisp-tui does not recognise.")]
    Unrecognised { what: &'static str },
}
