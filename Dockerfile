# syntax=docker/dockerfile:1
#
# kubectl-apimtoken as a container image: the binary the install-cronjob CronJob runs.
#
#   docker build -t ghcr.io/kubectl-apimtoken/kubectl-apimtoken:0.1.0 .
#   docker push ghcr.io/kubectl-apimtoken/kubectl-apimtoken:0.1.0
#
# The build stage links the Swift runtime statically, so the runtime stage needs only what the binary still
# loads dynamically: libcurl (and the libraries it depends on) and the CA certificates it verifies Azure with.

# ---- build -------------------------------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.swift names the test targets, so their directories must exist for the manifest to load.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product kubectl-apimtoken --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --product kubectl-apimtoken --static-swift-stdlib --show-bin-path)/kubectl-apimtoken" /out/kubectl-apimtoken \
 && strip /out/kubectl-apimtoken

# ---- runtime -----------------------------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /out/kubectl-apimtoken /usr/local/bin/kubectl-apimtoken
COPY LICENSE /usr/share/doc/kubectl-apimtoken/LICENSE
# The same non-root UID/GID the CronJob's securityContext sets (runAsUser/runAsGroup 65532).
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kubectl-apimtoken"]
CMD ["rotate"]
