# runtime:10.0-noble-chiseled(-extra) — a chiseled runtime-deps image plus the dotnet host
# and Microsoft.NETCore.App taken from the runtime:10.0 image.
ARG BASE
ARG SOURCE
FROM ${BASE} AS base

FROM ${SOURCE} AS source
LABEL org.multistage.testenv.stage=source
COPY --from=base / /chiseled/
COPY chisel-dotnet.sh /usr/local/bin/chisel-dotnet.sh
RUN sh /usr/local/bin/chisel-dotnet.sh /chiseled /out \
        dotnet host shared/Microsoft.NETCore.App LICENSE.txt ThirdPartyNotices.txt

FROM base
ARG DOTNET_VERSION
ENV DOTNET_VERSION=${DOTNET_VERSION}
COPY --from=source /out/ /

# Like Microsoft's chiseled runtime images (aspnet inherits it): the image runs dotnet.
ENTRYPOINT ["/usr/bin/dotnet"]
CMD ["--info"]
