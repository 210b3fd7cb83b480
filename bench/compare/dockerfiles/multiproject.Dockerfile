# Baseline for the benchmark: the official .NET sample pattern for a multi-project solution (complexapp): the
# repository-wide build files and every project file first, restore, then the sources. Base images from the
# local registry. The harness builds it with the docker CLI and BuildKit.
FROM --platform=$BUILDPLATFORM 127.0.0.1:5000/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /source

# Copy build settings and project files and restore as distinct layers
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props NuGet.config ./
COPY build/ build/
COPY packages/ packages/
COPY src/App/App.csproj src/App/
COPY src/Lib.Core/Lib.Core.csproj src/Lib.Core/
COPY src/Lib.Formatting/Lib.Formatting.csproj src/Lib.Formatting/
RUN dotnet restore src/App/App.csproj -a $TARGETARCH

# Copy source code and publish app
COPY src/ src/
RUN dotnet publish src/App/App.csproj -a $TARGETARCH --no-restore -o /app


# Runtime stage: the "extra" chiseled image, which ships ICU. Humanizer creates en-US culture objects, which the
# globalization-invariant plain chiseled image rejects (CultureNotFoundException at start-up).
FROM 127.0.0.1:5000/dotnet/runtime:10.0-noble-chiseled-extra
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
ENTRYPOINT ["./App"]
