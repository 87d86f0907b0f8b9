#!/usr/bin/env bash
# Make Voila, run as a jupyter-server extension (Binder: ?urlpath=voila/render/...), use the
# course template and settings kept in this folder. Called from binder/postBuild:
#
#     bash leadership_course/voila/binder_setup.sh
#
# It links (so later edits in the repository count):
#   templates/course           -> $PREFIX/share/jupyter/voila/templates/course
#   voila.json                 -> $PREFIX/etc/jupyter/voila.json
#   jupyter_server_config.json -> $PREFIX/etc/jupyter/jupyter_server_config.json
# where $PREFIX is the Python environment (sys.prefix), whose share/jupyter and etc/jupyter
# are on Jupyter's data and config paths. The template must sit next to Voila's own
# share/jupyter/voila/themes: Voila takes its themes from the first voila/ data folder.
# Set JUPYTER_PREFIX to use another prefix (the tests do).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${JUPYTER_PREFIX:-$(python -c 'import sys; print(sys.prefix)')}"
templates="$prefix/share/jupyter/voila/templates"
config="$prefix/etc/jupyter"
mkdir -p "$templates" "$config"

link() {  # link SOURCE TARGET: refuse to replace a real file that is not ours
  if [ -e "$2" ] && [ ! -L "$2" ]; then
    echo "binder_setup.sh: $2 already exists and is not a link; merge $1 into it by hand." >&2
    exit 1
  fi
  ln -sfn "$1" "$2"
  echo "linked $2 -> $1"
}

link "$here/templates/course" "$templates/course"
link "$here/voila.json" "$config/voila.json"
link "$here/jupyter_server_config.json" "$config/jupyter_server_config.json"
