//! Helm at the edge: locked, cached, reproducible chart rendering
