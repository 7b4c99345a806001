//! The publish crate's integration tests, one binary: publishing against real git
//! repositories and a smart-HTTP server on 127.0.0.1, what publish reads from a real server's
//! answers, and the timeouts that keep a silent server or a sleeping hook from hanging it.

#[path = "../support/mod.rs"]
mod support;

mod hangs;
mod publishing;
mod server_answers;
