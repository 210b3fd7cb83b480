# Baseline for the benchmark: the official .NET sample pattern for an ASP.NET Core app (aspnetapp with Razor Pages, chiseled runtime),
# with the base images taken from the local registry. The harness builds it with the docker CLI and BuildKit.
FROM --platform=$BUILDPLATFORM 127.0.0.1:5000/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /source

# Copy project file and restore as distinct layers
COPY *.csproj .
RUN dotnet restore -a $TARGETARCH

# Copy source code and publish app
COPY . .
RUN dotnet publish -a $TARGETARCH --no-restore -o /app


# Runtime stage
FROM 127.0.0.1:5000/dotnet/aspnet:10.0-noble-chiseled
EXPOSE 8080
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
ENTRYPOINT ["./RazorApp"]
