#!/usr/bin/env bash
# Make sure Graphviz's `dot` program is on PATH: install it with apt-get when we may,
# otherwise stop with the command that installs it on this platform.
set -euo pipefail

command -v dot >/dev/null 2>&1 && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Graphviz 'dot' not found: installing it with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq graphviz >/dev/null
    command -v dot >/dev/null 2>&1 && exit 0
fi

case "$(uname -s)" in
    Darwin) install="brew install graphviz" ;;
    MINGW*|MSYS*|CYGWIN*) install="winget install graphviz" ;;
    *) if command -v apt-get >/dev/null 2>&1; then install="sudo apt-get install graphviz"
       elif command -v dnf >/dev/null 2>&1; then install="sudo dnf install graphviz"
       else install="conda install -c conda-forge graphviz"; fi ;;
esac
echo "error: the Graphviz 'dot' program is missing. Install it with:  $install" >&2
exit 1
