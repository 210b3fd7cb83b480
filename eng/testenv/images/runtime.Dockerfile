# runtime:10.0 — runtime-deps plus the dotnet host and Microsoft.NETCore.App.
ARG BASE
FROM ${BASE}
ARG DOTNET_VERSION
ENV DOTNET_VERSION=${DOTNET_VERSION}
COPY dotnet/ /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
