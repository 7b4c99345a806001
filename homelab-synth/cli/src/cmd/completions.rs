//! `synth completions SHELL` and `synth man`: shell completions (clap_complete) and a man
//! page (clap_mangen), generated from the same clap definition as the command itself, so
//! they never drift from the flags.

use std::io::Write;

use clap::CommandFactory;

use crate::Cli;

/// Options of `synth completions`.
#[derive(clap::Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell. Install with, for example,
    /// `synth completions bash > ~/.local/share/bash-completion/completions/synth`.
    shell: clap_complete::Shell,
}

pub(crate) fn completions(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut command = Cli::command();
    let mut stdout = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "synth", &mut stdout);
    stdout.flush()?;
    Ok(())
}

/// `synth man`: the man page in roff (`synth man > synth.1; man -l synth.1`).
pub(crate) fn man() -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut stdout)?;
    stdout.flush()?;
    Ok(())
}
