# The ambulant image: the API and the workers run the same code with different commands.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 10001 ambulant
WORKDIR /app
COPY pyproject.toml README.md ./
COPY solver ./solver
COPY ambulant ./ambulant
COPY api ./api
RUN pip install --no-cache-dir .
USER ambulant
EXPOSE 8000
CMD ["ambulant", "serve"]
