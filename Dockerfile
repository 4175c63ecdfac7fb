# syntax=docker/dockerfile:1
# Two stages: the build stage installs into a virtual environment, the runtime image only copies it.
# Dependencies come from requirements/runtime.lock (pinned, sha256-hashed, wheels only); the project itself is
# installed without dependencies, so nothing unpinned reaches the image. Regenerate the lock with scripts/lock.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
COPY requirements/runtime.lock requirements/runtime.lock
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r requirements/runtime.lock
COPY pyproject.toml README.md LICENSE ./
COPY gateway ./gateway
# The build backend (setuptools) is pinned in the lock too: no isolated build environment, no unhashed download.
RUN pip install --no-cache-dir --no-deps --no-build-isolation .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000 \
    DATABASE_URL=sqlite+aiosqlite:////data/gateway.db
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin gateway \
    && mkdir -p /data \
    && chown gateway /data
COPY --from=build /opt/venv /opt/venv
COPY --chmod=0755 deploy/entrypoint.sh /usr/local/bin/gateway-entrypoint
WORKDIR /app
# From here on nothing needs root: the process runs as the unprivileged user created above (numeric, so
# Kubernetes' runAsNonRoot can verify it).
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["gateway-entrypoint"]
