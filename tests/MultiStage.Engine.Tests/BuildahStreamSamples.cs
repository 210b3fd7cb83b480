namespace MultiStage.Engine.Tests;

/// <summary>
/// Responses of Podman 4.3.1 (Buildah 1.28.2) to <c>POST /build</c> and <c>/push</c> through its Docker-compatible API,
/// captured from eng/testenv/podman.sh's engine.
/// </summary>
internal static class BuildahStreamSamples
{
    /// <summary>Two stages, <c>layers=false</c> with TARGETARCH given: nothing but the final image is committed.</summary>
    public const string TwoStageSuccess = """
{"stream":"[1/2] STEP 1/3: FROM 127.0.0.1:5000/dotnet/runtime-deps:10.0 AS build\n"}
{"stream":"[1/2] STEP 2/3: ARG TARGETARCH\n"}
{"stream":"[1/2] STEP 3/3: RUN mkdir /out \u0026\u0026 echo \"x $TARGETARCH\" \u003e /out/marker.txt \u0026\u0026 echo built-the-marker\n"}
{"stream":"built-the-marker\n"}
{"stream":"[2/2] STEP 1/3: FROM 127.0.0.1:5000/dotnet/runtime-deps:10.0\n"}
{"stream":"[2/2] STEP 2/3: COPY --from=build /out/marker.txt /marker.txt\n"}
{"stream":"[2/2] STEP 3/3: CMD [\"cat\", \"/marker.txt\"]\n"}
{"stream":"[2/2] COMMIT docker.io/mstage-cap/b:1\n"}
{"stream":"Getting image source signatures\n"}
{"stream":"Copying blob sha256:0272f0a3d9d9e0619f222dc10f88ac386404268a3f674462ecbec672cb5690f1\n"}
{"stream":"Copying blob sha256:c99b5c3875a1b1995937f38b89fe37a51121e4fb840f28a0272fa8388e4f87a8\n"}
{"stream":"Copying blob sha256:1160d3fa92c6c52874be928f2fc069662d4cd91034b0e07ac27e7688822ed374\n"}
{"stream":"Copying blob sha256:4ef463641e793ebb9a77e87721c00c6c508b44081229c36f4e5a21866cdb890b\n"}
{"stream":"Copying blob sha256:bebbd85ce3d82146b342af54020b8bb30fbd095a3524cea4738be58d120f3806\n"}
{"stream":"Copying config sha256:59a6a2b03e1bda437eb05a719af3f1f9c09ba76382e8c713a16a0f3488d7d374\n"}
{"stream":"Writing manifest to image destination\n"}
{"stream":"Storing signatures\n"}
{"stream":"--\u003e 59a6a2b03e1\n"}
{"stream":"Successfully tagged docker.io/mstage-cap/b:1\n"}
{"stream":"59a6a2b03e1bda437eb05a719af3f1f9c09ba76382e8c713a16a0f3488d7d374\n"}
{"aux":{"ID":"sha256:59a6a2b03e1bda437eb05a719af3f1f9c09ba76382e8c713a16a0f3488d7d374"}}
{"stream":"Successfully built 59a6a2b03e1b\n"}
{"stream":"Successfully tagged mstage-cap/b:1\n"}
""";

    /// <summary>The same Dockerfile with Podman's default for Docker clients (<c>layers=true</c>), no TARGETARCH given.</summary>
    public const string TwoStageWithLayers = """
{"stream":"time=\"2026-12-05T03:59:13Z\" level=warning msg=\"missing \\\"TARGETARCH\\\" build argument. Try adding \\\"--build-arg TARGETARCH=\u003cVALUE\u003e\\\" to the command line\"\n"}
{"stream":"[1/2] STEP 1/3: FROM 127.0.0.1:5000/dotnet/runtime-deps:10.0 AS build\n"}
{"stream":"[1/2] STEP 2/3: ARG TARGETARCH\n"}
{"stream":"--\u003e ba01bbb3ee5\n"}
{"stream":"[1/2] STEP 3/3: RUN mkdir /out \u0026\u0026 echo \"x $TARGETARCH\" \u003e /out/marker.txt \u0026\u0026 echo built-the-marker\n"}
{"stream":"built-the-marker\n"}
{"stream":"--\u003e 8ee46c75cf8\n"}
{"stream":"[2/2] STEP 1/3: FROM 127.0.0.1:5000/dotnet/runtime-deps:10.0\n"}
{"stream":"[2/2] STEP 2/3: COPY --from=build /out/marker.txt /marker.txt\n"}
{"stream":"--\u003e d2515dbfb0c\n"}
{"stream":"[2/2] STEP 3/3: CMD [\"cat\", \"/marker.txt\"]\n"}
{"stream":"[2/2] COMMIT docker.io/mstage-cap/a:1\n"}
{"stream":"--\u003e 9488c6353fc\n"}
{"stream":"Successfully tagged docker.io/mstage-cap/a:1\n"}
{"stream":"9488c6353fc4c9a5aee921b8e3af7f7c936088f0fb04b8b0f2821cb56a9865cd\n"}
{"aux":{"ID":"sha256:9488c6353fc4c9a5aee921b8e3af7f7c936088f0fb04b8b0f2821cb56a9865cd"}}
{"stream":"Successfully built 9488c6353fc4\n"}
{"stream":"Successfully tagged mstage-cap/a:1\n"}
""";

    /// <summary>A compile error in the build stage.</summary>
    public const string CompileError = """
{"stream":"[1/2] STEP 1/4: FROM 127.0.0.1:5000/dotnet/sdk:10.0 AS build\n"}
{"stream":"[1/2] STEP 2/4: WORKDIR /src\n"}
{"stream":"[1/2] STEP 3/4: COPY [\"App.csproj\", \"Program.cs\", \"./\"]\n"}
{"stream":"[1/2] STEP 4/4: RUN dotnet build App.csproj -nologo -p:UseAppHost=false\n"}
{"stream":"  Determining projects to restore...\n"}
{"stream":"  Restored /src/App.csproj (in 456 ms).\n"}
{"stream":"/src/Program.cs(7,32): error CS1002: ; expected [/src/App.csproj]\n"}
{"stream":"\n"}
{"stream":"Build FAILED.\n"}
{"stream":"\n"}
{"stream":"/src/Program.cs(7,32): error CS1002: ; expected [/src/App.csproj]\n"}
{"stream":"    0 Warning(s)\n"}
{"stream":"    1 Error(s)\n"}
{"stream":"\n"}
{"stream":"Time Elapsed 00:00:12.99\n"}
{"errorDetail":{"message":"building at STEP \"RUN dotnet build App.csproj -nologo -p:UseAppHost=false\": while running runtime: exit status 1\n"},"error":"building at STEP \"RUN dotnet build App.csproj -nologo -p:UseAppHost=false\": while running runtime: exit status 1\n"}
""";

    /// <summary>A one-stage Dockerfile whose base image the registry does not have.</summary>
    public const string MissingBaseImage = """
{"stream":"STEP 1/2: FROM 127.0.0.1:5000/nope/missing:1\n"}
{"stream":"Trying to pull 127.0.0.1:5000/nope/missing:1...\n"}
{"errorDetail":{"message":"creating build container: initializing source docker://127.0.0.1:5000/nope/missing:1: reading manifest 1 in 127.0.0.1:5000/nope/missing: manifest unknown: manifest unknown\n"},"error":"creating build container: initializing source docker://127.0.0.1:5000/nope/missing:1: reading manifest 1 in 127.0.0.1:5000/nope/missing: manifest unknown: manifest unknown\n"}
""";

    /// <summary>The whole push stream of one tag: the digest is only in the status text.</summary>
    public const string Push = """
{"status":"The push refers to repository [127.0.0.1:5000/mstage-cap/a:t1]"}
{"status":"t1: digest: sha256:0c2e4e7118e65a1a40ec2206c32c4883efb212c882df1199e5eff23606aa2d6c size: 1053"}
""";
}
