# sdk:10.0 — aspnet plus the SDK and git; runs as root.
ARG BASE
FROM ${BASE}
ARG SDK_VERSION
ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false \
    DOTNET_NOLOGO=true \
    DOTNET_SDK_VERSION=${SDK_VERSION} \
    DOTNET_USE_POLLING_FILE_WATCHER=true \
    NUGET_XMLDOC_MODE=skip
RUN apt-get update \
    && apt-get install -y --no-install-recommends git libatomic1 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
COPY dotnet/ /usr/share/dotnet/
# First-run work happens once here instead of in every build that uses the image.
RUN dotnet help >/dev/null
