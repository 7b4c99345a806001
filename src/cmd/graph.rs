//! `synth list --graph` / `--dot`: the apps' rollout order, read from the registry (no
//! synthesis needed): waves first to last, each app with what it depends on, or the graph as
//! Graphviz DOT.

use std::io::Write;

use homelab_synth::Registry;

pub(crate) fn run(registry: &Registry, dot: bool) -> anyhow::Result<()> {
    let graph = match registry.rollout() {
        Ok(graph) => graph,
        Err(problems) => {
            for problem in &problems {
                eprintln!("synth: error: {problem}");
            }
            return Err(crate::Reported(1).into());
        }
    };
    let mut stdout = std::io::stdout().lock();
    if dot {
        stdout.write_all(graph.to_dot().as_bytes())?;
        return Ok(());
    }
    writeln!(stdout, "{:<5} {:<24} DEPENDS ON", "WAVE", "APP")?;
    for (index, wave) in graph.waves().iter().enumerate() {
        for app in wave {
            let needs = graph.dependencies_of(app);
            let needs = if needs.is_empty() {
                "-".to_owned()
            } else {
                needs.join(", ")
            };
            writeln!(stdout, "{index:<5} {app:<24} {needs}")?;
        }
    }
    Ok(())
}
