# A stand-in for python:3.11-slim-bookworm on machines that cannot pull it: Debian
# bookworm's own CPython 3.11 with venv and pip, on the locally imported Debian base.
# Built by `./dev compose up` (tt.devenv.compose); never pushed anywhere.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s /usr/bin/python3 /usr/local/bin/python
# pip and uv read the system bundle (with any CA the machine added) instead of their own.
ENV LANG=C.UTF-8 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
