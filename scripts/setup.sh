#!/usr/bin/env bash
# Set up minigrad in ./.venv with an extra: demo (default), test or notebooks.
# On Debian/Ubuntu it first installs what a fresh machine lacks: python3-venv, and
# Graphviz's `dot` (renders computation graphs), using sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-demo}

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
python3 -c "import ensurepip" >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    echo "installing ${need[*]} with apt-get"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "please install: ${need[*]} (graphviz only draws graphs; minigrad works without it)" >&2
    python3 -c "import ensurepip" >/dev/null 2>&1 || exit 1
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e ".[$extra]"
echo "minigrad is set up in .venv (extra: $extra)"
