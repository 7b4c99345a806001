//! `synth new app <category>/<name> [--helm REPO_URL CHART VERSION]`: writes
//! `apps/<category>/<name>.rs` following the kit's conventions (its namespace, a restricted
//! pod, a Service and a route on the cluster's Gateway; or a Helm release), registers it with
//! one line in the category's `lib.rs`, locks its chart, and prints the next commands. Nothing
//! is written when any step would fail.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use homelab_synth_core::helm_release::{ChartPin, chart_pins};
use homelab_synth_core::names::is_dns1123_label;
use homelab_synth_core::{ChartSource, ClusterSettings, Selection, Workspace};
use homelab_synth_helm::{HelmConfig, lock_charts};

use crate::cmd::select::WorkspaceArg;

/// Create something new in the workspace.
#[derive(clap::Args, Debug)]
pub(crate) struct NewArgs {
    #[command(subcommand)]
    command: NewCommand,
}

/// `synth new` subcommands.
#[derive(clap::Subcommand, Debug)]
enum NewCommand {
    /// Write a new app into a category crate and register it.
    App(NewAppArgs),
}

/// Flags of `synth new app`.
#[derive(clap::Args, Debug)]
struct NewAppArgs {
    /// `<category>/<name>`: the category crate (`apps/<category>/`) and the app's name (a DNS
    /// label: its output folder and namespace).
    #[arg(value_name = "CATEGORY/NAME")]
    app: String,
    /// A Helm release instead of a Deployment: the chart's repository URL, name and version.
    #[arg(long, num_args = 3, value_names = ["REPO_URL", "CHART", "VERSION"])]
    helm: Option<Vec<String>>,
    #[command(flatten)]
    pub(crate) workspace: WorkspaceArg,
}

impl NewArgs {
    /// The `--workspace` flag given after the subcommand.
    pub(crate) fn workspace(&self) -> WorkspaceArg {
        match &self.command {
            NewCommand::App(args) => args.workspace.clone(),
        }
    }
}

/// A Gateway a route can attach to, and the apps a route on it must roll out after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RouteTarget {
    /// The Gateway's name.
    pub(crate) name: String,
    /// Its namespace.
    pub(crate) namespace: String,
    /// The app that makes the Gateway (and the one that installs the HTTPRoute CRD).
    pub(crate) depends_on: Vec<String>,
}

/// What an app file is generated from.
pub(crate) struct AppPlan {
    /// `apps/<category>`.
    pub(crate) category_dir: PathBuf,
    /// The app's name.
    pub(crate) name: String,
    /// The crate that exports the workspace's `Cluster` type.
    pub(crate) clusters_crate: String,
    /// The Gateway of the route, if there is one.
    pub(crate) route: Option<RouteTarget>,
    /// `REPO_URL CHART VERSION` for a Helm app.
    pub(crate) helm: Option<[String; 3]>,
}

pub(crate) fn run<S: ClusterSettings + Default>(
    args: &NewArgs,
    workspace: &Workspace<S>,
    root: &Path,
) -> anyhow::Result<()> {
    let NewCommand::App(args) = &args.command;
    let (category, name) = args
        .app
        .split_once('/')
        .filter(|(category, name)| !category.is_empty() && !name.contains('/'))
        .with_context(|| format!("`{}` is not `<category>/<name>`", args.app))?;
    check_name(name)?;
    if workspace
        .registry()
        .apps()
        .iter()
        .any(|spec| spec.name == name)
    {
        bail!("an app named `{name}` is already registered");
    }
    let category_dir = category_dir(root, category)?;
    let clusters_crate = clusters_crate(&category_dir.join("lib.rs"))?;
    let helm: Option<[String; 3]> = args.helm.clone().map(|values| {
        let [repo, chart, version]: [String; 3] = values.try_into().unwrap_or_default();
        [repo, chart, version]
    });
    let route = match helm {
        Some(_) => None,
        None => route_target(workspace, root)?,
    };
    let plan = AppPlan {
        category_dir,
        name: name.to_owned(),
        clusters_crate,
        route,
        helm,
    };
    // the chart first: it can fail (offline, unknown version), and nothing is written then
    if let Some([repo, chart, version]) = &plan.helm {
        lock_new_chart(workspace, root, repo, chart, version)?;
    }
    let written = write_app(&plan)?;
    let shown = |path: &Path| {
        path.strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    println!(
        "synth: wrote {} and registered `{name}` in {}",
        shown(&written),
        shown(&plan.category_dir.join("lib.rs"))
    );
    if plan.helm.is_none() && plan.route.is_none() {
        println!("synth: no Gateway in the synthesis, so the app has no route yet");
    }
    println!("next:");
    let run = format!("cargo run -p synth -- --app {name}");
    for (command, what) in [
        (run.as_str(), format!("its YAML in app/{name}/")),
        ("cargo test", "snapshot tests show the new app".to_owned()),
        ("cargo insta review", "accept its snapshot".to_owned()),
    ] {
        println!("  {command:<width$}  # {what}", width = run.len());
    }
    Ok(())
}

/// An app name is a DNS label (it names the output folder and the namespace).
fn check_name(name: &str) -> anyhow::Result<()> {
    if !is_dns1123_label(name) {
        bail!(
            "`{name}` is not a valid app name: use lowercase letters, digits and `-` (a DNS \
             label of at most 63 characters, starting and ending with a letter or digit)"
        );
    }
    Ok(())
}

/// `apps/<category>`, which must be a category crate (a `lib.rs` with `pub fn register`).
fn category_dir(root: &Path, category: &str) -> anyhow::Result<PathBuf> {
    let apps = root.join("apps");
    let dir = apps.join(category);
    let lib = dir.join("lib.rs");
    let valid = category
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid && fs::read_to_string(&lib).is_ok_and(|text| text.contains("pub fn register(")) {
        return Ok(dir);
    }
    let mut known: Vec<String> = fs::read_dir(&apps)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join("lib.rs").is_file())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .collect();
    known.sort();
    bail!(
        "no category `{category}`: a category is a crate in apps/<category>/ whose lib.rs has \
         `pub fn register`; categories are: {}",
        known.join(", ")
    )
}

/// The crate the category's `lib.rs` takes `Settings` from: it exports `Cluster` too.
fn clusters_crate(lib: &Path) -> anyhow::Result<String> {
    let text = fs::read_to_string(lib).with_context(|| format!("cannot read {}", lib.display()))?;
    let statements = text
        .split(';')
        .map(str::trim)
        .filter_map(|statement| statement.strip_prefix("use "));
    for statement in statements {
        let mentions_settings = statement
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == "Settings");
        if let Some((krate, _)) = statement.split_once("::")
            && mentions_settings
            && krate != "homelab_synth"
        {
            return Ok(krate.trim().to_owned());
        }
    }
    bail!(
        "{} does not say where its `Settings` come from (`use <clusters crate>::Settings;`)",
        lib.display()
    )
}

/// The Gateway a new app's route attaches to: the first Gateway of the synthesis, with the
/// apps a route on it must roll out after.
fn route_target<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    root: &Path,
) -> anyhow::Result<Option<RouteTarget>> {
    let synthesis = crate::cmd::fleet::synthesize_all(workspace, &Selection::all(), root)
        .context("the workspace must synthesize before an app is added")?;
    let mut gateway = None;
    let mut crd_app = None;
    for (_, set) in &synthesis.clusters {
        for app in &set.apps {
            for document in &app.documents {
                let kind = document.kind();
                let name = document.name();
                if kind == "Gateway"
                    && document.group() == "gateway.networking.k8s.io"
                    && gateway.is_none()
                {
                    let namespace = document.namespace().unwrap_or_default();
                    gateway = Some((app.name.clone(), name.to_owned(), namespace.to_owned()));
                }
                if kind == "CustomResourceDefinition"
                    && name == "httproutes.gateway.networking.k8s.io"
                {
                    crd_app = Some(app.name.clone());
                }
            }
        }
    }
    Ok(gateway.map(|(app, name, namespace)| {
        let mut depends_on = vec![app];
        depends_on.extend(crd_app);
        depends_on.sort();
        depends_on.dedup();
        RouteTarget {
            name,
            namespace,
            depends_on,
        }
    }))
}

/// Locks the new chart with every chart the workspace already uses.
fn lock_new_chart<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    root: &Path,
    repo: &str,
    chart: &str,
    version: &str,
) -> anyhow::Result<()> {
    let built = crate::cmd::fleet::build_all(workspace, &Selection::all())?;
    let apps: Vec<_> = built.apps().cloned().collect();
    let mut pins = chart_pins(&apps);
    pins.push(ChartPin {
        chart: ChartSource::repo(repo, chart),
        version: version.to_owned(),
    });
    pins.sort();
    pins.dedup();
    let config = HelmConfig::from_env(root);
    let file = lock_charts(&config, &pins, Vec::new(), false)
        .with_context(|| format!("cannot lock chart {chart} {version} from {repo}"))?;
    file.write(&config.lock_file)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("cannot write {}", config.lock_file.display()))?;
    Ok(())
}

/// The Rust name of an app's module and build function.
fn rust_name(name: &str) -> String {
    let ident = name.replace('-', "_");
    let keywords = [
        "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else",
        "enum", "extern", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "try",
        "type", "unsafe", "use", "where", "while", "yield",
    ];
    let starts_with_digit = ident.starts_with(|c: char| c.is_ascii_digit());
    if keywords.contains(&ident.as_str()) || starts_with_digit {
        format!("app_{ident}")
    } else {
        ident
    }
}

/// Writes `apps/<category>/<name>.rs` and registers it in the category's `lib.rs`; returns
/// the app file. Both texts are prepared before either is written.
pub(crate) fn write_app(plan: &AppPlan) -> anyhow::Result<PathBuf> {
    let module = rust_name(&plan.name);
    let file = plan.category_dir.join(format!("{module}.rs"));
    if file.exists() {
        bail!("{} already exists", file.display());
    }
    let lib_path = plan.category_dir.join("lib.rs");
    let lib = fs::read_to_string(&lib_path)
        .with_context(|| format!("cannot read {}", lib_path.display()))?;
    let text = app_text(plan, &module);
    let depends_on = plan
        .route
        .as_ref()
        .map(|route| route.depends_on.clone())
        .unwrap_or_default();
    let registered = register(&lib, &plan.name, &module, &depends_on)
        .with_context(|| format!("cannot register the app in {}", lib_path.display()))?;
    fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    if let Err(error) = fs::write(&lib_path, registered) {
        let _ = fs::remove_file(&file);
        return Err(error).with_context(|| format!("cannot write {}", lib_path.display()));
    }
    rustfmt(&[&file, &lib_path]);
    Ok(file)
}

/// Formats `files` as `cargo fmt` would (long registration chains wrap), with a deadline;
/// without `rustfmt` the files stay as written and a note says to run `cargo fmt`.
fn rustfmt(files: &[&Path]) {
    const DEADLINE: Duration = Duration::from_secs(60);
    let started = Instant::now();
    let spawned = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
        .args(["--edition", "2024"])
        .args(files)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = spawned else {
        println!("synth: rustfmt is not available: run `cargo fmt`");
        return;
    };
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return,
            Ok(None) if started.elapsed() < DEADLINE => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                println!("synth: rustfmt did not format the new files: run `cargo fmt`");
                return;
            }
        }
    }
}

/// The app file's text.
fn app_text(plan: &AppPlan, function: &str) -> String {
    let template = match &plan.helm {
        Some(_) => include_str!("../../templates/helm_app.rs"),
        None => include_str!("../../templates/app.rs"),
    };
    let mut text = template
        .replace("{{name}}", &plan.name)
        .replace("{{function}}", function)
        .replace("{{clusters_crate}}", &plan.clusters_crate);
    if let Some([repo, chart, version]) = &plan.helm {
        return text
            .replace("{{repo}}", repo)
            .replace("{{chart}}", chart)
            .replace("{{version}}", version);
    }
    text = match &plan.route {
        Some(route) => text.replace("{{and_route}}", " and a route").replace(
            "{{route}}",
            &format!(
                "\n    let gateway = GatewayRef::new({:?}, {:?});\n    chart.add(\n        \
                     \"route\",\n        HttpRouteBuilder::new(NAME, &gateway, \
                     &cluster.host(NAME))\n            .to_service(NAME, PORT)\n            \
                     .build(),\n    );",
                route.name, route.namespace
            ),
        ),
        None => text.replace("{{and_route}}", "").replace("{{route}}", ""),
    };
    text
}

/// `lib` with `mod <module>;` after its last `mod` line and the registration as the last
/// statement of `register`.
fn register(lib: &str, name: &str, module: &str, depends_on: &[String]) -> anyhow::Result<String> {
    let start = lib
        .find("pub fn register(")
        .context("it has no `pub fn register(`")?;
    let open = start + lib[start..].find('{').context("`register` has no body")?;
    let mut depth = 0;
    let mut close = None;
    for (offset, c) in lib[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + offset);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close.context("`register`'s body does not end")?;
    let depends = if depends_on.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = depends_on.iter().map(|app| format!("{app:?}")).collect();
        format!(".depends_on(&[{}])", quoted.join(", "))
    };
    let line = format!("    apps.add({name:?}, {module}::{module}){depends};\n");
    let mut text = String::with_capacity(lib.len() + line.len() + 32);
    // the body's last line break, so the new line sits before the closing brace
    let body_end = lib[..close].rfind('\n').map_or(close, |at| at + 1);
    text.push_str(&lib[..body_end]);
    text.push_str(&line);
    text.push_str(&lib[body_end..]);
    // `mod <module>;` after the last `mod` line, or before the first `use`
    let module_line = format!("mod {module};\n");
    let mut offset = 0;
    let mut insert_at = None;
    let mut first_use = None;
    for line in text.split_inclusive('\n') {
        if line.starts_with("mod ") {
            insert_at = Some(offset + line.len());
        }
        if line.starts_with("use ") && first_use.is_none() {
            first_use = Some(offset);
        }
        offset += line.len();
    }
    let at = insert_at
        .or(first_use)
        .context("it has neither `mod` nor `use` lines")?;
    text.insert_str(at, &module_line);
    if insert_at.is_none() {
        text.insert(at + module_line.len(), '\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::{register, rust_name};

    #[test]
    fn registration_adds_the_module_and_one_line_at_the_end_of_register() {
        let lib = "//! Apps.\n\nmod a;\n\nuse x::Settings;\n\npub fn register(apps: &mut C) {\n    \
                   apps.add(\"a\", a::a);\n}\n";
        let text = register(lib, "my-blog", "my_blog", &["gateway".into()]).unwrap();
        assert_eq!(
            text,
            "//! Apps.\n\nmod a;\nmod my_blog;\n\nuse x::Settings;\n\npub fn register(apps: &mut \
             C) {\n    apps.add(\"a\", a::a);\n    apps.add(\"my-blog\", \
             my_blog::my_blog).depends_on(&[\"gateway\"]);\n}\n"
        );
        assert_eq!(rust_name("type"), "app_type");
        assert_eq!(rust_name("3d"), "app_3d");
    }
}
