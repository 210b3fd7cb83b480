# aspnet:10.0 — runtime plus Microsoft.AspNetCore.App.
ARG BASE
FROM ${BASE}
ARG ASPNET_VERSION
ENV ASPNET_VERSION=${ASPNET_VERSION}
COPY dotnet/ /usr/share/dotnet/
