# Baseline for the benchmark: the official .NET sample pattern for a Native AOT app: the AOT SDK image with
# cache mounts for the NuGet folder, bin and obj, and the chiseled runtime-deps image. Base images from the
# local registry. The harness builds it with the docker CLI and BuildKit.
FROM --platform=$BUILDPLATFORM 127.0.0.1:5000/dotnet/sdk:10.0-noble-aot AS build
ARG TARGETARCH
WORKDIR /source

# Copy project file and restore as distinct layers
COPY *.csproj .
RUN --mount=type=cache,target=/root/.nuget/packages \
    --mount=type=cache,target=/source/bin \
    --mount=type=cache,target=/source/obj \
    dotnet restore -a $TARGETARCH

# Copy source code and publish app
COPY . .
RUN --mount=type=cache,target=/root/.nuget/packages \
    --mount=type=cache,target=/source/bin \
    --mount=type=cache,target=/source/obj \
    dotnet publish -a $TARGETARCH --no-restore -o /app \
    && rm -f /app/*.dbg


# Runtime stage
FROM 127.0.0.1:5000/dotnet/runtime-deps:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
ENTRYPOINT ["./AotApp"]
