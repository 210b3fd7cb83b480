# runtime-deps:10.0-noble-chiseled — shell-less: only the shared libraries .NET needs
# (no ICU, no tzdata), CA bundle, passwd/group with the app user.
ARG SOURCE
FROM ${SOURCE} AS source
LABEL org.multistage.testenv.stage=source
COPY chisel-rootfs.sh /usr/local/bin/chisel-rootfs.sh
RUN sh /usr/local/bin/chisel-rootfs.sh /rootfs minimal

FROM scratch
COPY --from=source /rootfs/ /
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
# COPY does not keep ownership, so the home directory is copied again with it.
COPY --from=source --chown=1654:1654 /rootfs/home/app /home/app
USER 1654
