# arm64 stand-ins of runtime-deps/runtime/aspnet:10.0-noble-chiseled(-extra), from files only
# (FROM scratch and COPY: nothing arm64 runs, so no emulation), built with --platform linux/arm64
# and --target. The context is staged by up.sh: rootfs/ (chisel-arm64.sh), runtime/ and aspnet/
# (the arm64 shared frameworks from NuGet's runtime packs). NuGet has no arm64 dotnet host for
# 10.0: these images name /usr/bin/dotnet like the amd64 ones, but lack it; nothing runs them here.
ARG VARIANT=minimal

FROM scratch AS deps-minimal
COPY rootfs/ /
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
COPY --chown=1654:1654 rootfs/home/app /home/app
USER 1654

FROM scratch AS deps-extra
COPY rootfs/ /
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
COPY --chown=1654:1654 rootfs/home/app /home/app
USER 1654

FROM deps-${VARIANT} AS runtime-deps

FROM runtime-deps AS runtime
ARG DOTNET_VERSION
ENV DOTNET_VERSION=${DOTNET_VERSION}
COPY runtime/ /
ENTRYPOINT ["/usr/bin/dotnet"]
CMD ["--info"]

FROM runtime AS aspnet
ARG ASPNET_VERSION
ENV ASPNET_VERSION=${ASPNET_VERSION}
COPY aspnet/ /
