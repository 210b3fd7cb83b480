# runtime-deps:10.0 — Debian bookworm (debootstrap minbase) with the .NET native dependencies.
ARG ROOTFS
FROM ${ROOTFS}

# Custom CAs of the host are installed too, so that HTTPS (NuGet) works through the
# same trust chain as on the host; the host bundle then replaces the generated one.
COPY certs/ /usr/local/share/ca-certificates/
COPY ca-certificates.crt /tmp/host-ca-certificates.crt
RUN update-ca-certificates >/dev/null \
    && mv /tmp/host-ca-certificates.crt /etc/ssl/certs/ca-certificates.crt \
    && chmod 0644 /etc/ssl/certs/ca-certificates.crt \
    && groupadd --gid=1654 app \
    && useradd --no-log-init --uid=1654 --gid=1654 --create-home app

ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
