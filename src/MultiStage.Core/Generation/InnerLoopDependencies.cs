using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MultiStage.IO;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// Inner loop: the runtime files and NuGet packages go into an image of their own, tagged by their content, so a
/// rebuild after an edit sends the engine only the app's layers (for a self-contained app the runtime alone is tens
/// of megabytes). The final image has the same layers either way.
/// </summary>
public static class InnerLoopDependencies
{
    /// <summary>The layers the dependencies image holds, in order.</summary>
    public static readonly IReadOnlyList<PublishLayer> Layers = new[] { PublishLayer.Runtime, PublishLayer.Packages };

    /// <summary>The inner loop's Dockerfile of the app's own layers, in the inner-loop directory.</summary>
    public const string AppDockerfileName = WellKnownNames.Dockerfile;

    /// <summary>The dependencies Dockerfile, beside the inner loop's Dockerfile.</summary>
    public const string DockerfileName = "Dependencies.Dockerfile";

    /// <summary>The images the inner loop's Dockerfiles start FROM, one a line, beside them.</summary>
    public const string BaseImagesFileName = "base-images.txt";

    /// <summary>Tags of dependencies images start with this, followed by the content key.</summary>
    public const string TagPrefix = "multistage-deps-";

    private const int KeyLength = 20;

    /// <summary>The folder of the inner-loop directory that holds one subfolder per layer (the host's split writes it).</summary>
    public const string LayersFolder = "layers";

    /// <summary>What the dependencies build sends: its Dockerfile and the layer folders it copies (.dockerignore syntax).</summary>
    public static readonly string DependenciesContextIgnore = "*\n" + string.Concat(Layers.Select(l => "!" + ContextPath(l) + "\n"));

    /// <summary>What the app build sends: everything but the layers the dependencies image holds and the files about it.</summary>
    public static readonly string AppContextIgnore = string.Concat(Layers.Select(l => ContextPath(l) + "\n")) + DockerfileName + "\n" + BaseImagesFileName + "\n";

    /// <summary>A layer's folder in the inner loop's build context, e.g. <c>layers/runtime/</c>.</summary>
    public static string ContextPath(PublishLayer layer) => LayersFolder + "/" + PublishLayers.FolderName(layer) + "/";

    /// <summary>
    /// The images the inner loop's Dockerfiles in <paramref name="innerLoopDirectory"/> start FROM (the dependencies
    /// image, the runtime image), as the previous generation wrote them down; none when there was none.
    /// </summary>
    public static IReadOnlyList<string> PreviousBaseImages(string innerLoopDirectory)
    {
        var text = AtomicFile.ReadOrNull(Path.Combine(innerLoopDirectory, BaseImagesFileName));
        return text is null ? Array.Empty<string>() : text.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Writes down what <see cref="PreviousBaseImages"/> reads: the dependencies image (when there is one), then the runtime image.</summary>
    internal static void WriteBaseImages(string innerLoopDirectory, string? dependencyImage, string runtimeImage) =>
        AtomicFile.WriteIfChanged(Path.Combine(innerLoopDirectory, BaseImagesFileName),
            string.Concat(new[] { dependencyImage, runtimeImage }.OfType<string>().Distinct(StringComparer.Ordinal).Select(i => i + "\n")));

    /// <summary>
    /// The tag of the dependencies image for these layer folders, this Dockerfile and this runtime identifier (the
    /// base image's platform follows it): a hash of all three and of every file's path, permissions and content.
    /// Null when the layers hold no file (nothing to reuse).
    /// </summary>
    public static string? Tag(string layersDirectory, string dockerfileText, string runtimeIdentifier)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, "rid " + runtimeIdentifier + "\ndockerfile\n" + dockerfileText + "\n");
        var files = 0;
        var buffer = new byte[81920];
        foreach (var layer in Layers)
        {
            var root = Path.Combine(layersDirectory, PublishLayers.FolderName(layer));
            if (!Directory.Exists(root))
            {
                continue;
            }

            var paths = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => (Full: f, Relative: PublishLayers.Normalize(PathUtil.Relative(root, f))))
                .OrderBy(f => f.Relative, StringComparer.Ordinal);
            foreach (var (full, relative) in paths)
            {
                files++;
                using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                Append(hash, FormattableString.Invariant($"{PublishLayers.FolderName(layer)}/{relative}\n{Mode(full)}\n{stream.Length}\n"));
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }
        }

        if (files == 0)
        {
            return null;
        }

        var key = string.Concat(hash.GetHashAndReset().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        return TagPrefix + key.Substring(0, KeyLength);
    }

    private static void Append(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));

    // The engine keeps permission bits (an executable runtime file must stay executable).
    private static string Mode(string path)
    {
#if NET
        return OperatingSystem.IsWindows() ? "-" : ((int)File.GetUnixFileMode(path)).ToString(CultureInfo.InvariantCulture);
#else
        return "-";
#endif
    }
}
