# Shared by the ensure-* scripts: `source` it after setting SCRIPT_NAME.
# log/die prefix messages with the script's name; as_root runs a command as root (directly, or
# through sudo), as installing Debian packages needs.

log() { echo "$SCRIPT_NAME: $*"; }
die() { echo "$SCRIPT_NAME: error: $*" >&2; exit 1; }

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $*"
  fi
}
