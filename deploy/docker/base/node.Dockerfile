# A stand-in for node:20-bookworm-slim on machines that cannot pull it: Debian
# bookworm's Node.js and npm (only `npm ci` of the dashboard's Chart.js runs on it).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# npm reads the system bundle (with any CA the machine added) as well as its own.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
