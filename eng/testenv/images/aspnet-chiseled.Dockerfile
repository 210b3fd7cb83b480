# aspnet:10.0-noble-chiseled(-extra) — a chiseled runtime image plus
# Microsoft.AspNetCore.App taken from the aspnet:10.0 image.
ARG BASE
ARG SOURCE
FROM ${BASE} AS base

FROM ${SOURCE} AS source
LABEL org.multistage.testenv.stage=source
COPY --from=base / /chiseled/
COPY chisel-dotnet.sh /usr/local/bin/chisel-dotnet.sh
RUN sh /usr/local/bin/chisel-dotnet.sh /chiseled /out shared/Microsoft.AspNetCore.App

FROM base
ARG ASPNET_VERSION
ENV ASPNET_VERSION=${ASPNET_VERSION}
COPY --from=source /out/ /
