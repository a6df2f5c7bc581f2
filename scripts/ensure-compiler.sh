#!/usr/bin/env bash
# Make sure a C compiler and Python's headers are here, so that setup.py can compile the
# engine with mypyc: install them with apt-get when we may. Without them the engine still
# works, as pure Python (some 20x slower), so this only says how to get them, and goes on.
set -euo pipefail
PY="${1:-python3}"

have_them() {
    command -v "$("$PY" -c 'import sysconfig; print((sysconfig.get_config_var("CC") or "cc").split()[0])')" \
        >/dev/null 2>&1 &&
    "$PY" -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'
}

have_them && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "C compiler or Python headers not found: installing build-essential python3-dev" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq build-essential python3-dev >/dev/null
    have_them && exit 0
fi

case "$(uname -s)" in
    Darwin) install="xcode-select --install" ;;
    *) if command -v apt-get >/dev/null 2>&1; then install="sudo apt-get install build-essential python3-dev"
       elif command -v dnf >/dev/null 2>&1; then install="sudo dnf install gcc python3-devel"
       else install="a C compiler and the Python development headers"; fi ;;
esac
echo "note: no C compiler or Python headers, so the engine runs as pure Python (slower)." \
     "To compile it, install:  $install  and run make again." >&2
