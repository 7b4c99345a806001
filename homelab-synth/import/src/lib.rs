//! CRD import: generates typed Rust bindings from CustomResourceDefinitions
