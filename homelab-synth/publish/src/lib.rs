//! Publishing synthesized trees to a manifests branch with git2
