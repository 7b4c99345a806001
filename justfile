# The commands CI runs, for local use (https://github.com/casey/just).

# synthesize the example homelab into ./app
synth:
    cargo run -p synth

# everything CI runs
ci:
    bash .ci/run

# the whole test suite (installs k8s-yaml-check when missing)
test:
    scripts/test

# review snapshot changes after changing an app
snapshots:
    INSTA_UPDATE=always cargo test -p synth --test cli homelab

bench apps="1000":
    cargo build --release -p synth-bench
    mkdir -p target/bench
    /usr/bin/time -v target/release/synth-bench --apps {{apps}} --out target/bench/app
