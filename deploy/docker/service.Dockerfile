# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended
# The image of every Paraph nameko service (services/<SERVICE>), built from the repository root (the
# platform library is installed from libs/platform). The target says which system libraries it gets:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=identity --target service -t paraph/identity .
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=contracts --target pdf -t paraph/contracts .
# `pdf` is for the services that render PDFs with weasyprint (contracts, signing); `service` for the others.
# docker-compose.yml names each service's target.
FROM python:3.11-slim AS service

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PARAPH_DATA_DIR=/var/lib/paraph

RUN groupadd --system --gid 10001 paraph \
 && useradd --system --uid 10001 --gid paraph --home-dir /app --no-create-home --shell /usr/sbin/nologin paraph \
 && mkdir -p /var/lib/paraph && chown paraph:paraph /var/lib/paraph

# declared after the layers every service shares, so that they are built once for all six
ARG SERVICE
RUN : "${SERVICE:?pass --build-arg SERVICE=<a directory of services/>}"
# read by HEALTHCHECK and CMD below: Docker expands build arguments in neither, the shell expands this
ENV PARAPH_SERVICE=${SERVICE}

WORKDIR /app
# the locked third-party set first (its own layer), each file checked against its hash (deps/lock.py)
COPY deps/locks/${SERVICE}.txt /tmp/requirements.lock
# perimeter's in-process OPA engine (used when OPA_URL is unset) declares a newer Python than it needs
COPY deps/locks/opa-golib.txt /tmp/opa-golib.lock
RUN pip install --require-hashes -r /tmp/requirements.lock \
 && if [ "$SERVICE" = perimeter ]; then pip install --require-hashes --no-deps --ignore-requires-python -r /tmp/opa-golib.lock; fi
# installed in place (-e): migrations are found next to the package (services/<SERVICE>/migrations)
COPY libs/platform /app/libs/platform
COPY services/${SERVICE} /app/services/${SERVICE}
# the project's packages: local sources carry no hash, and what they need is in the lock
RUN pip install --no-deps --no-build-isolation -e /app/libs/platform -e /app/services/${SERVICE}

USER 10001:10001

# broker connection + database (see paraph_platform.health); Kubernetes uses the same command as exec probe
HEALTHCHECK --interval=15s --timeout=10s --start-period=40s --retries=3 \
  CMD python -m paraph_platform.health "$PARAPH_SERVICE"

# --migrate: apply this service's alembic migrations (creating its database if needed), then serve.
# The shell form expands $PARAPH_SERVICE (hence the JSONArgsRecommended check skipped at the top); exec: python
# replaces the shell, so that it is PID 1 and receives docker stop's SIGTERM itself
CMD exec python -m paraph_platform.run "$PARAPH_SERVICE" --migrate

# the service plus weasyprint's system libraries: pango/harfbuzz render the PDFs, DejaVu is the fallback font
# (Droid Sans Fallback for Chinese, Japanese and Korean).
# tzdata: the proof of signature writes times in the signer's time zone (zoneinfo; the slim image has none).
# Added on top of the finished service image, so that both targets share every step above (the cost: a code
# change reinstalls these libraries too); USER, HEALTHCHECK, CMD and ENV carry over. Being the last stage, it
# is also what a build without --target makes: an image any service can run, only larger.
FROM service AS pdf
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-droid-fallback tzdata \
 && rm -rf /var/lib/apt/lists/*
USER 10001:10001
