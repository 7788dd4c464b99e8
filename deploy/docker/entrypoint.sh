#!/bin/sh
# Entrypoint of the tt service images: exports the secrets this container is given
# (TT_SECRETS, comma-separated file names under TT_SECRETS_DIR, each file holding one
# value: a key, a password, a database URL) as environment variables of the same name,
# then runs the command. Without TT_SECRETS it only runs the command, so plain
# environment variables (Kubernetes Secrets, an env file) work as well.
set -eu
dir="${TT_SECRETS_DIR:-/run/secrets/tt}"
for name in $(printf '%s' "${TT_SECRETS:-}" | tr ',' ' '); do
  if [ ! -r "$dir/$name" ]; then
    echo "tt-entrypoint: secret $name not found in $dir (has the init job run?)" >&2
    exit 1
  fi
  value=$(cat "$dir/$name")
  export "$name=$value"
done
unset TT_SECRETS
exec "$@"
