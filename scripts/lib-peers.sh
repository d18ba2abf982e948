# Shared by scripts/bench-peers and scripts/bench-page-linux: v86 and its firmware. Source it
# after lib.sh; do not run it.

V86_VERSION="${V86_VERSION:-0.5.462}"

# v86 from npm (the package ships the emulator, its wasm and no firmware), installed into
# .cache/peers/v86 unless it is there already, or V86_DIR naming another copy. Sets V86_DIR.
ensure_v86() {
    if [ -n "${V86_DIR:-}" ]; then
        [ -f "$V86_DIR/build/libv86.mjs" ] || { warn "V86_DIR=$V86_DIR has no build/libv86.mjs"; return 1; }
        return 0
    fi
    V86_DIR="$ROOT/.cache/peers/v86/node_modules/v86"
    if [ -f "$V86_DIR/build/libv86.mjs" ] && grep -q "\"version\": \"$V86_VERSION[\"+]" "$V86_DIR/package.json"; then
        return 0
    fi
    command -v npm >/dev/null || { warn "no npm: v86 skipped"; return 1; }
    log "npm install v86@$V86_VERSION (into .cache/peers/v86)"
    mkdir -p "$ROOT/.cache/peers/v86"
    npm install --prefix "$ROOT/.cache/peers/v86" --no-audit --no-fund "v86@$V86_VERSION" >&2 ||
        { warn "npm install v86 failed: v86 skipped"; return 1; }
    [ -f "$V86_DIR/build/libv86.mjs" ]
}

# Debian's SeaBIOS and its VGA BIOS for v86, as scripts/fixtures extracts them (BIOS= and
# VGA_BIOS= name others). Sets BIOS and VGA_BIOS.
ensure_seabios() {
    BIOS="${BIOS:-$ROOT/.cache/fixtures/out/seabios/bios.bin}"
    VGA_BIOS="${VGA_BIOS:-$ROOT/.cache/fixtures/out/seabios/vgabios-stdvga.bin}"
    if [ ! -f "$BIOS" ] || [ ! -f "$VGA_BIOS" ]; then
        "$ROOT/scripts/fixtures" seabios >/dev/null || { warn "no SeaBIOS: v86 skipped"; return 1; }
    fi
    [ -f "$BIOS" ] && [ -f "$VGA_BIOS" ]
}
