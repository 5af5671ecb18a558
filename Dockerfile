# pygotchi in a container: `docker compose -f deploy/compose.yaml up -d` (see README,
# "Put it on the internet"). Two stages: the first builds wheels of pygotchi (with its
# compiled emulator core) and of every dependency; the runtime stage installs them
# without a compiler, runs as an unprivileged user and keeps everything in /data.
# Licensed ROM images never enter the image: .dockerignore admits only the package.

FROM python:3.12-slim-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY pygotchi ./pygotchi
# The install falls back to pure Python without a compiler; here that is a build error.
# (-P: check the installed wheel, not the source tree in the working directory.)
RUN pip wheel --no-cache-dir --wheel-dir /wheels . \
 && pip install --no-cache-dir --no-index --find-links /wheels /wheels/pygotchi-*.whl \
 && if ! python -P -m pygotchi info | grep -q "core: compiled"; then \
      echo "the compiled emulator core was not built" >&2; exit 1; \
    fi

FROM python:3.12-slim-bookworm
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/pygotchi-*.whl \
 && rm -rf /wheels \
 && groupadd --system --gid 10001 pygotchi \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin pygotchi \
 && mkdir -p /data && chown 10001:10001 /data
ENV PYGOTCHI_DATA_DIR=/data \
    PYGOTCHI_HOST=0.0.0.0 \
    PYGOTCHI_PORT=8000 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
USER 10001:10001
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "pygotchi", "--host", "0.0.0.0"]
