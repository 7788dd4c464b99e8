# A stand-in for golang:1.26-bookworm on machines that cannot pull it: the locally
# imported Debian base plus this machine's Go toolchain (the build context is GOROOT).
# Modules still come from the Go module proxy.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/*
COPY . /usr/local/go
ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:$PATH GOTOOLCHAIN=auto
WORKDIR /go
