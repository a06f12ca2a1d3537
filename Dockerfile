# The Telegram bot in a container. `docker compose up -d --build` runs it (see compose.yaml and the
# README, "Run it as a service"); tests/test_deployment.py runs this file's CMD and HEALTHCHECK.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The package and its dependencies (webhook server included), owned by root: the bot cannot change them.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install ".[webhooks]" && rm -rf /src

# The bot runs as a user of its own, without a login shell.
RUN useradd --system --user-group --uid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin bot
WORKDIR /app
COPY knowledge ./knowledge
COPY deploy/docker-config.yaml ./config.yaml
RUN mkdir data && chown bot:bot data
USER bot

# The knowledge base (mount yours; edits are reloaded live) and the store with its key (keep it).
VOLUME ["/app/knowledge", "/app/data"]
# GET /healthz and GET /metrics (`monitoring` in config.yaml).
EXPOSE 9090

HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["health-faq-bot", "health"]
CMD ["health-faq-bot", "run"]
