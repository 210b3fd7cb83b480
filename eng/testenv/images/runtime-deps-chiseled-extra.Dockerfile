# runtime-deps:10.0-noble-chiseled-extra — like the chiseled image plus ICU and tzdata.
ARG SOURCE
FROM ${SOURCE} AS source
LABEL org.multistage.testenv.stage=source
COPY chisel-rootfs.sh /usr/local/bin/chisel-rootfs.sh
RUN sh /usr/local/bin/chisel-rootfs.sh /rootfs extra

FROM scratch
COPY --from=source /rootfs/ /
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
COPY --from=source --chown=1654:1654 /rootfs/home/app /home/app
USER 1654
