# Shared helpers for scripts/run, scripts/test and scripts/build-web. Source it; do not run it.
# Every ensure_* function installs what is missing, does nothing when it is already there, and
# returns non-zero (after saying why) when it could not install it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_DIR="$ROOT/tests/e2e"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[1;31m!!! %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen version pinned in Cargo.lock (the CLI must be the very same version).
wasm_bindgen_version() {
    local v
    v="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' \
        "$ROOT/Cargo.lock" 2>/dev/null || true)"
    echo "${v:-0.2.130}"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        warn "need root for: $*"
        return 1
    fi
}

# ensure_apt PACKAGE...: install the Debian packages that are not installed yet.
ensure_apt() {
    local missing=() p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "apt-get install ${missing[*]}"
    as_root apt-get update -qq || { warn "apt-get update failed"; return 1; }
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" || { warn "apt-get install ${missing[*]} failed"; return 1; }
}

ensure_wasm_target() {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && return 0
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown ||
        { warn "rustup target add wasm32-unknown-unknown failed"; return 1; }
}

# The native tests also run for 32-bit x86 (scripts/test), where a usize is 32 bits as in wasm.
ensure_i686_target() {
    local rc=0
    ensure_apt gcc-multilib || rc=1
    if ! rustup target list --installed 2>/dev/null | grep -qx i686-unknown-linux-gnu; then
        log "rustup target add i686-unknown-linux-gnu"
        rustup target add i686-unknown-linux-gnu ||
            { warn "rustup target add i686-unknown-linux-gnu failed"; rc=1; }
    fi
    return "$rc"
}

ensure_rust_components() {
    cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1 && return 0
    log "rustup component add rustfmt clippy"
    rustup component add rustfmt clippy || { warn "rustup component add failed"; return 1; }
}

ensure_wasm_bindgen() {
    local want
    want="$(wasm_bindgen_version)"
    wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $want" && return 0
    log "cargo install wasm-bindgen-cli --version =$want"
    cargo install wasm-bindgen-cli --version "=$want" ||
        { warn "cargo install wasm-bindgen-cli failed"; return 1; }
}

ensure_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    ensure_apt nodejs npm
}

ensure_python() {
    command -v python3 >/dev/null 2>&1 && return 0
    ensure_apt python3
}

ensure_e2e_deps() {
    ensure_node || return 1
    [ -d "$E2E_DIR/node_modules/playwright-core" ] && [ -d "$E2E_DIR/node_modules/binaryen" ] && return 0
    log "npm ci (tests/e2e)"
    (cd "$E2E_DIR" && npm ci --no-audit --no-fund) || { warn "npm ci failed"; return 1; }
}

# What scripts/build-web and scripts/run need.
ensure_web_tools() {
    local rc=0
    ensure_wasm_target || rc=1
    ensure_wasm_bindgen || rc=1
    ensure_python || rc=1
    return "$rc"
}

# Everything scripts/test needs. Tries every item even when one fails.
ensure_test_tools() {
    local rc=0
    ensure_apt chromium chromium-driver nasm || rc=1
    ensure_rust_components || rc=1
    ensure_i686_target || rc=1
    ensure_web_tools || rc=1
    ensure_e2e_deps || rc=1
    return "$rc"
}
