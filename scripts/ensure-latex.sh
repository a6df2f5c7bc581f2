#!/usr/bin/env bash
# CI only: make sure pdflatex with TikZ is installed, so that the test compiling
# viz.to_tikz's output runs instead of being skipped. `make test` alone skips it (with the
# reason) on a machine without LaTeX. Measured here: about 25 s to install, downloads
# included (texlive-latex-base and texlive-pictures, no extra fonts or docs).
set -euo pipefail

command -v pdflatex >/dev/null 2>&1 && kpsewhich tikz.sty >/dev/null 2>&1 && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "pdflatex / TikZ not found: installing them with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends texlive-latex-base texlive-pictures >/dev/null
    command -v pdflatex >/dev/null 2>&1 && kpsewhich tikz.sty >/dev/null 2>&1 && exit 0
fi

echo "error: CI compiles viz.to_tikz's pictures with pdflatex and needs TikZ. Install them" \
     "with:  sudo apt-get install texlive-latex-base texlive-pictures" >&2
exit 1
