# The ambulant image: the API, the solver workers, the migrations and the road network (OSRM's
# binaries from the osrm-bindings wheel) run the same code with different commands
# (docker-compose.yml). Everything comes from registries: Docker Hub's base images, PyPI, npm.

# The pages' browser libraries (Leaflet), from npm at the versions package-lock.json pins.
FROM node:22-bookworm-slim AS pages
WORKDIR /web
COPY api/web/package.json api/web/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# OR-Tools and OSRM's binaries link the C++ runtime; the slim image may leave it out.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libstdc++6 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 ambulant \
    && mkdir -p /var/lib/ambulant/osrm \
    && chown -R ambulant /var/lib/ambulant
WORKDIR /app
COPY pyproject.toml README.md ./
COPY solver ./solver
COPY ambulant ./ambulant
COPY api ./api
RUN pip install '.[osrm]'
# Where api/web looks for them once installed (api.web.VENDOR).
COPY --from=pages /web/node_modules /usr/local/lib/python3.12/site-packages/api/web/node_modules
USER ambulant
# Settings that belong to the image; the rest come from the environment (.env.example).
ENV AMBULANT_DATA_DIR=/var/lib/ambulant
EXPOSE 8000
CMD ["ambulant", "serve"]
