# syntax=docker/dockerfile:1
#
# kubectl-apimtoken as a container image: the binary the install-cronjob CronJob runs.
#
#   docker build -t ghcr.io/kubectl-apimtoken/kubectl-apimtoken:0.1.0 .
#   docker push ghcr.io/kubectl-apimtoken/kubectl-apimtoken:0.1.0
#
# The build stage links the Swift runtime statically, so the runtime stage needs only what the binary still
# loads dynamically: libcurl and libyaml (and the libraries they depend on) and the CA certificates it verifies Azure with.
#
# No Docker engine? scripts/image builds the same runtime image from Debian packages as an OCI archive
# (see the README's "Container image" section); a test keeps the two in agreement.

# ---- build -------------------------------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4-openssl-dev libyaml-dev \
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
# The same image scripts/image builds without a Docker engine: the packages of image/packages (kept equal by a test),
# the user 65532, the entrypoint and the OCI labels. Build with --build-arg REVISION=$(git rev-parse HEAD).
FROM debian:bookworm-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="kubectl-apimtoken" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source=https://github.com/kubectl-apimtoken/kubectl-apimtoken \
      org.opencontainers.image.licenses=MIT
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates gcc-12-base libbrotli1 libc6 libcom-err2 libcurl4 \
      libdb5.3 libffi8 libgcc-s1 libgmp10 libgnutls30 libgssapi-krb5-2 \
      libhogweed6 libidn2-0 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 \
      libldap-2.5-0 libnettle8 libnghttp2-14 libp11-kit0 libpsl5 librtmp1 \
      libsasl2-2 libsasl2-modules-db libssh2-1 libssl3 libstdc++6 libtasn1-6 \
      libunistring2 libyaml-0-2 libzstd1 tzdata zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --home-dir /home/nonroot --create-home --shell /sbin/nologin nonroot
COPY --from=builder /out/kubectl-apimtoken /usr/local/bin/kubectl-apimtoken
COPY LICENSE /usr/share/doc/kubectl-apimtoken/LICENSE
# The same non-root UID/GID the CronJob's securityContext sets (runAsUser/runAsGroup 65532).
USER 65532:65532
# The CronJob sets args (rotate --if-expires-within 10d), which replace CMD and keep the entrypoint.
ENTRYPOINT ["/usr/local/bin/kubectl-apimtoken"]
CMD ["rotate"]
