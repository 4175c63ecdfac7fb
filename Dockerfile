# syntax=docker/dockerfile:1
# Two stages: wheels are built with the compilers of the full image, the runtime image only installs them.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY gateway ./gateway
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[otel]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    DATABASE_URL=sqlite+aiosqlite:////data/gateway.db
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin gateway \
    && mkdir -p /data \
    && chown gateway /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl \
    && rm -rf /wheels
COPY --chmod=0755 deploy/entrypoint.sh /usr/local/bin/gateway-entrypoint
WORKDIR /app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["gateway-entrypoint"]
