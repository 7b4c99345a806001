//! Integration tests of the library through its public API, compiled as one test binary:
//! the construct model (`constructs`), the validation rules (`validation`) and the workload
//! kit (`workload_kit`), all synthesized with `synthesize` and asserted exactly.

mod constructs;
mod support;
mod validation;
mod workload_kit;
