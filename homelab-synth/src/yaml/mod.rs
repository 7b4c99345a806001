//! YAML as Kubernetes reads it: one reader that applies the YAML 1.1 rules kubectl applies
//! ([`read`]), and one emitter whose output Kubernetes decodes to exactly the JSON we meant
//! ([`emit`]).

pub mod coercion;
#[cfg(test)]
mod differential;
pub mod emit;
mod parse;
pub mod read;
mod scan;

pub use coercion::{Coercion, CoercionKind};
pub use emit::{EmitError, to_yaml};
pub use read::{ReadError, ReadWithNotes, read_documents, read_documents_with_notes};
