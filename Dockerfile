# syntax=docker/dockerfile:1
#
# The two images Ferry ships, from one build:
#   docker build --target worker   -t ghcr.io/ferry-dev/ferry-worker:<version> .
#   docker build --target operator -t ghcr.io/ferry-dev/ferry-operator:<version> .
# The chart (charts/ferry/values.yaml) and the operator's default worker image use these names.
# Both run as a non-root user on a read-only root file system (the operator's worker Deployment and
# the chart's operator Deployment set readOnlyRootFilesystem, runAsNonRoot, no capabilities).

FROM rust:1-bookworm AS build
# librdkafka is built from source (C toolchain, perl, zlib) and links the system OpenSSL for TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config perl zlib1g-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p ferry-worker -p ferry-operator \
 && install -D -m 0755 target/release/ferry-worker /out/ferry-worker \
 && install -D -m 0755 target/release/ferry-operator /out/ferry-operator

# distroless/cc has glibc and libgcc but not OpenSSL; Debian's slim image with libssl3 and
# ca-certificates is the smallest base that has both. UID 65532 matches distroless' nonroot.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 ca-certificates zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin nonroot
USER 65532:65532

FROM runtime AS worker
COPY --from=build /out/ferry-worker /usr/local/bin/ferry-worker
# The REST API (Kafka Connect's port) and its /metrics.
EXPOSE 8083
ENTRYPOINT ["/usr/local/bin/ferry-worker"]
CMD ["--help"]

FROM runtime AS operator
COPY --from=build /out/ferry-operator /usr/local/bin/ferry-operator
ENTRYPOINT ["/usr/local/bin/ferry-operator"]
