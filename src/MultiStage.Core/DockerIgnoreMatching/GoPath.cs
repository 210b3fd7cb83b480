using System.Text;

namespace MultiStage.DockerIgnoreMatching;

/// <summary>Slash-separated path helpers with the exact results of Go's <c>path/filepath</c> on Unix.</summary>
public static class GoPath
{
    /// <summary>
    /// Lexical clean as Go's <c>filepath.Clean</c>: collapses repeated slashes, drops <c>.</c> elements,
    /// resolves inner <c>..</c>, keeps leading <c>..</c> of relative paths, removes a trailing slash;
    /// the empty path becomes <c>.</c>. The docker CLI cleans every .dockerignore pattern this way.
    /// </summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        bool rooted = path[0] == '/';
        int n = path.Length;
        var output = new StringBuilder(n);
        int read = 0;
        int dotdot = 0;
        if (rooted)
        {
            output.Append('/');
            read = 1;
            dotdot = 1;
        }

        while (read < n)
        {
            if (path[read] == '/')
            {
                read++;
            }
            else if (path[read] == '.' && (read + 1 == n || path[read + 1] == '/'))
            {
                read++;
            }
            else if (path[read] == '.' && path[read + 1] == '.' && (read + 2 == n || path[read + 2] == '/'))
            {
                read += 2;
                if (output.Length > dotdot)
                {
                    // Drop the last element written.
                    int w = output.Length - 1;
                    while (w > dotdot && output[w] != '/')
                    {
                        w--;
                    }

                    output.Length = w;
                }
                else if (!rooted)
                {
                    if (output.Length > 0)
                    {
                        output.Append('/');
                    }

                    output.Append("..");
                    dotdot = output.Length;
                }
            }
            else
            {
                if ((rooted && output.Length != 1) || (!rooted && output.Length != 0))
                {
                    output.Append('/');
                }

                while (read < n && path[read] != '/')
                {
                    output.Append(path[read]);
                    read++;
                }
            }
        }

        return output.Length == 0 ? "." : output.ToString();
    }

    /// <summary>Go's <c>filepath.Dir</c> for slash paths: everything before the last slash, cleaned.</summary>
    public static string Dir(string path)
    {
        int slash = path.LastIndexOf('/');
        return Clean(slash < 0 ? string.Empty : path.Substring(0, slash + 1));
    }
}
