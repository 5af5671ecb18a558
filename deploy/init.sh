#!/usr/bin/env bash
# Prepare this directory for `docker compose up -d`: write .env with fresh random
# secrets and a self-signed TLS certificate for the domain. Run once per host.
#
#   ./init.sh pets.example.org [--https-port 443] [--http-port 80] [--auth oidc|local|local,oidc]
#                              [--email you@example.org] [--force]
#
# An existing .env is kept (its secrets are in use: Keycloak's database was created
# with them) unless --force is given; the certificate is kept if one is there.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  echo "usage: $0 DOMAIN [--https-port 443] [--http-port 80] [--auth oidc|local|local,oidc]" \
       "[--email ADDRESS] [--force]" >&2
  exit 2
}
fail() { echo "init.sh: $*" >&2; exit 2; }

domain="" https_port=443 http_port=80 auth=oidc email="" force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --https-port) https_port="${2:-}"; shift 2 ;;
    --http-port) http_port="${2:-}"; shift 2 ;;
    --auth) auth="${2:-}"; shift 2 ;;
    --email) email="${2:-}"; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) usage ;;
    -*) fail "unknown option $1" ;;
    *) [ -z "$domain" ] || fail "one domain only"; domain="$1"; shift ;;
  esac
done
[ -n "$domain" ] || usage
[[ "$domain" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]] \
  || fail "'$domain' is not a host name (like pets.example.org)"
for port in "$https_port" "$http_port"; do
  [[ "$port" =~ ^[0-9]{1,5}$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] \
    || fail "'$port' is not a port number"
done
case "$auth" in local|oidc|local,oidc|oidc,local) ;; *) fail "--auth is local, oidc or local,oidc" ;; esac
command -v openssl >/dev/null || fail "openssl is needed (apt-get install openssl)"
if [ -e .env ] && [ "$force" = 0 ]; then
  fail ".env exists already (its secrets are in use); --force writes new ones"
fi

secret() { openssl rand -hex 32; }
public_url="https://$domain"
[ "$https_port" = 443 ] || public_url="$public_url:$https_port"

umask 077
tmp=$(mktemp .env.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat > "$tmp" <<ENV
# Written by init.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Keep it secret; back it up with the data.
COMPOSE_PROJECT_NAME=pygotchi
PYGOTCHI_DOMAIN=$domain
PYGOTCHI_PUBLIC_URL=$public_url
HTTP_PORT=$http_port
HTTPS_PORT=$https_port
PYGOTCHI_AUTH_MODES=$auth
PYGOTCHI_OIDC_NAME=Keycloak
PYGOTCHI_SECRET_KEY=$(secret)
PYGOTCHI_OIDC_CLIENT_SECRET=$(secret)
KEYCLOAK_DB_PASSWORD=$(secret)
PYGOTCHI_DB_PASSWORD=$(secret)
KEYCLOAK_ADMIN_USER=keycloak-admin
KEYCLOAK_ADMIN_PASSWORD=$(secret)
LETSENCRYPT_EMAIL=$email
ENV
mv "$tmp" .env
trap - EXIT

mkdir -p tls
if [ ! -s tls/server.crt ] || [ ! -s tls/server.key ]; then
  openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 825 \
    -subj "/CN=$domain" -addext "subjectAltName=DNS:$domain" \
    -keyout tls/server.key.tmp -out tls/server.crt.tmp 2>/dev/null \
    || fail "openssl could not make the certificate"
  chmod 644 tls/server.crt.tmp  # nginx's workers read it; the key stays 600
  mv tls/server.key.tmp tls/server.key
  mv tls/server.crt.tmp tls/server.crt
  cert="a self-signed certificate for $domain (browsers will warn until you use Let's Encrypt)"
else
  cert="the certificate already in tls/"
fi

cat <<DONE
Wrote .env (fresh secrets) and kept $cert.
Next:
  docker compose up -d                      # then open $public_url
  ./add-user.sh NAME --admin                # people sign in through Keycloak (realm "pygotchi")
  docker compose --profile letsencrypt up -d   # a real certificate (DNS must point here)
DONE
