//! `synth init DIR (--library-path PATH | --library-git URL)`: a new workspace that depends on
//! this library: `Cargo.toml`, a three-line `src/main.rs`, `src/lib.rs` with the registry,
//! `clusters/` with one cluster, `apps/web/` with a Gateway and one example app (written as
//! `synth new app` writes apps), a README with its two commands, `.ci/run`, the publish and
//! pull-request workflows and `.gitignore`. Refuses a folder that is not empty.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::cmd::new_app::{AppPlan, RouteTarget, write_app};

/// Create a new workspace.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("library").required(true)))]
pub(crate) struct InitArgs {
    /// The folder to create (it may exist if it is empty); its name names the workspace.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Depend on the library in this folder (a checkout of homelab-synth).
    #[arg(long, value_name = "PATH", group = "library")]
    library_path: Option<PathBuf>,
    /// Depend on the library from this git repository.
    #[arg(long, value_name = "URL", group = "library")]
    library_git: Option<String>,
    /// Base domain of the cluster's hostnames.
    #[arg(long, default_value = "example.com")]
    domain: String,
    /// URL of the manifests repository the cluster follows.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://example.invalid/manifests.git"
    )]
    repo_url: String,
}

/// The template files, relative path to text.
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../templates/init/Cargo.toml"),
    ),
    ("build.rs", include_str!("../../templates/init/build.rs")),
    ("README.md", include_str!("../../templates/init/README.md")),
    (
        ".gitignore",
        include_str!("../../templates/init/.gitignore"),
    ),
    (".ci/run", include_str!("../../templates/init/.ci/run")),
    (
        ".github/workflows/publish.yml",
        include_str!("../../templates/init/.github/workflows/publish.yml"),
    ),
    (
        ".github/workflows/pull-request.yml",
        include_str!("../../templates/init/.github/workflows/pull-request.yml"),
    ),
    (
        "src/main.rs",
        include_str!("../../templates/init/src/main.rs"),
    ),
    (
        "src/lib.rs",
        include_str!("../../templates/init/src/lib.rs"),
    ),
    (
        "clusters/Cargo.toml",
        include_str!("../../templates/init/clusters/Cargo.toml"),
    ),
    (
        "clusters/lib.rs",
        include_str!("../../templates/init/clusters/lib.rs"),
    ),
    (
        "apps/web/Cargo.toml",
        include_str!("../../templates/init/apps/web/Cargo.toml"),
    ),
    (
        "apps/web/lib.rs",
        include_str!("../../templates/init/apps/web/lib.rs"),
    ),
    (
        "apps/web/gateway.rs",
        include_str!("../../templates/init/apps/web/gateway.rs"),
    ),
    (
        "tests/synth.rs",
        include_str!("../../templates/init/tests/synth.rs"),
    ),
];

pub(crate) fn run(args: &InitArgs) -> anyhow::Result<()> {
    let name = workspace_name(&args.dir)?;
    if fs::read_dir(&args.dir).is_ok_and(|mut entries| entries.next().is_some()) {
        bail!("{} is not empty", args.dir.display());
    }
    let (core, cli, fingerprint, lock) = match (&args.library_path, &args.library_git) {
        (Some(path), _) => {
            let library = path
                .canonicalize()
                .with_context(|| format!("library {} does not exist", path.display()))?;
            if !library.join("homelab-synth/cli/Cargo.toml").is_file() {
                bail!(
                    "{} is not a checkout of homelab-synth (no homelab-synth/cli/Cargo.toml)",
                    path.display()
                );
            }
            fs::create_dir_all(&args.dir)
                .with_context(|| format!("cannot create {}", args.dir.display()))?;
            // relative, so the workspace and the library can move together
            let from = args
                .dir
                .canonicalize()
                .context("cannot resolve the new folder")?;
            let library = relative(&from, &library);
            let core = format!("{{ path = {:?} }}", library.join("homelab-synth"));
            let cli = format!("{{ path = {:?} }}", library.join("homelab-synth/cli"));
            let fingerprint = format!(
                "{{ path = {:?} }}",
                library.join("homelab-synth/fingerprint")
            );
            let library = from.join(&library);
            // the library's lock: the versions it is tested with, and builds that need no
            // registry access for what is already downloaded
            (
                core,
                cli,
                fingerprint,
                fs::read_to_string(library.join("Cargo.lock")).ok(),
            )
        }
        (None, Some(url)) => {
            let spec = format!("{{ git = {url:?} }}");
            (spec.clone(), spec.clone(), spec, None)
        }
        (None, None) => bail!("name the library with --library-path or --library-git"),
    };
    let clusters_crate = format!("{}_clusters", name.replace('-', "_"));
    let apps_crate = format!("{}_apps_web", name.replace('-', "_"));
    let fill = |text: &str| {
        text.replace("{{name}}", &name)
            .replace("{{library_core}}", &core)
            .replace("{{library_cli}}", &cli)
            .replace("{{library_fingerprint}}", &fingerprint)
            .replace("{{clusters_crate}}", &clusters_crate)
            .replace("{{apps_crate}}", &apps_crate)
            .replace("{{domain}}", &args.domain)
            .replace("{{repo_url}}", &args.repo_url)
    };
    let dir = &args.dir;
    for (relative, text) in FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, fill(text)).with_context(|| format!("cannot write {}", path.display()))?;
    }
    make_executable(&dir.join(".ci/run"))?;
    if let Some(lock) = lock {
        fs::write(dir.join("Cargo.lock"), lock).context("cannot write Cargo.lock")?;
    }
    // the example app, written as `synth new app web/hello` writes apps
    write_app(&AppPlan {
        category_dir: dir.join("apps/web"),
        name: "hello".into(),
        clusters_crate,
        route: Some(RouteTarget {
            name: "gateway".into(),
            namespace: "kube-system".into(),
            depends_on: vec!["gateway".into()],
        }),
        helm: None,
    })?;
    println!(
        "synth: created {} (workspace `{name}`: cluster `main`, apps `gateway` and `hello`)",
        dir.display()
    );
    println!("next:");
    println!("  cd {}", dir.display());
    println!("  git init && git add -A && git commit -m 'A new homelab'");
    println!("  cargo run -p synth      # write app/<app>/");
    println!("  cargo test              # the tests");
    Ok(())
}

/// The workspace's name: the folder's name, which must make a valid crate name prefix.
fn workspace_name(dir: &Path) -> anyhow::Result<String> {
    let name = dir
        .file_name()
        .and_then(|name| name.to_str())
        .with_context(|| format!("{} has no usable folder name", dir.display()))?
        .to_ascii_lowercase();
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        bail!(
            "the folder name `{name}` names the workspace's crates: use lowercase letters, \
             digits and `-`, starting with a letter"
        );
    }
    Ok(name)
}

/// `to` as a path relative to `from` (both absolute).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for part in &to[common..] {
        path.push(part);
    }
    path
}

/// `chmod +x`.
fn make_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions();
    permissions.set_mode(0o755);
    fs::set_permissions(path, permissions)
        .with_context(|| format!("cannot make {} executable", path.display()))
}
