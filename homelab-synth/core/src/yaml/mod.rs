//! YAML as Kubernetes reads it: one reader that applies the YAML 1.1 rules kubectl applies
//! ([`read`], over a port of go-yaml v2's scanner and parser), the coercions it reports
//! ([`coercion`]), one emitter whose output Kubernetes decodes to exactly the JSON we meant
//! ([`emit`]), and the canonical formatting of `synth fmt` built on both ([`format`]).

pub mod coercion;
#[cfg(test)]
mod differential;
pub mod emit;
pub mod format;
mod parse;
pub mod read;
mod scan;

pub use coercion::{Coercion, CoercionKind};
pub use emit::{EmitError, to_yaml};
pub use format::{FormatError, FormatOptions, Formatted, format_text};
pub use read::{ReadError, ReadWithNotes, read_documents, read_documents_with_notes};
