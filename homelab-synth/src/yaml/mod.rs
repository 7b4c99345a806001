//! YAML as Kubernetes reads it: one reader that applies the YAML 1.1 rules kubectl applies
//! ([`read`]), and one emitter whose output Kubernetes decodes to exactly the JSON we meant
//! ([`emit`]).

pub mod emit;
pub mod read;

pub use emit::{EmitError, to_yaml};
pub use read::{ReadError, read_documents};
