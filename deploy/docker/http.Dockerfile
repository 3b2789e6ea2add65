# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended
# The image of the two Flask apps served by gunicorn (gthread workers), built from the repository root:
# the gateway (the public REST API) and web (the staff pages, calling the gateway's API).
#   docker build -f deploy/docker/http.Dockerfile --build-arg APP=gateway -t paraph/gateway .
#   docker build -f deploy/docker/http.Dockerfile --build-arg APP=web -t paraph/web .
# APP names the directory (gateway/ or web/, with its gunicorn.conf.py) and the stage holding its port.
ARG APP=gateway

FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PARAPH_DATA_DIR=/var/lib/paraph

RUN groupadd --system --gid 10001 paraph \
 && useradd --system --uid 10001 --gid paraph --home-dir /app --no-create-home --shell /usr/sbin/nologin paraph \
 && mkdir -p /var/lib/paraph && chown paraph:paraph /var/lib/paraph

# each app's port (the default bind of its gunicorn.conf.py), where HEALTHCHECK below asks for /healthz:
# to serve on another port, set <APP>_BIND and HTTP_PORT together
FROM base AS gateway
ENV HTTP_PORT=8000
ENV GATEWAY_BIND=0.0.0.0:${HTTP_PORT}

FROM base AS web
ENV HTTP_PORT=8080
ENV WEB_BIND=0.0.0.0:${HTTP_PORT}

# the app on top of its own stage (FROM expands the build argument declared before the first FROM)
FROM ${APP} AS http
ARG APP
# read by HEALTHCHECK and CMD below: Docker expands build arguments in neither, the shell expands this
ENV PARAPH_APP=${APP}

WORKDIR /app
# the locked third-party set first (its own layer), each file checked against its hash (deps/lock.py)
COPY deps/locks/${APP}.txt /tmp/requirements.lock
RUN pip install --require-hashes -r /tmp/requirements.lock
COPY libs/platform /app/libs/platform
COPY ${APP} /app/${APP}
# the project's packages: local sources carry no hash, and what they need is in the lock
RUN pip install --no-deps --no-build-isolation -e /app/libs/platform -e /app/${APP}

USER 10001:10001
EXPOSE ${HTTP_PORT}

# GET /healthz of the local gunicorn (see paraph_platform.health)
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD python -m paraph_platform.health "$PARAPH_APP" --url "http://127.0.0.1:$HTTP_PORT/healthz"

# The shell form expands $PARAPH_APP (hence the JSONArgsRecommended check skipped at the top); exec: gunicorn
# replaces the shell, so that it is PID 1 and receives docker stop's SIGTERM itself
CMD exec gunicorn -c "$PARAPH_APP/gunicorn.conf.py"
