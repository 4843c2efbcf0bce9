# shellcheck shell=bash
# scripts/lib/local-stack.sh: the setup scripts/start and scripts/demo share, sourced by both.
# A local run of the root grants project (Pulumi.yaml, index.ts, grants.example.yaml): the
# engine and the build, a Descope emulator on loopback seeded with grants.example.seed.json,
# and a throwaway stack in a temp dir, all removed on exit unless keep_work=1.
# The caller sets `total` (its number of steps), then calls the functions in the order below.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
step=0
work=""
emulator_pid=""
keep_work=""

# Prints a numbered step heading: "[2/7] what happens now".
say() {
  step=$((step + 1))
  printf '\n\033[1m[%d/%d] %s\033[0m\n' "$step" "$total" "$*"
}

# Sets $engine to the Pulumi engine directory (scripts/ensure-pulumi; its progress goes to
# stderr) and builds dist/ when it is missing.
ensure_engine_and_build() {
  engine="$("$repo/scripts/ensure-pulumi")"
  [ -f "$repo/dist/provider/index.js" ] || (cd "$repo" && npm run build >/dev/null)
}

# Stops the emulator and removes the temp dir, unless keep_work is set.
cleanup() {
  [ -n "$keep_work" ] && return
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}

# Creates $work, the temp dir of this run ($1 names it), removed on exit.
make_work_dir() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/descope-$1.XXXXXX")"
  trap cleanup EXIT
}

# Starts the emulator in the background on a free loopback port, seeded with the example, and
# exports its DESCOPE_BASE_URL, DESCOPE_PROJECT_ID and DESCOPE_MANAGEMENT_KEY ($work/emulator.env).
start_emulator() {
  node "$repo/bin/descope-emulator.js" --port 0 --seed "$repo/grants.example.seed.json" \
    >"$work/emulator.env" 2>"$work/emulator.log" &
  emulator_pid=$!
  for _ in $(seq 50); do grep -q DESCOPE_MANAGEMENT_KEY "$work/emulator.env" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q DESCOPE_MANAGEMENT_KEY "$work/emulator.env"; then
    cat "$work/emulator.log" >&2
    echo "$(basename "$0"): the emulator did not start" >&2
    exit 1
  fi
  # shellcheck disable=SC1091
  . "$work/emulator.env"
  echo "  $DESCOPE_BASE_URL (project $DESCOPE_PROJECT_ID)"
}

# Copies the root grants project into $work/project with grants.example.yaml as its grants.yaml,
# puts the engine first on PATH, logs in to a file backend in $work/state, creates stack "dev"
# and changes into the project folder.
init_grants_stack() {
  mkdir -p "$work/project" "$work/home" "$work/state"
  cp "$repo/Pulumi.yaml" "$repo/index.ts" "$repo/tsconfig.json" "$work/project/"
  echo '{ "name": "descope-local", "private": true }' >"$work/project/package.json"
  cp "$repo/grants.example.yaml" "$work/project/grants.yaml"
  ln -s "$repo/node_modules" "$work/project/node_modules"
  export PATH="$engine:$PATH" PULUMI_HOME="$work/home" PULUMI_CONFIG_PASSPHRASE=local \
    PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  cd "$work/project" || exit 1
  pulumi login --non-interactive "file://$work/state" >/dev/null
  pulumi stack init dev --non-interactive >/dev/null
}

# Runs a command with its output in $work/out; shows only the lines matching $1 (none when $1 is
# empty), or everything and exits when the command fails.
quiet() {
  local pattern="$1"
  shift
  if ! "$@" >"$work/out" 2>&1; then
    cat "$work/out"
    echo "$(basename "$0"): '$*' failed" >&2
    exit 1
  fi
  if [ -n "$pattern" ]; then grep -E "$pattern" "$work/out" || true; fi
}
