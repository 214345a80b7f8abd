# Shared helpers for ./run and ./test. Source this file; do not execute it.
# Expects the caller to have cd'ed to the repository root.

VENV_DIR=.venv
VENV_PY="$VENV_DIR/bin/python"

log() { printf '%s\n' "$*" >&2; }

# sha256 of the concatenation of the given files
hash_files() { cat "$@" | sha256sum | cut -d' ' -f1; }

ensure_venv() {
    if [[ ! -x "$VENV_PY" ]]; then
        log "Creating virtualenv in $VENV_DIR ..."
        python3 -m venv "$VENV_DIR"
    fi
}

# pip_install_stamped STAMP_FILE REQ_FILE [HASHED_FILE...]
# Installs REQ_FILE unless STAMP_FILE already holds the hash of the hashed
# files (defaults to REQ_FILE alone).
pip_install_stamped() {
    local stamp="$1" req="$2"
    shift 2
    local files=("$@")
    [[ ${#files[@]} -gt 0 ]] || files=("$req")
    local want have=""
    want="$(hash_files "${files[@]}")"
    [[ -f "$stamp" ]] && have="$(cat "$stamp")"
    if [[ "$want" != "$have" ]]; then
        log "Installing Python packages from $req ..."
        "$VENV_PY" -m pip install -q --disable-pip-version-check -r "$req"
        printf '%s\n' "$want" >"$stamp"
    fi
}

compile_translations() {
    if [[ -d rtsuivi/translations ]]; then
        "$VENV_DIR/bin/pybabel" compile -d rtsuivi/translations -f >/dev/null
    fi
}
