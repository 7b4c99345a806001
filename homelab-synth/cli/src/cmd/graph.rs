//! `synth list --graph` / `--dot`: the apps' rollout order, read from the registry (no
//! synthesis needed): waves first to last, each app with what it depends on, or the graph as
//! Graphviz DOT.

use std::io::Write;

use homelab_synth_core::{ClusterSettings, Workspace};
use homelab_synth_core::{RolloutGraph, fleet_dot};

use crate::cmd::fleet::reported;
use crate::cmd::select::SelectArgs;

pub(crate) fn run<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    args: &SelectArgs,
    dot: bool,
) -> anyhow::Result<()> {
    let (clusters, per_cluster) = workspace
        .selected_clusters(&args.selection())
        .map_err(reported)?;
    let graphs = clusters
        .iter()
        .map(|cluster| workspace.rollout_on(cluster).map_err(reported))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut stdout = std::io::stdout().lock();
    if dot {
        // one document whatever the number of clusters, so `dot -Tsvg` draws one picture
        let text = if graphs.len() > 1 {
            fleet_dot(clusters.iter().map(|c| c.name.as_str()).zip(&graphs))
        } else {
            graphs.iter().map(RolloutGraph::to_dot).collect()
        };
        stdout.write_all(text.as_bytes())?;
        return Ok(());
    }
    for (cluster, graph) in clusters.iter().zip(&graphs) {
        if per_cluster {
            writeln!(stdout, "# cluster {}", cluster.name)?;
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
    }
    Ok(())
}
