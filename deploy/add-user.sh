#!/usr/bin/env bash
# Add a person to the Keycloak realm of a running deployment, without the console:
#
#   ./add-user.sh NAME [--admin] [--email ADDRESS]
#
# Prints a one-time password; Keycloak asks for a new one at the first sign-in.
# --admin gives the role pygotchi-admin (pygotchi reads it at every sign-in).
set -euo pipefail
cd "$(dirname "$0")"
name="${1:-}"
[[ "$name" =~ ^[A-Za-z0-9_.-]{1,32}$ ]] || { echo "usage: $0 NAME [--admin] [--email ADDRESS]" >&2; exit 2; }
shift
admin=0 email=""
while [ $# -gt 0 ]; do
  case "$1" in
    --admin) admin=1; shift ;;
    --email) email="${2:-}"; shift 2 ;;
    *) echo "add-user.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
password=$(openssl rand -base64 12)
# kcadm.sh runs inside the Keycloak container, signed in with the bootstrap admin from .env.
docker compose exec -T -e NAME="$name" -e EMAIL="$email" -e PASSWORD="$password" -e ADMIN="$admin" \
  keycloak bash -euc '
    kc=/opt/keycloak/bin/kcadm.sh
    $kc config credentials --server http://localhost:8080/kc --realm master \
      --user "$KC_BOOTSTRAP_ADMIN_USERNAME" --password "$KC_BOOTSTRAP_ADMIN_PASSWORD" >/dev/null
    $kc create users -r pygotchi -s username="$NAME" -s enabled=true \
      ${EMAIL:+-s email="$EMAIL" -s emailVerified=true}
    $kc set-password -r pygotchi --username "$NAME" --new-password "$PASSWORD" --temporary
    if [ "$ADMIN" = 1 ]; then $kc add-roles -r pygotchi --uusername "$NAME" --rolename pygotchi-admin; fi'
echo "added $name$([ "$admin" = 1 ] && echo ' (administrator)'); one-time password: $password"
